package io.meridian.proxy.it;

import static io.meridian.proxy.it.ProxyFixture.instance;
import static io.meridian.proxy.it.ProxyFixture.port;
import static io.meridian.proxy.it.ProxyFixture.service;
import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.ClientCalls;
import io.meridian.api.ServicePort;
import io.meridian.api.ServiceType;
import io.meridian.client.Endpoint;
import io.meridian.client.ServiceKey;
import io.meridian.proxy.Listener;
import io.meridian.proxy.ProxySettings;
import io.meridian.proxy.cluster.UpstreamCluster;
import io.meridian.proxy.http2.Greeter;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 5's bar 3, for HTTP/1.1 and for gRPC: every backend of a service is restarted in turn, the
 * Kubernetes way (mark terminating, stop it gracefully once no new requests come, start a new one,
 * register it, wait until it is ready), under 500 requests a second through the agent (HTTP/1.1
 * over keep-alive connections; gRPC over one channel), and not one request fails.
 */
class RollingRestartTest {

  @TempDir Path dir;

  private ProxyFixture f;
  private final List<Backends> backends = new ArrayList<>();
  private final HttpClient http =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(2))
          .build();

  @BeforeEach
  void start() throws Exception {
    f = ProxyFixture.start(dir, ProxySettings.DEFAULTS);
  }

  @AfterEach
  void stop() {
    backends.forEach(Backends::close);
    if (f != null) {
      f.close();
    }
  }

  private UpstreamCluster cluster() {
    return f.agent.clusters().stream()
        .filter(c -> c.key().service().equals(ServiceKey.of("default", "web")))
        .findFirst()
        .orElseThrow();
  }

  @Test
  void aRollingRestartUnderLoadFailsNoRequest() throws Exception {
    f.write(
        service(
            "web", ServiceType.ClusterIP, port("http", 8080, ServicePort.Protocol.TCP, "http")));
    List<Backends> live = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      Backends b = Backends.http("v1-" + i);
      backends.add(b);
      live.add(b);
      f.write(instance("web-v1-" + i, "web", b.port(), "http"));
    }
    f.awaitEndpoints("web", 3);
    Listener l = f.awaitListener("web", Listener.Kind.CLUSTER_IP);
    URI target = URI.create("http://" + l.address() + ":" + l.port() + "/");
    HttpRequest req = HttpRequest.newBuilder(target).timeout(Duration.ofSeconds(10)).build();
    Load load;
    try (Load running =
        Load.start(
            500,
            20_000,
            () -> {
              HttpResponse<String> r = http.send(req, HttpResponse.BodyHandlers.ofString());
              if (r.statusCode() != 200) {
                throw new IllegalStateException("status " + r.statusCode() + ": " + r.body());
              }
              return r.body().split(" ")[0];
            })) {
      load = running;
      Thread.sleep(500);
      for (int i = 0; i < 3; i++) {
        Backends old = live.get(i);
        Endpoint e = new Endpoint("127.0.0.1", old.port(), "web-v1-" + i, "", 1);
        // 1. terminating: no new requests, open ones finish
        f.deleteInstance("web-v1-" + i, 30);
        Awaitility.await().atMost(ProxyFixture.WAIT).until(() -> !cluster().accepts(e));
        // 2. it stops gracefully (its open requests finish), and the registry forgets it
        old.shutdown();
        f.deleteInstance("web-v1-" + i, 0);
        // 3. its replacement starts and becomes ready
        Backends fresh = Backends.http("v2-" + i);
        backends.add(fresh);
        f.write(instance("web-v2-" + i, "web", fresh.port(), "http"));
        Endpoint n = new Endpoint("127.0.0.1", fresh.port(), "web-v2-" + i, "", 1);
        Awaitility.await().atMost(ProxyFixture.WAIT).until(() -> cluster().accepts(n));
        Thread.sleep(500); // serve a while with the new one before the next step
      }
      Thread.sleep(500);
      load.stop();
    }
    System.out.printf(
        "rolling restart (HTTP/1.1 keep-alive, 500 req/s): %d sent, %d failed, served %s%n",
        load.sent(), load.failures().size(), load.served());
    assertThat(load.failureReasons()).as("failed requests").isEmpty();
    assertThat(load.served()).containsKeys("v2-0", "v2-1", "v2-2");
    assertThat(load.sent()).as("requests sent").isGreaterThan(1000);
  }

  @Test
  void aRollingRestartUnderGrpcLoadFailsNoCall() throws Exception {
    f.write(
        service(
            "web", ServiceType.ClusterIP, port("grpc", 9000, ServicePort.Protocol.TCP, "grpc")));
    List<Greeter> live = new ArrayList<>();
    List<Greeter> all = new ArrayList<>();
    try {
      for (int i = 0; i < 3; i++) {
        Greeter g = Greeter.start("v1-" + i);
        all.add(g);
        live.add(g);
        f.write(instance("web-v1-" + i, "web", g.port(), "grpc"));
      }
      f.awaitEndpoints("web", 3);
      Listener l = f.awaitListener("web", Listener.Kind.CLUSTER_IP);
      // One channel for the whole run: without per-call balancing it would pin one backend.
      ManagedChannel ch =
          NettyChannelBuilder.forAddress(new InetSocketAddress(l.address(), l.port()))
              .usePlaintext()
              .build();
      Load load;
      try (Load running =
          Load.start(
              500,
              20_000,
              () ->
                  ClientCalls.blockingUnaryCall(
                      ch,
                      Greeter.SAY_HELLO,
                      CallOptions.DEFAULT.withDeadlineAfter(10, TimeUnit.SECONDS),
                      "hi"))) {
        load = running;
        Thread.sleep(500);
        for (int i = 0; i < 3; i++) {
          Greeter old = live.get(i);
          Endpoint e = new Endpoint("127.0.0.1", old.port(), "web-v1-" + i, "", 1);
          f.deleteInstance("web-v1-" + i, 30);
          Awaitility.await().atMost(ProxyFixture.WAIT).until(() -> !cluster().accepts(e));
          old.shutdown();
          f.deleteInstance("web-v1-" + i, 0);
          Greeter fresh = Greeter.start("v2-" + i);
          all.add(fresh);
          f.write(instance("web-v2-" + i, "web", fresh.port(), "grpc"));
          Endpoint n = new Endpoint("127.0.0.1", fresh.port(), "web-v2-" + i, "", 1);
          Awaitility.await().atMost(ProxyFixture.WAIT).until(() -> cluster().accepts(n));
          Thread.sleep(500);
        }
        Thread.sleep(500);
        load.stop();
      } finally {
        ch.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
      }
      System.out.printf(
          "rolling restart (gRPC, one channel, 500 calls/s): %d sent, %d failed, served %s%n",
          load.sent(), load.failures().size(), load.served());
      assertThat(load.failureReasons()).as("failed calls").isEmpty();
      assertThat(load.served()).containsKeys("v2-0", "v2-1", "v2-2");
      assertThat(load.sent()).as("calls sent").isGreaterThan(1000);
    } finally {
      for (Greeter g : all) {
        g.close();
      }
    }
  }
}
