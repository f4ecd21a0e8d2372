package io.meridian.proxy.it;

import static io.meridian.proxy.it.ProxyFixture.instance;
import static io.meridian.proxy.it.ProxyFixture.port;
import static io.meridian.proxy.it.ProxyFixture.service;
import static org.assertj.core.api.Assertions.assertThat;

import io.meridian.api.Service;
import io.meridian.api.ServicePort;
import io.meridian.api.ServiceType;
import io.meridian.client.ServiceKey;
import io.meridian.proxy.Listener;
import io.meridian.proxy.ProxySettings;
import io.meridian.proxy.Route;
import io.meridian.proxy.Transport;
import java.io.IOException;
import java.io.OutputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The TCP and UDP relays at their edges, over real sockets: a registry, an agent and an edge in
 * this JVM ({@link ProxyFixture}), real backends ({@link TcpBackend}, {@link Backends}) and plain
 * JDK clients. Each test promises one line of docs/proxy.md.
 */
class L4EdgeCaseTest {

  private static final int SO_TIMEOUT = 10_000;

  @TempDir Path dir;

  private ProxyFixture f;
  private final List<Backends> backends = new ArrayList<>();

  @AfterEach
  void stop() {
    backends.forEach(Backends::close);
    if (f != null) {
      f.close();
    }
  }

  private <B extends Backends> B keep(B b) {
    backends.add(b);
    return b;
  }

  private static ServicePort tcp(int port) {
    return port("tcp", port, ServicePort.Protocol.TCP, null);
  }

  private static Socket connect(Listener l) throws IOException {
    Socket s = new Socket(l.address(), l.port());
    s.setSoTimeout(SO_TIMEOUT);
    return s;
  }

  /** Sends {@code text}, half-closes, and reads the whole answer. */
  private static String roundTrip(Listener l, String text) throws IOException {
    try (Socket s = connect(l)) {
      s.getOutputStream().write(text.getBytes(StandardCharsets.UTF_8));
      s.shutdownOutput();
      return new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  /** Waits until the agent's cluster of {@code service} with {@code localOnly} has {@code n}. */
  private void awaitCluster(String service, boolean localOnly, int n) {
    ServiceKey key = ServiceKey.of(ProxyFixture.NS, service);
    Awaitility.await()
        .atMost(ProxyFixture.WAIT)
        .until(
            () ->
                f.agent.clusters().stream()
                    .anyMatch(
                        c ->
                            c.key().service().equals(key)
                                && c.key().localOnly() == localOnly
                                && c.balancer().endpoints().size() == n));
  }

  @Test
  void tenMebibytesEachWayAtOnceRelayIntact() throws Exception {
    f = ProxyFixture.start(dir, ProxySettings.DEFAULTS);
    f.write(service("bulk", ServiceType.ClusterIP, tcp(7100)));
    TcpBackend echo = keep(TcpBackend.streamEcho("echo"));
    f.write(instance("bulk-0", "bulk", echo.port(), "tcp"));
    f.awaitEndpoints("bulk", 1);
    Listener l = f.awaitListener("bulk", Listener.Kind.CLUSTER_IP);
    byte[] payload = new byte[10 << 20];
    new Random(11).nextBytes(payload);

    try (Socket s = connect(l)) {
      // Write and read at once: the echo sends back while the client still sends, so each
      // direction's buffers fill and the relay must pause and resume reads on writability.
      CompletableFuture<Void> writer =
          CompletableFuture.runAsync(
              () -> {
                try {
                  OutputStream out = s.getOutputStream();
                  for (int at = 0; at < payload.length; at += 64 * 1024) {
                    out.write(payload, at, Math.min(64 * 1024, payload.length - at));
                  }
                } catch (IOException e) {
                  throw new RuntimeException(e);
                }
              });
      byte[] back = s.getInputStream().readNBytes(payload.length);
      writer.get(30, TimeUnit.SECONDS);
      assertThat(back.length).as("bytes back").isEqualTo(payload.length);
      assertThat(sha256(back)).as("SHA-256 of the bytes back").isEqualTo(sha256(payload));
    }
  }

  private static byte[] sha256(byte[] b) throws Exception {
    return MessageDigest.getInstance("SHA-256").digest(b);
  }

  @Test
  void aHalfClosedClientStillGetsAnAnswerLargerThanTheSocketBuffers() throws Exception {
    // The client sends its FIN at once (its request is done); the endpoint then answers with
    // 8 MiB and its own FIN, more than the sockets buffer, so the relay has to wait for the
    // client's window while the client's side of the relay is half-closed.
    // On NIO: Netty 4.2.18.Final's epoll transport loses this answer's tail (a socket whose
    // epoll interest set became empty at the FIN is deleted from epoll but still counted as
    // registered; the next wait for writability fails and shuts the output). See Transport.best().
    byte[] payload = new byte[8 << 20];
    new Random(13).nextBytes(payload);
    f = ProxyFixture.start(dir, ProxySettings.DEFAULTS, new Transport(false));
    f.write(service("down", ServiceType.ClusterIP, tcp(7150)));
    TcpBackend blast = keep(TcpBackend.blast("blast", payload));
    f.write(instance("down-0", "down", blast.port(), "tcp"));
    f.awaitEndpoints("down", 1);
    Listener l = f.awaitListener("down", Listener.Kind.CLUSTER_IP);

    try (Socket s = new Socket()) {
      s.setReceiveBufferSize(64 * 1024); // a slow reader: the relay's writes to it queue up
      s.connect(new InetSocketAddress(l.address(), l.port()), SO_TIMEOUT);
      s.setSoTimeout(SO_TIMEOUT);
      s.shutdownOutput();
      Thread.sleep(500);
      byte[] got = s.getInputStream().readAllBytes();
      assertThat(got.length).as("bytes the half-closed client got").isEqualTo(payload.length);
      assertThat(sha256(got)).isEqualTo(sha256(payload));
    }
  }

  private void proxyProtocolDeliversTheClientAddressFirst(String version) throws Exception {
    f = ProxyFixture.start(dir, ProxySettings.DEFAULTS);
    f.write(
        Specs.annotated(
            service("pp", ServiceType.ClusterIP, tcp(7200)),
            Route.PROXY_PROTOCOL_ANNOTATION,
            version));
    TcpBackend b = keep(TcpBackend.proxyHeaderEcho("pp"));
    f.write(instance("pp-0", "pp", b.port(), "tcp"));
    f.awaitEndpoints("pp", 1);
    Listener l = f.awaitListener("pp", Listener.Kind.CLUSTER_IP);

    try (Socket s = connect(l)) {
      s.getOutputStream().write("hello after the header".getBytes(StandardCharsets.UTF_8));
      s.shutdownOutput();
      String back = new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8);

      Object header = b.headers.poll(SO_TIMEOUT, TimeUnit.MILLISECONDS);
      assertThat(header)
          .as("what the backend read first")
          .isInstanceOf(TcpBackend.ProxyHeader.class);
      assertThat(header)
          .isEqualTo(
              new TcpBackend.ProxyHeader(
                  version.equals("v1") ? 1 : 2,
                  s.getLocalAddress().getHostAddress(),
                  s.getLocalPort(),
                  l.address(),
                  l.port()));
      assertThat(back)
          .as("the client's bytes after the header")
          .isEqualTo("hello after the header");
    }
  }

  @Test
  void proxyProtocolV1HeaderNamesTheClientBeforeItsBytes() throws Exception {
    proxyProtocolDeliversTheClientAddressFirst("v1");
  }

  @Test
  void proxyProtocolV2HeaderNamesTheClientBeforeItsBytes() throws Exception {
    proxyProtocolDeliversTheClientAddressFirst("v2");
  }

  @Test
  void externalTrafficPolicyLocalRefusesNodePortTrafficWithNoEndpointOnTheNode() throws Exception {
    f = ProxyFixture.start(dir, ProxySettings.DEFAULTS);
    f.write(
        Specs.edit(service("loc", ServiceType.NodePort, tcp(7300)), Specs.Fields::externalLocal));
    TcpBackend elsewhere = keep(TcpBackend.namedEcho("elsewhere"));
    f.write(Specs.instanceOnNode("loc-0", "loc", elsewhere.port(), "tcp", "node-b"));
    awaitCluster("loc", false, 1);
    awaitCluster("loc", true, 0); // the node port's cluster: only endpoints on node-a
    Listener nodePort = f.awaitListener("loc", Listener.Kind.NODE_PORT);
    Listener clusterIp = f.awaitListener("loc", Listener.Kind.CLUSTER_IP);
    assertThat(nodePort.localOnly()).isTrue();

    for (int i = 0; i < 5; i++) {
      try (Socket s = connect(nodePort)) {
        s.getOutputStream().write("x".getBytes(StandardCharsets.UTF_8));
        s.shutdownOutput();
        int first;
        try {
          first = s.getInputStream().read();
        } catch (SocketException reset) {
          first = -1;
        }
        assertThat(first).as("a byte through the node port, attempt %d", i).isEqualTo(-1);
      } catch (java.net.ConnectException refused) {
        // refused outright: as good
      }
    }
    assertThat(elsewhere.connections).as("connections that reached node-b's endpoint").hasValue(0);

    // The ClusterIP (internal policy Cluster) still reaches it.
    assertThat(roundTrip(clusterIp, "hi")).isEqualTo("elsewhere:hi");
    assertThat(elsewhere.connections).hasValue(1);

    // An endpoint on this node takes the node port's traffic, and only it.
    TcpBackend here = keep(TcpBackend.namedEcho("here"));
    f.write(Specs.instanceOnNode("loc-1", "loc", here.port(), "tcp", "node-a"));
    awaitCluster("loc", false, 2);
    awaitCluster("loc", true, 1);
    for (int i = 0; i < 6; i++) {
      assertThat(roundTrip(nodePort, "n" + i)).isEqualTo("here:n" + i);
    }
    assertThat(elsewhere.connections).hasValue(1);
  }

  @Test
  void aUdpFlowIdleForTheTimeoutIsForgottenAndPicksAgain() throws Exception {
    f = ProxyFixture.start(dir, ProxySettings.DEFAULTS.withUdpIdleTimeout(Duration.ofMillis(500)));
    f.write(
        service("dns", ServiceType.ClusterIP, port("udp", 7400, ServicePort.Protocol.UDP, null)));
    for (int i = 0; i < 2; i++) {
      Backends u = keep(Backends.udpEcho("u" + i));
      f.write(instance("dns-" + i, "dns", u.port(), "udp"));
    }
    f.awaitEndpoints("dns", 2);
    Listener l = f.awaitListener("dns", Listener.Kind.CLUSTER_IP);

    try (DatagramSocket ds = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
      ds.setSoTimeout(SO_TIMEOUT);
      InetAddress to = InetAddress.getByName(l.address());
      // One flow: datagrams 50 ms apart (well under the idle timeout) stay on one endpoint.
      String first = null;
      for (int i = 0; i < 6; i++) {
        String answer = ask(ds, to, l.port(), "q" + i);
        String who = answer.substring(0, 2);
        if (first == null) {
          first = who;
        }
        assertThat(who).as("datagram %d of a busy flow", i).isEqualTo(first);
        Thread.sleep(50);
      }
      // Quiet past the timeout: the flow is forgotten, and the next datagram picks again (round
      // robin over two endpoints with this one client: the other endpoint).
      Set<String> seen = new HashSet<>(Set.of(first));
      for (int round = 0; round < 5 && seen.size() < 2; round++) {
        Thread.sleep(1_500);
        seen.add(ask(ds, to, l.port(), "again" + round).substring(0, 2));
      }
      assertThat(seen)
          .as("endpoints answering one client across idle gaps")
          .containsExactlyInAnyOrder("u0", "u1");
    }
  }

  private static String ask(DatagramSocket ds, InetAddress to, int port, String text)
      throws IOException {
    byte[] q = text.getBytes(StandardCharsets.UTF_8);
    ds.send(new DatagramPacket(q, q.length, to, port));
    byte[] buf = new byte[2048];
    DatagramPacket p = new DatagramPacket(buf, buf.length);
    ds.receive(p);
    String answer = new String(buf, 0, p.getLength(), StandardCharsets.UTF_8);
    assertThat(answer).endsWith(":" + text);
    return answer;
  }

  @Test
  void sessionAffinityClientIpKeepsOneClientOnOneEndpoint() throws Exception {
    f = ProxyFixture.start(dir, ProxySettings.DEFAULTS);
    Service svc =
        Specs.edit(
            service("sticky", ServiceType.ClusterIP, tcp(7500)), Specs.Fields::clientIpAffinity);
    f.write(svc);
    List<TcpBackend> bs = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      TcpBackend b = keep(TcpBackend.namedEcho("t" + i));
      bs.add(b);
      f.write(instance("sticky-" + i, "sticky", b.port(), "tcp"));
    }
    f.awaitEndpoints("sticky", 3);
    Listener l = f.awaitListener("sticky", Listener.Kind.CLUSTER_IP);
    assertThat(l.affinity()).isNotNull();

    Set<String> served = new HashSet<>();
    for (int i = 0; i < 50; i++) {
      served.add(roundTrip(l, "c" + i).split(":")[0]);
    }

    assertThat(served).as("endpoints one client reached over 50 connections").hasSize(1);
    assertThat(bs.stream().mapToInt(b -> b.connections.get()).sum()).isEqualTo(50);
  }
}
