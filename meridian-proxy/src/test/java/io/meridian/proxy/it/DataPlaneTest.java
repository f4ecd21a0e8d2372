package io.meridian.proxy.it;

import static io.meridian.proxy.it.ProxyFixture.instance;
import static io.meridian.proxy.it.ProxyFixture.port;
import static io.meridian.proxy.it.ProxyFixture.service;
import static org.assertj.core.api.Assertions.assertThat;

import io.meridian.api.ServicePort;
import io.meridian.api.ServiceType;
import io.meridian.proxy.Listener;
import io.meridian.proxy.ProxySettings;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The data plane end to end, over real sockets: a registry, an agent and an edge in this JVM, real
 * HTTP, TCP and UDP backends, and real clients sending through ClusterIPs, NodePorts and
 * LoadBalancer IPs (issue 5's bars 1 and 2).
 */
class DataPlaneTest {

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

  private List<Backends> httpBackends(String app, int n) throws Exception {
    List<Backends> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      Backends b = Backends.http("b" + i);
      backends.add(b);
      out.add(b);
      f.write(instance(app + "-" + i, app, b.port(), "http"));
    }
    return out;
  }

  private Map<String, Integer> spread(URI uri, int requests) throws Exception {
    Map<String, Integer> counts = new TreeMap<>();
    HttpRequest req = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(5)).build();
    for (int i = 0; i < requests; i++) {
      HttpResponse<String> r = http.send(req, HttpResponse.BodyHandlers.ofString());
      assertThat(r.statusCode()).as("status of request %d: %s", i, r.body()).isEqualTo(200);
      counts.merge(r.body().split(" ")[0], 1, Integer::sum);
    }
    return counts;
  }

  private static URI uri(Listener l) {
    return URI.create("http://" + l.address() + ":" + l.port() + "/");
  }

  @Test
  void httpIsBalancedPerRequestThroughClusterIpNodePortAndLoadBalancer() throws Exception {
    f.write(
        service(
            "web", ServiceType.LoadBalancer, port("http", 8080, ServicePort.Protocol.TCP, "http")));
    httpBackends("web", 3);
    f.awaitEndpoints("web", 3);
    Listener clusterIp = f.awaitListener("web", Listener.Kind.CLUSTER_IP);
    Listener nodePort = f.awaitListener("web", Listener.Kind.NODE_PORT);
    Listener lb = f.awaitListener("web", Listener.Kind.LOAD_BALANCER);
    assertThat(nodePort.address()).isEqualTo(ProxyFixture.NODE_ADDRESS);
    for (Listener l : List.of(clusterIp, nodePort, lb)) {
      Map<String, Integer> counts = spread(uri(l), 3000);
      assertThat(counts).as("through %s", l).containsOnlyKeys("b0", "b1", "b2");
      assertThat(counts.values()).as("through %s: %s", l, counts).allMatch(c -> c >= 750);
    }
    // The backend sees the client's address in X-Forwarded-For.
    HttpResponse<String> r =
        http.send(
            HttpRequest.newBuilder(uri(clusterIp)).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(r.body()).endsWith(" 127.0.0.1");
  }

  @Test
  void tcpAndUdpEchoServicesAreBalanced() throws Exception {
    f.write(
        service("echo", ServiceType.NodePort, port("tcp", 7000, ServicePort.Protocol.TCP, null)));
    f.write(
        service("uecho", ServiceType.ClusterIP, port("udp", 7001, ServicePort.Protocol.UDP, null)));
    for (int i = 0; i < 3; i++) {
      Backends t = Backends.tcpEcho("t" + i);
      Backends u = Backends.udpEcho("u" + i);
      backends.add(t);
      backends.add(u);
      f.write(instance("echo-" + i, "echo", t.port(), "tcp"));
      f.write(instance("uecho-" + i, "uecho", u.port(), "udp"));
    }
    f.awaitEndpoints("echo", 3);
    f.awaitEndpoints("uecho", 3);
    for (Listener.Kind kind : List.of(Listener.Kind.CLUSTER_IP, Listener.Kind.NODE_PORT)) {
      Listener l = f.awaitListener("echo", kind);
      Map<String, Integer> counts = new TreeMap<>();
      for (int i = 0; i < 60; i++) {
        try (Socket s = new Socket(l.address(), l.port())) {
          s.setSoTimeout(5000);
          OutputStream out = s.getOutputStream();
          out.write(("hello " + i).getBytes(StandardCharsets.UTF_8));
          s.shutdownOutput(); // half-close: the answer must still come back
          InputStream in = s.getInputStream();
          String answer = new String(in.readAllBytes(), StandardCharsets.UTF_8);
          assertThat(answer).endsWith(":hello " + i);
          counts.merge(answer.substring(0, 2), 1, Integer::sum);
        }
      }
      assertThat(counts).as("TCP through %s", l).containsOnlyKeys("t0", "t1", "t2");
      assertThat(counts.values()).as("%s", counts).allMatch(c -> c >= 15);
    }
    Listener ul = f.awaitListener("uecho", Listener.Kind.CLUSTER_IP);
    Map<String, Integer> counts = new TreeMap<>();
    for (int i = 0; i < 60; i++) {
      try (DatagramSocket ds = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
        ds.setSoTimeout(5000);
        byte[] q = ("ping " + i).getBytes(StandardCharsets.UTF_8);
        InetAddress to = InetAddress.getByName(ul.address());
        for (int k = 0; k < 2; k++) { // two datagrams of one flow go to one endpoint
          ds.send(new DatagramPacket(q, q.length, to, ul.port()));
        }
        String first = receive(ds);
        String second = receive(ds);
        assertThat(first).endsWith(":ping " + i);
        assertThat(second).isEqualTo(first);
        counts.merge(first.substring(0, 2), 1, Integer::sum);
      }
    }
    assertThat(counts).as("UDP").containsOnlyKeys("u0", "u1", "u2");
    assertThat(counts.values()).as("%s", counts).allMatch(c -> c >= 10);
  }

  private static String receive(DatagramSocket ds) throws Exception {
    byte[] buf = new byte[2048];
    DatagramPacket p = new DatagramPacket(buf, buf.length);
    ds.receive(p);
    return new String(buf, 0, p.getLength(), StandardCharsets.UTF_8);
  }

  @Test
  void killingABackendUnderLoadFailsAtMostTheRequestsInFlight() throws Exception {
    f.write(
        service(
            "web", ServiceType.ClusterIP, port("http", 8080, ServicePort.Protocol.TCP, "http")));
    List<Backends> b = httpBackends("web", 3);
    f.awaitEndpoints("web", 3);
    URI target = uri(f.awaitListener("web", Listener.Kind.CLUSTER_IP));
    // 200 requests a second over keep-alive connections; kill b1 after 1.5 s, go on for 2.5 s.
    HttpRequest req = HttpRequest.newBuilder(target).timeout(Duration.ofSeconds(5)).build();
    Load load;
    long killedAt;
    try (Load running =
        Load.start(
            200,
            2_000,
            () -> {
              HttpResponse<String> r = http.send(req, HttpResponse.BodyHandlers.ofString());
              if (r.statusCode() != 200) {
                throw new IllegalStateException("status " + r.statusCode() + ": " + r.body());
              }
              return r.body().split(" ")[0];
            })) {
      load = running;
      Thread.sleep(1500);
      killedAt = System.nanoTime();
      b.get(1).close();
      Thread.sleep(2500);
      load.stop();
    }
    long late =
        load.failures().stream().filter(t -> t - killedAt > TimeUnit.SECONDS.toNanos(1)).count();
    System.out.printf(
        "kill under load (200 req/s): %d sent, %d failed %s, served %s%n",
        load.sent(), load.failures().size(), load.failureReasons(), load.served());
    assertThat(late)
        .as("failures later than 1 s after the kill: %s", load.failureReasons())
        .isZero();
    assertThat(load.failures().size())
        .as("failures: at most the requests in flight at the kill")
        .isLessThanOrEqualTo(10);
    assertThat(load.served()).containsKeys("b0", "b1", "b2");
    assertThat(load.sent()).as("requests sent").isGreaterThan(600);
  }
}
