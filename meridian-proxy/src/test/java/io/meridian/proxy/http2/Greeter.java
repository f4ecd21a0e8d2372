package io.meridian.proxy.http2;

import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.ServerServiceDefinition;
import io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.ServerCalls;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A gRPC backend for the proxy's tests on loopback: {@code meridian.test.Greeter/SayHello} answers
 * with the backend's name, {@code Echo} with its name, a colon and the request, {@code Never} never
 * answers. Descriptors are written by hand with a UTF-8 marshaller, so no protoc is needed; on the
 * wire it is ordinary gRPC.
 *
 * <p>Thread-safety: the counters and the last header seen are atomics, written by gRPC's threads.
 */
public final class Greeter implements AutoCloseable {

  static final MethodDescriptor.Marshaller<String> UTF8 = new Utf8();

  public static final MethodDescriptor<String, String> SAY_HELLO = method("SayHello");

  static final MethodDescriptor<String, String> NEVER = method("Never");

  static final MethodDescriptor<String, String> ECHO = method("Echo");

  private static final Metadata.Key<String> XFF =
      Metadata.Key.of("x-forwarded-for", Metadata.ASCII_STRING_MARSHALLER);

  final String name;
  final AtomicInteger calls = new AtomicInteger();
  final AtomicReference<String> lastForwardedFor = new AtomicReference<>();
  private Server server;

  private Greeter(String name) {
    this.name = name;
  }

  /** Starts a backend named {@code name} on 127.0.0.1 and a free port. */
  public static Greeter start(String name) throws IOException {
    Greeter g = new Greeter(name);
    ServerServiceDefinition def =
        ServerServiceDefinition.builder("meridian.test.Greeter")
            .addMethod(
                SAY_HELLO,
                ServerCalls.asyncUnaryCall(
                    (req, resp) -> {
                      g.calls.incrementAndGet();
                      resp.onNext(name);
                      resp.onCompleted();
                    }))
            .addMethod(NEVER, ServerCalls.asyncUnaryCall((req, resp) -> g.calls.incrementAndGet()))
            .addMethod(
                ECHO,
                ServerCalls.asyncUnaryCall(
                    (req, resp) -> {
                      g.calls.incrementAndGet();
                      resp.onNext(name + ":" + req);
                      resp.onCompleted();
                    }))
            .build();
    ServerInterceptor recordXff =
        new ServerInterceptor() {
          @Override
          public <Q, A> ServerCall.Listener<Q> interceptCall(
              ServerCall<Q, A> call, Metadata headers, ServerCallHandler<Q, A> next) {
            g.lastForwardedFor.set(headers.get(XFF));
            return next.startCall(call, headers);
          }
        };
    g.server =
        NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
            .addService(ServerInterceptors.intercept(def, recordXff))
            .build()
            .start();
    return g;
  }

  public int port() {
    return server.getPort();
  }

  @Override
  public void close() throws InterruptedException {
    server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
  }

  /** Stops gracefully: new calls are refused (GOAWAY), calls under way finish (up to 5 s). */
  public void shutdown() throws InterruptedException {
    if (!server.shutdown().awaitTermination(5, TimeUnit.SECONDS)) {
      server.shutdownNow();
    }
  }

  private static MethodDescriptor<String, String> method(String name) {
    return MethodDescriptor.<String, String>newBuilder()
        .setType(MethodDescriptor.MethodType.UNARY)
        .setFullMethodName(MethodDescriptor.generateFullMethodName("meridian.test.Greeter", name))
        .setRequestMarshaller(UTF8)
        .setResponseMarshaller(UTF8)
        .build();
  }

  private static final class Utf8 implements MethodDescriptor.Marshaller<String> {
    @Override
    public InputStream stream(String value) {
      return new ByteArrayInputStream(value.getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public String parse(InputStream stream) {
      try {
        return new String(stream.readAllBytes(), StandardCharsets.UTF_8);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }
}
