package io.meridian.registry.health;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.meridian.api.HealthCheck;
import io.meridian.testkit.NettyLeakCheck;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.local.LocalIoHandler;
import io.netty.channel.nio.NioIoHandler;
import java.net.ServerSocket;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(NettyLeakCheck.class)
class TcpProberTest {

  private static final HealthCheck TCP = new HealthCheck("tcp", null, null, null, null, null, null);

  private static EventLoopGroup group;

  @BeforeAll
  static void startGroup() {
    group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
  }

  @AfterAll
  static void stopGroup() {
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
  }

  private static ProbeResult probe(
      Prober prober, java.net.InetSocketAddress target, HealthCheck check) {
    return prober.probe(target, check).orTimeout(5, TimeUnit.SECONDS).join();
  }

  @Test
  void aListeningPortPasses() throws Exception {
    try (ServerSocket listening = Endpoints.silent()) {
      assertThat(probe(Probers.forType("tcp", group), Endpoints.address(listening), TCP))
          .isEqualTo(ProbeResult.passed("connected"));
    }
  }

  @Test
  void aClosedPortIsConnectionRefused() throws Exception {
    assertThat(probe(Probers.forType("tcp", group), Endpoints.refusing(), TCP))
        .isEqualTo(ProbeResult.failed("connection refused"));
  }

  @Test
  void worksOnEpollToo() throws Exception {
    assumeTrue(Epoll.isAvailable(), "native epoll is not available here");
    EventLoopGroup epoll = new MultiThreadIoEventLoopGroup(1, EpollIoHandler.newFactory());
    try (ServerSocket listening = Endpoints.silent()) {
      Prober prober = Probers.create(epoll);
      assertThat(probe(prober, Endpoints.address(listening), TCP))
          .isEqualTo(ProbeResult.passed("connected"));
      assertThat(probe(prober, Endpoints.refusing(), TCP))
          .isEqualTo(ProbeResult.failed("connection refused"));
    } finally {
      epoll.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }
  }

  @Test
  void theDispatcherTreatsAnAbsentTypeAsTcp() throws Exception {
    try (ServerSocket listening = Endpoints.silent()) {
      HealthCheck untyped = new HealthCheck(null, null, null, null, null, null, null);
      assertThat(probe(Probers.create(group), Endpoints.address(listening), untyped).passed())
          .isTrue();
    }
  }

  @Test
  void theDispatcherFailsAnUnknownTypeAsAResult() throws Exception {
    HealthCheck udp = new HealthCheck("udp", null, null, null, null, null, null);
    assertThat(probe(Probers.create(group), Endpoints.refusing(), udp))
        .isEqualTo(ProbeResult.failed("unknown health check type \"udp\""));
  }

  @Test
  void refusesAnUnknownTypeOrAGroupItCannotUse() {
    assertThatThrownBy(() -> Probers.forType("udp", group))
        .isInstanceOf(IllegalArgumentException.class);
    EventLoopGroup local = new MultiThreadIoEventLoopGroup(1, LocalIoHandler.newFactory());
    try {
      assertThatThrownBy(() -> Probers.create(local)).isInstanceOf(IllegalArgumentException.class);
    } finally {
      local.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }
  }
}
