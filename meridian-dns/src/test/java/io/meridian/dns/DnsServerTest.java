package io.meridian.dns;

import static io.meridian.dns.ClusterFixture.clusterIp;
import static io.meridian.dns.ClusterFixture.port;
import static org.assertj.core.api.Assertions.assertThat;

import io.meridian.client.ClusterSnapshot;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.SimpleResolver;
import org.xbill.DNS.Type;

/** The server's lifecycle over real sockets on 127.0.0.1. */
class DnsServerTest {

  private DnsServer server;

  @AfterEach
  void close() {
    if (server != null) {
      server.close();
    }
  }

  @Test
  void udpAndTcpListenOnOnePortAndAnswerFromTheLatestSnapshot() throws Exception {
    server = ClusterFixture.startServer(DnsConfig.of("127.0.0.1", 0).withThreads(2), null);
    assertThat(server.tcpAddress().getPort()).isEqualTo(server.udpAddress().getPort());
    assertThat(ask(false).getSection(Section.ANSWER)).isEmpty();

    server.update(
        ClusterSnapshot.of(
            List.of(clusterIp("web", "10.96.0.10", port("http", 80))), List.of(), List.of()));

    assertThat(ask(false).getSection(Section.ANSWER)).hasSize(1);
    assertThat(ask(true).getSection(Section.ANSWER)).hasSize(1);
  }

  @Test
  void closeWithoutStartIsHarmless() {
    new DnsServer(DnsConfig.of("127.0.0.1", 0)).close();
  }

  @Test
  void aPortTakenForTcpFailsTheStartFutureAndReleasesTheUdpPort() throws Exception {
    try (ServerSocket taken = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"))) {
      server = new DnsServer(DnsConfig.of("127.0.0.1", taken.getLocalPort()));

      CompletableFuture<DnsServer> started;
      try {
        started = server.start();
      } catch (Throwable t) {
        throw new AssertionError("start() threw instead of failing its future", t);
      }

      assertThat(started).failsWithin(Duration.ofSeconds(5));
    }
    // the UDP port it had bound is free again: nothing was left listening
    try (DatagramSocket again =
        new DatagramSocket(new InetSocketAddress("127.0.0.1", server.config().port()))) {
      assertThat(again.isBound()).isTrue();
    }
  }

  private Message ask(boolean tcp) throws Exception {
    SimpleResolver r = new SimpleResolver(server.udpAddress());
    r.setTCP(tcp);
    r.setTimeout(Duration.ofSeconds(2));
    return r.send(
        Message.newQuery(
            Record.newRecord(
                Name.fromString("web.default.svc.cluster.local."), Type.A, DClass.IN)));
  }
}
