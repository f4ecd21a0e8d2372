package io.meridian.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpServer;
import io.meridian.testkit.MeridianProcess;
import io.meridian.testkit.TempFiles;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 5's bar 1, through the real {@code meridian dev} process: three HTTP backends of a
 * LoadBalancer service each get at least a quarter of 3,000 requests sent to the ClusterIP, to the
 * NodePort on 127.0.0.1 and to the LoadBalancer ingress IP; a TCP echo service and a UDP echo
 * service are balanced the same way; the admin port answers {@code /readyz} and {@code /metrics}.
 */
class DevProxyIT {

  private static final Duration WAIT = Duration.ofSeconds(30);

  private MeridianProcess dev;
  private Path data;
  private final List<AutoCloseable> backends = new ArrayList<>();
  private final ExecutorService pool = Executors.newCachedThreadPool();
  private final HttpClient http =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(2))
          .build();

  @BeforeEach
  void startDev() throws IOException {
    data = Files.createTempDirectory("meridian-dev-proxy-");
    dev =
        MeridianProcess.start(
            "dev",
            "--port",
            "0",
            "--dns-port",
            "-1",
            "--admin-port",
            "0",
            "--data-dir",
            data.toString());
  }

  @AfterEach
  void stopAll() throws Exception {
    for (AutoCloseable b : backends) {
      b.close();
    }
    pool.shutdownNow();
    if (dev != null) {
      dev.close();
    }
    if (data != null) {
      TempFiles.deleteTree(data);
    }
  }

  private HttpResponse<String> put(String path, String json) throws Exception {
    return http.send(
        HttpRequest.newBuilder(dev.uri().resolve(path))
            .header("Content-Type", "application/json")
            .PUT(HttpRequest.BodyPublishers.ofString(json))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private String get(URI uri) throws Exception {
    return http.send(
            HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(5)).build(),
            HttpResponse.BodyHandlers.ofString())
        .body();
  }

  private void instance(String name, String app, String portName, int port) throws Exception {
    HttpResponse<String> r =
        put(
            "/api/v1/namespaces/default/instances/" + name,
            "{\"apiVersion\":\"meridian.io/v1\",\"kind\":\"Instance\",\"metadata\":{\"name\":\""
                + name
                + "\",\"labels\":{\"app\":\""
                + app
                + "\"}},\"spec\":{\"address\":\"127.0.0.1\",\"ports\":{\""
                + portName
                + "\":"
                + port
                + "}}}");
    assertThat(r.statusCode()).as(r.body()).isIn(200, 201);
  }

  /** Applies a service and returns it as the registry allocated it (JSON). */
  private String service(String name, String type, String ports) throws Exception {
    HttpResponse<String> r =
        put(
            "/api/v1/namespaces/default/services/" + name,
            "{\"metadata\":{\"name\":\""
                + name
                + "\"},\"spec\":{\"type\":\""
                + type
                + "\",\"selector\":{\"app\":\""
                + name
                + "\"},\"ports\":["
                + ports
                + "]}}");
    assertThat(r.statusCode()).as(r.body()).isIn(200, 201);
    return r.body();
  }

  private static String field(String json, String regex) {
    Matcher m = Pattern.compile(regex).matcher(json);
    assertThat(m.find()).as(regex + " in " + json).isTrue();
    return m.group(1);
  }

  private Map<String, Integer> spread(URI uri, int n) throws Exception {
    // The data plane applies the registry's change within moments: wait for a first answer.
    await().atMost(WAIT).ignoreExceptions().until(() -> get(uri).startsWith("b"));
    Map<String, Integer> counts = new TreeMap<>();
    for (int i = 0; i < n; i++) {
      counts.merge(get(uri).split(" ")[0], 1, Integer::sum);
    }
    return counts;
  }

  @Test
  void httpTcpAndUdpServicesAreBalancedThroughClusterIpNodePortAndLoadBalancerIp()
      throws Exception {
    String web =
        service(
            "web",
            "LoadBalancer",
            "{\"name\":\"http\",\"port\":8080,\"targetPort\":\"http\",\"appProtocol\":\"http\"}");
    for (int i = 0; i < 3; i++) {
      instance("web-" + i, "web", "http", httpBackend("b" + i));
    }
    String clusterIp = field(web, "\"clusterIP\":\"([0-9.]+)\"");
    String nodePort = field(web, "\"nodePort\":(\\d+)");
    String lbIp =
        await()
            .atMost(WAIT)
            .until(
                () -> get(dev.uri().resolve("/api/v1/namespaces/default/services/web")),
                s -> s.contains("\"ingress\""));
    lbIp = field(lbIp, "\"ingress\":\\[\\{\"ip\":\"([0-9.]+)\"");
    assertThat(clusterIp).startsWith("127.96.");
    assertThat(lbIp).startsWith("127.97.");
    for (String base :
        List.of(
            "http://" + clusterIp + ":8080/",
            "http://127.0.0.1:" + nodePort + "/",
            "http://" + lbIp + ":8080/")) {
      Map<String, Integer> counts = spread(URI.create(base), 3000);
      System.out.println("DevProxyIT: " + base + " " + counts);
      assertThat(counts).as(base).containsOnlyKeys("b0", "b1", "b2");
      assertThat(counts.values()).as(base + " " + counts).allMatch(c -> c >= 750);
    }

    String echo =
        service("echo", "ClusterIP", "{\"name\":\"tcp\",\"port\":7000,\"targetPort\":\"tcp\"}");
    String uecho =
        service(
            "uecho",
            "ClusterIP",
            "{\"name\":\"udp\",\"port\":7001,\"protocol\":\"UDP\",\"targetPort\":\"udp\"}");
    for (int i = 0; i < 3; i++) {
      instance("echo-" + i, "echo", "tcp", tcpEcho("t" + i));
      instance("uecho-" + i, "uecho", "udp", udpEcho("u" + i));
    }
    String echoIp = field(echo, "\"clusterIP\":\"([0-9.]+)\"");
    String uechoIp = field(uecho, "\"clusterIP\":\"([0-9.]+)\"");
    await().atMost(WAIT).ignoreExceptions().until(() -> tcpCall(echoIp, 7000, "x").endsWith(":x"));
    Map<String, Integer> tcp = new TreeMap<>();
    for (int i = 0; i < 90; i++) {
      tcp.merge(tcpCall(echoIp, 7000, "m" + i).substring(0, 2), 1, Integer::sum);
    }
    assertThat(tcp).as("TCP " + tcp).containsOnlyKeys("t0", "t1", "t2");
    assertThat(tcp.values()).as("TCP " + tcp).allMatch(c -> c >= 20);
    await().atMost(WAIT).ignoreExceptions().until(() -> udpCall(uechoIp, 7001, "x").endsWith(":x"));
    Map<String, Integer> udp = new TreeMap<>();
    for (int i = 0; i < 90; i++) {
      udp.merge(udpCall(uechoIp, 7001, "m" + i).substring(0, 2), 1, Integer::sum);
    }
    assertThat(udp).as("UDP " + udp).containsOnlyKeys("u0", "u1", "u2");
    assertThat(udp.values()).as("UDP " + udp).allMatch(c -> c >= 15);

    // The admin port: ready, and counting what went through.
    String banner = dev.awaitLine(l -> l.startsWith("meridian: proxy listening on"), WAIT);
    String admin = field(banner, "admin (http://[0-9.]+:\\d+)");
    assertThat(get(URI.create(admin + "/readyz"))).startsWith("ready");
    String metrics = get(URI.create(admin + "/metrics"));
    assertThat(metrics)
        .contains("meridian_proxy_upstream_requests_total")
        .contains("default/web:http");
  }

  // ---- backends ------------------------------------------------------------------------------

  private int httpBackend(String name) throws IOException {
    HttpServer s = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    s.createContext(
        "/",
        ex -> {
          ex.getRequestBody().readAllBytes();
          byte[] body = (name + " ok").getBytes(StandardCharsets.UTF_8);
          ex.sendResponseHeaders(200, body.length);
          try (OutputStream out = ex.getResponseBody()) {
            out.write(body);
          }
        });
    s.setExecutor(pool);
    s.start();
    backends.add(() -> s.stop(0));
    return s.getAddress().getPort();
  }

  private int tcpEcho(String name) throws IOException {
    ServerSocket ss = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    backends.add(ss);
    pool.execute(
        () -> {
          while (!ss.isClosed()) {
            try (Socket c = ss.accept()) {
              byte[] in = c.getInputStream().readAllBytes();
              c.getOutputStream()
                  .write(
                      (name + ":" + new String(in, StandardCharsets.UTF_8))
                          .getBytes(StandardCharsets.UTF_8));
            } catch (IOException e) {
              // closed, or the client went away
            }
          }
        });
    return ss.getLocalPort();
  }

  private int udpEcho(String name) throws IOException {
    DatagramSocket ds = new DatagramSocket(0, InetAddress.getLoopbackAddress());
    backends.add(ds);
    pool.execute(
        () -> {
          byte[] buf = new byte[1500];
          while (!ds.isClosed()) {
            try {
              DatagramPacket p = new DatagramPacket(buf, buf.length);
              ds.receive(p);
              byte[] out =
                  (name + ":" + new String(buf, 0, p.getLength(), StandardCharsets.UTF_8))
                      .getBytes(StandardCharsets.UTF_8);
              ds.send(new DatagramPacket(out, out.length, p.getSocketAddress()));
            } catch (IOException e) {
              return;
            }
          }
        });
    return ds.getLocalPort();
  }

  private static String tcpCall(String ip, int port, String text) throws IOException {
    try (Socket s = new Socket(ip, port)) {
      s.setSoTimeout(5000);
      s.getOutputStream().write(text.getBytes(StandardCharsets.UTF_8));
      s.shutdownOutput();
      InputStream in = s.getInputStream();
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  private static String udpCall(String ip, int port, String text) throws IOException {
    try (DatagramSocket ds = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
      ds.setSoTimeout(3000);
      byte[] q = text.getBytes(StandardCharsets.UTF_8);
      ds.send(new DatagramPacket(q, q.length, InetAddress.getByName(ip), port));
      byte[] buf = new byte[1500];
      DatagramPacket p = new DatagramPacket(buf, buf.length);
      ds.receive(p);
      return new String(buf, 0, p.getLength(), StandardCharsets.UTF_8);
    }
  }
}
