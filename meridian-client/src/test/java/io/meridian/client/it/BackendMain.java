package io.meridian.client.it;

import com.sun.net.httpserver.HttpServer;
import io.grpc.Server;
import io.grpc.ServerServiceDefinition;
import io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.ServerCalls;
import io.meridian.api.Instance;
import io.meridian.api.InstanceSpec;
import io.meridian.api.ObjectMeta;
import io.meridian.client.MeridianClient;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;

/**
 * One backend process: a gRPC Greeter or an HTTP server on 127.0.0.1:0 that answers with its
 * instance name, registered in the registry as an ephemeral instance through {@link
 * MeridianClient#register}. Prints {@code READY <port>} once registered, then serves until killed.
 *
 * <p>Usage: {@code BackendMain grpc|http <registry-uri> <service> <instance> <ttl-seconds>}
 */
public final class BackendMain {

  private BackendMain() {}

  public static void main(String[] args) throws Exception {
    String mode = args[0];
    URI registry = URI.create(args[1]);
    String service = args[2];
    String name = args[3];
    Duration ttl = Duration.ofSeconds(Long.parseLong(args[4]));
    int port;
    String portName;
    if (mode.equals("grpc")) {
      Server server =
          NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
              .addService(
                  ServerServiceDefinition.builder("meridian.test.Greeter")
                      .addMethod(
                          Greeter.SAY_HELLO,
                          ServerCalls.asyncUnaryCall(
                              (request, response) -> {
                                response.onNext(name);
                                response.onCompleted();
                              }))
                      .build())
              .build()
              .start();
      port = server.getPort();
      portName = "grpc";
    } else {
      HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 128);
      server.createContext(
          "/",
          exchange -> {
            byte[] body = name.getBytes(StandardCharsets.UTF_8);
            exchange.getRequestBody().readAllBytes();
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
          });
      server.setExecutor(java.util.concurrent.Executors.newFixedThreadPool(4));
      server.start();
      port = server.getAddress().getPort();
      portName = "http";
    }
    MeridianClient client = MeridianClient.connect(registry);
    client.register(
        new Instance(
            ObjectMeta.of("default", name, Map.of("app", service)),
            InstanceSpec.of("127.0.0.1", Map.of(portName, port))),
        ttl);
    System.out.println("READY " + port);
    System.out.flush();
    Thread.currentThread().join(); // serve until killed
  }
}
