package io.meridian.registry.health;

import static org.assertj.core.api.Assertions.assertThat;

import io.meridian.api.GoDuration;
import io.meridian.api.HealthCheck;
import io.meridian.testkit.NettyLeakCheck;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(NettyLeakCheck.class)
class HttpProberTest {

  private static EventLoopGroup group;
  private static Prober prober;
  private HttpBackend backend;

  @BeforeAll
  static void startGroup() {
    group = new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory());
    prober = Probers.create(group);
  }

  @AfterAll
  static void stopGroup() {
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
  }

  @BeforeEach
  void startBackend() throws Exception {
    backend = HttpBackend.start();
  }

  @AfterEach
  void stopBackend() {
    backend.close();
  }

  private static HealthCheck http(String path, Duration timeout) {
    return new HealthCheck("http", path, null, null, GoDuration.of(timeout), null, null);
  }

  private static ProbeResult probe(InetSocketAddress target, HealthCheck check) {
    return prober.probe(target, check).orTimeout(5, TimeUnit.SECONDS).join();
  }

  @Test
  void okPasses() {
    assertThat(probe(backend.address(), http(null, Duration.ofSeconds(1))))
        .isEqualTo(ProbeResult.passed("HTTP 200"));
  }

  @Test
  void serviceUnavailableFails() {
    backend.respond(503);
    assertThat(probe(backend.address(), http(null, Duration.ofSeconds(1))))
        .isEqualTo(ProbeResult.failed("HTTP 503"));
  }

  @Test
  void followsTheBackendFrom200To503() {
    HealthCheck check = http("/ready", Duration.ofSeconds(1));
    assertThat(probe(backend.address(), check).passed()).isTrue();
    backend.respond(503);
    assertThat(probe(backend.address(), check)).isEqualTo(ProbeResult.failed("HTTP 503"));
    assertThat(backend.requests()).isEqualTo(2);
  }

  @Test
  void aRedirectPassesWithoutBeingFollowed() {
    backend.respond(302);
    assertThat(probe(backend.address(), http(null, Duration.ofSeconds(1))))
        .isEqualTo(ProbeResult.passed("HTTP 302"));
    assertThat(backend.requests()).isEqualTo(1);
  }

  @Test
  void notFoundFails() {
    backend.respond(404);
    assertThat(probe(backend.address(), http(null, Duration.ofSeconds(1))).passed()).isFalse();
  }

  @Test
  void sendsPathHostUserAgentAndConnectionClose() {
    probe(backend.address(), http("/health/ready?full=1", Duration.ofSeconds(1)));
    assertThat(backend.lastPath()).isEqualTo("/health/ready?full=1");
    assertThat(backend.lastHeaders().getFirst("Host")).isEqualTo("127.0.0.1:" + backend.port());
    assertThat(backend.lastHeaders().getFirst("User-Agent")).isEqualTo("meridian-health/1");
    assertThat(backend.lastHeaders().getFirst("Connection")).isEqualTo("close");
  }

  @Test
  void theDefaultPathIsHealthz() {
    probe(backend.address(), http(null, Duration.ofSeconds(1)));
    assertThat(backend.lastPath()).isEqualTo("/healthz");
  }

  @Test
  void aClosedPortIsConnectionRefused() throws Exception {
    assertThat(probe(Endpoints.refusing(), http(null, Duration.ofSeconds(1))))
        .isEqualTo(ProbeResult.failed("connection refused"));
  }

  @Test
  void aServerThatNeverAnswersTimesOut() throws Exception {
    try (ServerSocket silent = Endpoints.silent()) {
      long start = System.nanoTime();
      ProbeResult result = probe(Endpoints.address(silent), http(null, Duration.ofMillis(200)));
      assertThat(result).isEqualTo(ProbeResult.failed("timeout after 200ms"));
      assertThat(Duration.ofNanos(System.nanoTime() - start))
          .isGreaterThanOrEqualTo(Duration.ofMillis(190));
    }
  }

  @Test
  void aServerThatHangsUpBeforeAnsweringFails() throws Exception {
    Channel server = serverThat(ctx -> ctx.close());
    try {
      assertThat(
              probe((InetSocketAddress) server.localAddress(), http(null, Duration.ofSeconds(1))))
          .isEqualTo(ProbeResult.failed("connection closed before a response"));
    } finally {
      server.close().sync();
    }
  }

  @Test
  void garbageInsteadOfHttpFails() throws Exception {
    Channel server =
        serverThat(
            ctx ->
                ctx.writeAndFlush(
                        Unpooled.copiedBuffer("SSH-2.0-OpenSSH\r\n\r\n", StandardCharsets.US_ASCII))
                    .addListener(ChannelFutureListener.CLOSE));
    try {
      ProbeResult result =
          probe((InetSocketAddress) server.localAddress(), http(null, Duration.ofSeconds(1)));
      assertThat(result.passed()).isFalse();
      assertThat(result.detail()).startsWith("malformed HTTP response");
    } finally {
      server.close().sync();
    }
  }

  @Test
  void anUnresolvedAddressFailsWithoutLookingItUp() {
    assertThat(
            probe(
                InetSocketAddress.createUnresolved("example.invalid", 80),
                http(null, Duration.ofSeconds(1))))
        .isEqualTo(ProbeResult.failed("unresolved address example.invalid"));
  }

  /** A Netty server on 127.0.0.1 that does {@code onActive} to every connection. */
  private static Channel serverThat(java.util.function.Consumer<ChannelHandlerContext> onActive)
      throws InterruptedException {
    return new ServerBootstrap()
        .group(group)
        .channel(NioServerSocketChannel.class)
        .childHandler(
            new ChannelInboundHandlerAdapter() {
              @Override
              public boolean isSharable() {
                return true;
              }

              @Override
              public void channelActive(ChannelHandlerContext ctx) {
                onActive.accept(ctx);
              }

              @Override
              public void channelRead(ChannelHandlerContext ctx, Object msg) {
                io.netty.util.ReferenceCountUtil.release(msg);
              }
            })
        .bind(InetAddress.getLoopbackAddress(), 0)
        .sync()
        .channel();
  }
}
