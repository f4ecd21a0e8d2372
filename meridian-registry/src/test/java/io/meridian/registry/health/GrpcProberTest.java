package io.meridian.registry.health;

import static org.assertj.core.api.Assertions.assertThat;

import io.meridian.api.GoDuration;
import io.meridian.api.HealthCheck;
import io.meridian.testkit.NettyLeakCheck;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.handler.codec.http2.Http2Headers;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(NettyLeakCheck.class)
class GrpcProberTest {

  private static EventLoopGroup group;
  private static Prober prober;
  private static GrpcHealthServer server;

  @BeforeAll
  static void start() throws Exception {
    group = new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory());
    prober = Probers.create(group);
    server = GrpcHealthServer.start(group, Map.of("", 1, "web", 1, "batch", 2, "cold", 0));
  }

  @AfterAll
  static void stop() throws Exception {
    server.close();
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
  }

  private static HealthCheck grpc(String service, Duration timeout) {
    return new HealthCheck("grpc", service, null, null, GoDuration.of(timeout), null, null);
  }

  private static ProbeResult probe(InetSocketAddress target, HealthCheck check) {
    return prober.probe(target, check).orTimeout(5, TimeUnit.SECONDS).join();
  }

  @Test
  void aServingServicePasses() {
    assertThat(probe(server.address(), grpc("web", Duration.ofSeconds(1))))
        .isEqualTo(ProbeResult.passed("gRPC status SERVING"));
  }

  @Test
  void aNotServingServiceFailsNamingTheStatus() {
    assertThat(probe(server.address(), grpc("batch", Duration.ofSeconds(1))))
        .isEqualTo(ProbeResult.failed("gRPC status NOT_SERVING"));
  }

  @Test
  void anUnknownStatusFails() {
    assertThat(probe(server.address(), grpc("cold", Duration.ofSeconds(1))))
        .isEqualTo(ProbeResult.failed("gRPC status UNKNOWN"));
  }

  @Test
  void noServiceChecksTheWholeServer() {
    assertThat(probe(server.address(), grpc(null, Duration.ofSeconds(1))))
        .isEqualTo(ProbeResult.passed("gRPC status SERVING"));
    assertThat(server.services()).contains("");
  }

  @Test
  void aServiceTheServerDoesNotKnowFailsWithTheGrpcStatus() {
    assertThat(probe(server.address(), grpc("nope", Duration.ofSeconds(1))))
        .isEqualTo(ProbeResult.failed("gRPC error NOT_FOUND: unknown service"));
  }

  @Test
  void sendsAGrpcRequestOverH2c() {
    int before = server.requests().size();
    probe(server.address(), grpc("web", Duration.ofMillis(750)));
    Http2Headers request = server.requests().get(before);
    assertThat(request.method().toString()).isEqualTo("POST");
    assertThat(request.path().toString()).isEqualTo("/grpc.health.v1.Health/Check");
    assertThat(request.scheme().toString()).isEqualTo("http");
    assertThat(request.authority().toString()).isEqualTo("127.0.0.1:" + server.address().getPort());
    assertThat(request.get("content-type").toString()).isEqualTo("application/grpc");
    assertThat(request.get("te").toString()).isEqualTo("trailers");
    assertThat(request.get("grpc-timeout").toString()).isEqualTo("750m");
  }

  @Test
  void manyProbesInARowAllAnswer() {
    for (int i = 0; i < 20; i++) {
      assertThat(
              probe(server.address(), grpc(i % 2 == 0 ? "web" : "batch", Duration.ofSeconds(1)))
                  .passed())
          .isEqualTo(i % 2 == 0);
    }
  }

  @Test
  void aClosedPortIsConnectionRefused() throws Exception {
    assertThat(probe(Endpoints.refusing(), grpc("web", Duration.ofSeconds(1))))
        .isEqualTo(ProbeResult.failed("connection refused"));
  }

  @Test
  void aServerThatNeverAnswersTimesOut() throws Exception {
    try (ServerSocket silent = Endpoints.silent()) {
      assertThat(probe(Endpoints.address(silent), grpc("web", Duration.ofMillis(200))))
          .isEqualTo(ProbeResult.failed("timeout after 200ms"));
    }
  }

  @Test
  void anHttp1ServerFailsRatherThanHangs() throws Exception {
    try (HttpBackend http1 = HttpBackend.start()) {
      ProbeResult result = probe(http1.address(), grpc("web", Duration.ofMillis(500)));
      assertThat(result.passed()).isFalse();
    }
  }
}
