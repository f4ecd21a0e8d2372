package io.meridian.proxy.admin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpServer;
import io.meridian.client.MeridianClient;
import io.meridian.proxy.DataPlane;
import io.meridian.proxy.DataPlaneConfig;
import io.meridian.proxy.Listener;
import io.meridian.proxy.ProxySettings;
import io.meridian.proxy.Route;
import io.meridian.proxy.Transport;
import io.meridian.registry.RegistryConfig;
import io.meridian.registry.RegistryServer;
import io.netty.channel.EventLoopGroup;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
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
import java.util.OptionalDouble;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The admin port over real sockets, describing a real data plane that follows an in-process
 * registry and proxies to a real backend.
 */
class AdminServerTest {

  private static final Duration WAIT = Duration.ofSeconds(20);
  private static final int SERVICE_PORT = 18080;
  private static final Map<String, String> WEB =
      Map.of(
          "role", "agent",
          "cluster", "default/web:http",
          "service", "default/web",
          "port", "http");

  @TempDir Path dataDir;

  private final List<AutoCloseable> toClose = new ArrayList<>();
  private final HttpClient http =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(5))
          .build();
  private RegistryServer registry;
  private MeridianClient client;
  private EventLoopGroup group;
  private DataPlane plane;
  private AdminServer admin;
  private String clusterIp;

  @BeforeEach
  void startEverything() throws Exception {
    HttpServer backend = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    backend.createContext(
        "/",
        ex -> {
          byte[] body = "hello".getBytes(StandardCharsets.UTF_8);
          ex.sendResponseHeaders(200, body.length);
          try (OutputStream o = ex.getResponseBody()) {
            o.write(body);
          }
        });
    backend.start();
    toClose.add(() -> backend.stop(0));

    registry =
        RegistryServer.create(
            RegistryConfig.builder(dataDir)
                .port(0)
                .fsync(false)
                .serviceCidr("127.100.0.0/16")
                .build());
    toClose.add(registry);
    registry.start().get(WAIT.toSeconds(), TimeUnit.SECONDS);
    putService("web");
    putInstance("web", "web-1", backend.getAddress().getPort());

    client = MeridianClient.connect(registry.uri());
    toClose.add(client);
    group = Transport.best().group(1);
    toClose.add(() -> group.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly());
    plane =
        new DataPlane(
            client,
            new DataPlaneConfig(
                DataPlaneConfig.Role.AGENT, "node-1", List.of("127.0.0.1"), List.of(), true),
            ProxySettings.DEFAULTS,
            Transport.best(),
            group,
            false);
    toClose.add(plane);
    plane.start().get(WAIT.toSeconds(), TimeUnit.SECONDS);
    await().atMost(WAIT).until(() -> webListener() != null && plane.bindErrors().isEmpty());
    clusterIp = webListener().address();
    assertThat(clusterIp).startsWith("127.100.");

    admin = startAdmin(List.of(plane));
  }

  @AfterEach
  void closeEverything() {
    for (int i = toClose.size() - 1; i >= 0; i--) {
      try {
        toClose.get(i).close();
      } catch (Exception e) {
        // keep closing the rest
      }
    }
    http.shutdownNow();
  }

  @Test
  void readyzAnswersReadyOnceTheFirstSnapshotIsAppliedAndHealthzAlwaysOk() throws Exception {
    HttpResponse<String> ready = get("/readyz");
    assertThat(ready.statusCode()).isEqualTo(200);
    assertThat(ready.body()).isEqualTo("ready\n");

    HttpResponse<String> health = get("/healthz");
    assertThat(health.statusCode()).isEqualTo(200);
    assertThat(health.body()).isEqualTo("ok\n");
  }

  @Test
  void readyzAnswers503WithTheReasonWhileAPlaneHasNoSnapshotYet() throws Exception {
    DataPlane unstarted =
        new DataPlane(
            client,
            new DataPlaneConfig(DataPlaneConfig.Role.EDGE, "node-1", List.of(), List.of(), false),
            ProxySettings.DEFAULTS,
            Transport.best(),
            group,
            false);
    toClose.add(unstarted);
    admin = startAdmin(List.of(plane, unstarted));

    HttpResponse<String> r = get("/readyz");

    assertThat(r.statusCode()).isEqualTo(503);
    assertThat(r.body()).isEqualTo("edge: waiting for the first snapshot from the registry\n");
  }

  @Test
  void metricsDescribeTheClusterAndItsListenerWithTheirTags() throws Exception {
    HttpResponse<String> proxied =
        http.send(
            HttpRequest.newBuilder(URI.create("http://" + clusterIp + ":" + SERVICE_PORT + "/"))
                .timeout(WAIT)
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(proxied.body()).isEqualTo("hello");

    HttpResponse<String> r = get("/metrics");

    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.headers().firstValue("content-type"))
        .hasValue("text/plain; version=0.0.4; charset=utf-8");
    String m = r.body();
    assertThat(value(m, "meridian_proxy_upstream_requests_total", WEB)).hasValue(1);
    assertThat(value(m, "meridian_proxy_upstream_responses_total", with(WEB, "class", "2xx")))
        .hasValue(1);
    assertThat(value(m, "meridian_proxy_upstream_responses_total", with(WEB, "class", "none")))
        .hasValue(0);
    assertThat(value(m, "meridian_proxy_upstream_connect_failures_total", WEB)).hasValue(0);
    assertThat(value(m, "meridian_proxy_upstream_retries_total", WEB)).hasValue(0);
    assertThat(value(m, "meridian_proxy_upstream_unavailable_total", WEB)).hasValue(0);
    assertThat(value(m, "meridian_proxy_upstream_in_flight", WEB)).hasValue(0);
    assertThat(value(m, "meridian_proxy_upstream_active_connections", WEB)).isPresent();
    assertThat(value(m, "meridian_proxy_upstream_bytes_sent_total", WEB)).isPresent();
    assertThat(value(m, "meridian_proxy_upstream_bytes_received_total", WEB)).isPresent();
    assertThat(value(m, "meridian_proxy_upstream_endpoints", with(WEB, "state", "healthy")))
        .hasValue(1);
    assertThat(value(m, "meridian_proxy_upstream_endpoints", with(WEB, "state", "excluded")))
        .hasValue(0);
    assertThat(value(m, "meridian_proxy_upstream_request_duration_seconds_count", WEB)).hasValue(1);
    assertThat(
            value(
                m,
                "meridian_proxy_upstream_request_duration_seconds_bucket",
                with(WEB, "le", "+Inf")))
        .hasValue(1);
    assertThat(value(m, "meridian_proxy_upstream_request_duration_seconds_sum", WEB)).isPresent();
    assertThat(
            value(
                m,
                "meridian_proxy_listener_active_connections",
                Map.of(
                    "role", "agent",
                    "listener", "TCP " + clusterIp + ":" + SERVICE_PORT,
                    "kind", "cluster-ip")))
        .isPresent();
    assertThat(value(m, "meridian_proxy_client_connections", Map.of("role", "agent"))).isPresent();
    assertThat(value(m, "meridian_proxy_registry_connected", Map.of())).hasValue(1);
  }

  @Test
  void dumpListsEachPlaneUnderItsRoleWithItsListenerAndCluster() throws Exception {
    HttpResponse<String> r = get("/dump");

    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body())
        .startsWith("== agent (node node-1) ==\nlisteners (1):\n")
        .contains("TCP " + clusterIp + ":" + SERVICE_PORT + " cluster-ip -> default/web:http http")
        .contains("clusters (1):\n  default/web:http ");
  }

  @Test
  void theIndexListsThePages() throws Exception {
    HttpResponse<String> r = get("/");

    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body()).contains("/metrics", "/healthz", "/readyz", "/dump");
  }

  @Test
  void unknownPathsAre404AndOtherMethods405InPlainText() throws Exception {
    HttpResponse<String> missing = get("/nope");
    assertThat(missing.statusCode()).isEqualTo(404);
    assertThat(missing.headers().firstValue("content-type")).hasValue("text/plain; charset=utf-8");
    assertThat(missing.body()).isEqualTo("no such page; see /\n");

    HttpResponse<String> post = send("POST", "/metrics", "x");
    assertThat(post.statusCode()).isEqualTo(405);
    assertThat(post.headers().firstValue("allow")).hasValue("GET");
    assertThat(post.body()).isEqualTo("only GET is allowed here\n");

    assertThat(send("DELETE", "/readyz", null).statusCode()).isEqualTo(405);
  }

  @Test
  void oversizedBodiesAndHeadersAreRefusedWithoutAStackTrace() throws Exception {
    String tooLongBody = raw("POST /metrics HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\n");
    assertThat(tooLongBody).startsWith("HTTP/1.1 413 ");
    assertThat(tooLongBody).endsWith("request body larger than 65536 bytes\n");

    String tooLongHeaders =
        raw("GET /metrics HTTP/1.1\r\nHost: x\r\nX-Big: " + "a".repeat(10_000) + "\r\n\r\n");
    assertThat(tooLongHeaders).startsWith("HTTP/1.1 431 ");
    assertThat(tooLongHeaders).doesNotContain("Exception", "\tat ");

    String garbage = raw("NONSENSE\r\n\r\n");
    assertThat(garbage).startsWith("HTTP/1.1 400 ").doesNotContain("Exception");
  }

  @Test
  void aClusterRemovedFromTheRegistryDisappearsFromMetrics() throws Exception {
    assertThat(get("/metrics").body()).contains("cluster=\"default/web:http\"");

    send(registry.uri(), "DELETE", "/api/v1/namespaces/default/services/web", null);

    await()
        .atMost(WAIT)
        .untilAsserted(
            () ->
                assertThat(get("/metrics").body())
                    .doesNotContain("cluster=\"default/web:http\"")
                    .doesNotContain(clusterIp + ":" + SERVICE_PORT));
    assertThat(get("/readyz").statusCode()).isEqualTo(200);
  }

  // ---- helpers --------------------------------------------------------------------------------

  private AdminServer startAdmin(List<DataPlane> planes) throws Exception {
    AdminServer a = new AdminServer("127.0.0.1", 0, planes, () -> client.watch().connected());
    toClose.add(a);
    return a.start().get(WAIT.toSeconds(), TimeUnit.SECONDS);
  }

  private Listener webListener() {
    for (Route r : plane.routes()) {
      if (r.listener().kind() == Listener.Kind.CLUSTER_IP && r.listener().port() == SERVICE_PORT) {
        return r.listener();
      }
    }
    return null;
  }

  private URI adminUri() {
    return URI.create("http://127.0.0.1:" + admin.address().getPort());
  }

  private HttpResponse<String> get(String path) throws Exception {
    return send("GET", path, null);
  }

  private HttpResponse<String> send(String method, String path, String body) throws Exception {
    return send(adminUri(), method, path, body);
  }

  private HttpResponse<String> send(URI base, String method, String path, String body)
      throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(base.resolve(path))
            .timeout(WAIT)
            .header("Content-Type", "application/json");
    b =
        body == null
            ? b.method(method, HttpRequest.BodyPublishers.noBody())
            : b.method(method, HttpRequest.BodyPublishers.ofString(body));
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  private void putService(String name) throws Exception {
    HttpResponse<String> r =
        send(
            registry.uri(),
            "PUT",
            "/api/v1/namespaces/default/services/" + name,
            """
            {"apiVersion":"v1","kind":"Service","metadata":{"name":"%s","namespace":"default"},
             "spec":{"selector":{"app":"%s"},"ports":[{"name":"http","port":%d,
               "targetPort":"http","appProtocol":"http"}]}}
            """
                .formatted(name, name, SERVICE_PORT));
    assertThat(r.statusCode()).as(r.body()).isBetween(200, 299);
  }

  private void putInstance(String service, String name, int port) throws Exception {
    HttpResponse<String> r =
        send(
            registry.uri(),
            "PUT",
            "/api/v1/namespaces/default/instances/" + name,
            """
            {"apiVersion":"meridian.io/v1","kind":"Instance",
             "metadata":{"name":"%s","labels":{"app":"%s"}},
             "spec":{"address":"127.0.0.1","ports":{"http":%d}}}
            """
                .formatted(name, service, port));
    assertThat(r.statusCode()).as(r.body()).isBetween(200, 299);
  }

  /** Sends raw bytes to the admin port and reads the answer until the server closes. */
  private String raw(String request) throws Exception {
    try (Socket s = new Socket("127.0.0.1", admin.address().getPort())) {
      s.setSoTimeout((int) WAIT.toMillis());
      s.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
      s.getOutputStream().flush();
      InputStream in = s.getInputStream();
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      byte[] buf = new byte[4096];
      for (int n; (n = in.read(buf)) >= 0; ) {
        out.write(buf, 0, n);
      }
      return out.toString(StandardCharsets.UTF_8);
    }
  }

  private static Map<String, String> with(Map<String, String> labels, String k, String v) {
    Map<String, String> out = new java.util.HashMap<>(labels);
    out.put(k, v);
    return out;
  }

  /**
   * The value of the series named {@code name} whose labels are exactly {@code labels}, from
   * Prometheus text format, if there is one.
   */
  private static OptionalDouble value(String text, String name, Map<String, String> labels) {
    for (String line : text.split("\n")) {
      if (line.startsWith("#") || line.isBlank()) {
        continue;
      }
      int brace = line.indexOf('{');
      int space = line.lastIndexOf(' ');
      String n = brace >= 0 ? line.substring(0, brace) : line.substring(0, space);
      if (!n.equals(name)) {
        continue;
      }
      Map<String, String> got = new java.util.HashMap<>();
      if (brace >= 0) {
        String inner = line.substring(brace + 1, line.lastIndexOf('}'));
        for (String pair : inner.split("\",")) {
          int eq = pair.indexOf('=');
          String v = pair.substring(eq + 1);
          v = v.startsWith("\"") ? v.substring(1) : v;
          v = v.endsWith("\"") ? v.substring(0, v.length() - 1) : v;
          got.put(pair.substring(0, eq), v);
        }
      }
      if (got.equals(labels)) {
        return OptionalDouble.of(Double.parseDouble(line.substring(space + 1)));
      }
    }
    return OptionalDouble.empty();
  }
}
