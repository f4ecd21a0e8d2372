package io.meridian.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpServer;
import io.meridian.api.Instance;
import io.meridian.api.InstanceSpec;
import io.meridian.api.IntOrString;
import io.meridian.api.ObjectMeta;
import io.meridian.api.Service;
import io.meridian.api.ServicePort;
import io.meridian.api.ServiceSpec;
import io.meridian.api.ServiceType;
import io.meridian.registry.RegistryConfig;
import io.meridian.registry.RegistryServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Requests by service name, against a real registry and real HTTP backends on loopback ports.
 * Service {@code web} (port {@code http} 80) has three instances, web-0..2, each a backend that
 * answers with its own name.
 */
class MeridianHttpClientTest {

  private static final Duration WAIT = Duration.ofSeconds(10);
  private static final Duration POLL = Duration.ofMillis(20);

  /** Plenty of retries, so that the tests of what is retried do not run out of budget. */
  private static final RetryBudget GENEROUS = RetryBudget.of(1, 1000, System::nanoTime);

  @TempDir Path dataDir;

  private final List<AutoCloseable> toClose = new ArrayList<>();
  private final HttpClient http =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(2))
          .build();
  private final List<Backend> web = new ArrayList<>();
  private RegistryServer registry;
  private MeridianClient client;

  /** One HTTP server on 127.0.0.1: answers with its name, counting requests by method. */
  private static final class Backend implements AutoCloseable {
    final String name;
    final HttpServer server;
    final AtomicInteger gets = new AtomicInteger();
    final AtomicInteger posts = new AtomicInteger();
    volatile int getStatus = 200;
    volatile int postStatus = 200;
    volatile String lastBody = "";
    volatile String lastHost = "";
    volatile String lastRawUri = "";

    Backend(String name) throws IOException {
      this.name = name;
      this.server =
          HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
      server.createContext(
          "/",
          exchange -> {
            try (InputStream in = exchange.getRequestBody()) {
              lastBody = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            }
            lastHost = exchange.getRequestHeaders().getFirst("Host");
            lastRawUri = exchange.getRequestURI().toString();
            int status;
            if (exchange.getRequestMethod().equals("POST")) {
              posts.incrementAndGet();
              status = postStatus;
            } else {
              gets.incrementAndGet();
              status = getStatus;
            }
            byte[] body = name.getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(status, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
          });
      server.start();
    }

    int port() {
      return server.getAddress().getPort();
    }

    int requests() {
      return gets.get() + posts.get();
    }

    @Override
    public void close() {
      server.stop(0);
    }
  }

  @BeforeEach
  void startRegistryBackendsAndClient() throws Exception {
    registry =
        RegistryServer.create(
            RegistryConfig.builder(dataDir)
                .port(0)
                .fsync(false)
                .bookmarkInterval(Duration.ofMillis(300))
                .build());
    toClose.add(registry);
    registry.start().get(WAIT.toSeconds(), TimeUnit.SECONDS);
    putService("web", port("http", 80));
    for (int i = 0; i < 3; i++) {
      Backend b = backend("web-" + i);
      web.add(b);
      putInstance("web", b.name, Map.of("http", b.port()));
    }
    client = MeridianClient.connect(registry.uri());
    toClose.add(client);
    awaitEndpoints("web", 3);
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

  // ---- fixtures -----------------------------------------------------------------------------

  private Backend backend(String name) throws IOException {
    Backend b = new Backend(name);
    toClose.add(b);
    return b;
  }

  private static ServicePort port(String name, int number) {
    return new ServicePort(name, null, number, IntOrString.of(name), null, null);
  }

  private void putService(String name, ServicePort... ports) throws Exception {
    Service s =
        new Service(
            ObjectMeta.of("default", name),
            ServiceSpec.of(ServiceType.ClusterIP, Map.of("app", name), List.of(ports)));
    registry.resources().write(s, false).get(WAIT.toSeconds(), TimeUnit.SECONDS);
  }

  private void putInstance(String app, String name, Map<String, Integer> ports) throws Exception {
    Instance i =
        new Instance(
            ObjectMeta.of("default", name, Map.of("app", app)),
            InstanceSpec.of("127.0.0.1", ports));
    registry.resources().write(i, false).get(WAIT.toSeconds(), TimeUnit.SECONDS);
  }

  private void awaitEndpoints(String service, int count) {
    await()
        .atMost(WAIT)
        .pollInterval(POLL)
        .until(
            () ->
                client.watch().current() != null
                    && client.watch().current().endpoints("default", service).size() == count);
  }

  private MeridianHttpClient meridianHttp(Consumer<MeridianHttpClient.Builder> options) {
    MeridianHttpClient.Builder b = MeridianHttpClient.builder(client).httpClient(http);
    options.accept(b);
    MeridianHttpClient m = b.build();
    toClose.add(m);
    return m;
  }

  /** Keeps every endpoint picked however it fails, so that failures are seen on every request. */
  private MeridianHttpClient withoutOutlierDetection(RetryBudget budget) {
    return meridianHttp(b -> b.retryBudget(budget).balancerOptions(o -> o.outlierDetection(null)));
  }

  private static HttpResponse<String> get(MeridianHttpClient m, String uri) throws Exception {
    return m.send(
        HttpRequest.newBuilder(URI.create(uri)).build(), HttpResponse.BodyHandlers.ofString());
  }

  private static HttpResponse<String> post(MeridianHttpClient m, String uri, String body)
      throws Exception {
    return m.send(
        HttpRequest.newBuilder(URI.create(uri))
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private int totalGets() {
    return web.stream().mapToInt(b -> b.gets.get()).sum();
  }

  private int totalPosts() {
    return web.stream().mapToInt(b -> b.posts.get()).sum();
  }

  // ---- balancing ----------------------------------------------------------------------------

  @Test
  void getsByServiceNameSpreadOverAllThreeBackends() throws Exception {
    MeridianHttpClient m = meridianHttp(b -> {});
    Map<String, Integer> answeredBy = new HashMap<>();

    for (int i = 0; i < 300; i++) {
      HttpResponse<String> r = get(m, "http://web.default/x");
      assertThat(r.statusCode()).isEqualTo(200);
      answeredBy.merge(r.body(), 1, Integer::sum);
    }

    assertThat(answeredBy).containsOnlyKeys("web-0", "web-1", "web-2");
    assertThat(answeredBy.values()).allSatisfy(n -> assertThat(n).isGreaterThanOrEqualTo(75));
    assertThat(totalGets()).as("nothing retried").isEqualTo(300);
    for (Backend b : web) {
      assertThat(b.gets.get()).isEqualTo(answeredBy.get(b.name));
    }
  }

  @Test
  void everyFormOfTheServicesHostNameReachesItsBackendsWithTheEndpointAsHost() throws Exception {
    MeridianHttpClient m = meridianHttp(b -> {});

    for (String host :
        List.of(
            "web",
            "web.default",
            "web.default.svc",
            "web.default.svc.cluster.local",
            "WEB.Default")) {
      HttpResponse<String> r = get(m, "http://" + host + "/x?q=1");
      assertThat(r.statusCode()).as(host).isEqualTo(200);
      Backend b = web.stream().filter(w -> w.name.equals(r.body())).findFirst().orElseThrow();
      assertThat(b.lastHost).as(host).isEqualTo("127.0.0.1:" + b.port());
    }
    assertThat(totalGets()).isEqualTo(5);
  }

  @Test
  void aPercentEncodedPathAndQueryReachTheBackendAsWritten() throws Exception {
    MeridianHttpClient m = meridianHttp(b -> {});

    HttpResponse<String> r = get(m, "http://web.default/files/a%2Fb?q=x%26y%3Dz&n=1%2B1");

    Backend b = web.stream().filter(w -> w.name.equals(r.body())).findFirst().orElseThrow();
    assertThat(b.lastRawUri).isEqualTo("/files/a%2Fb?q=x%26y%3Dz&n=1%2B1");
  }

  @Test
  void anIpLiteralIsSentAsItIs() throws Exception {
    MeridianHttpClient m = meridianHttp(b -> {});
    Backend second = web.get(1);

    for (int i = 0; i < 5; i++) {
      assertThat(get(m, "http://127.0.0.1:" + second.port() + "/x").body()).isEqualTo("web-1");
    }
    assertThat(second.gets.get()).isEqualTo(5);
  }

  @Test
  void anUnknownDottedHostIsSentAsItIsToTheJdksResolver() {
    MeridianHttpClient m = meridianHttp(b -> {});

    assertThatThrownBy(() -> get(m, "http://nosuch.example/x"))
        .isInstanceOf(ConnectException.class)
        .isNotInstanceOf(NoEndpointException.class);
    assertThat(totalGets()).isZero();
  }

  @Test
  void anUnknownServiceUnderSvcIsANoEndpointExceptionNamingIt() {
    MeridianHttpClient m = meridianHttp(b -> {});

    assertThatThrownBy(() -> get(m, "http://nosuch.default.svc/x"))
        .isInstanceOf(NoEndpointException.class)
        .hasMessageContaining("default/nosuch")
        .hasMessageContaining("does not exist");
    assertThatThrownBy(() -> get(m, "http://nosuch.default.svc.cluster.local/x"))
        .isInstanceOf(NoEndpointException.class)
        .hasMessageContaining("default/nosuch");
  }

  @Test
  void anUnknownServiceUnderSvcIsANoEndpointExceptionWhateverTheHostsCase() {
    MeridianHttpClient m = meridianHttp(b -> {});

    assertThatThrownBy(() -> get(m, "http://nosuch.default.SVC/x"))
        .isInstanceOf(NoEndpointException.class)
        .hasMessageContaining("default/nosuch");
  }

  @Test
  void aPortNumberInTheUriSelectsThatServicePort() throws Exception {
    Backend main = backend("multi-http");
    Backend admin = backend("multi-admin");
    putService("multi", port("http", 80), port("admin", 81));
    putInstance("multi", "multi-0", Map.of("http", main.port(), "admin", admin.port()));
    awaitEndpoints("multi", 1);
    MeridianHttpClient m = meridianHttp(b -> {});

    assertThat(get(m, "http://multi.default:81/x").body()).isEqualTo("multi-admin");
    assertThat(get(m, "http://multi.default:80/x").body()).isEqualTo("multi-http");
    assertThat(get(m, "http://multi.default/x").body())
        .as("no port: the one named like the scheme")
        .isEqualTo("multi-http");
    assertThatThrownBy(() -> get(m, "http://multi.default:82/x"))
        .isInstanceOf(NoEndpointException.class)
        .hasMessageContaining("default/multi")
        .hasMessageContaining("82");
    assertThat(admin.gets.get()).isEqualTo(1);
    assertThat(main.gets.get()).isEqualTo(2);
  }

  // ---- retries ------------------------------------------------------------------------------

  @Test
  void aGetAnswered503IsRetriedOnAnotherBackend() throws Exception {
    web.get(0).getStatus = 503;
    MeridianHttpClient m = withoutOutlierDetection(GENEROUS);

    for (int i = 0; i < 30; i++) {
      HttpResponse<String> r = get(m, "http://web.default/x");
      assertThat(r.statusCode()).isEqualTo(200);
      assertThat(r.body()).isNotEqualTo("web-0");
    }

    assertThat(web.get(0).gets.get()).as("tried first about a third of the time").isBetween(5, 16);
    assertThat(web.get(1).gets.get() + web.get(2).gets.get()).isEqualTo(30);
  }

  @Test
  void aGetAnsweredOnly503IsTriedOnEachBackendOnceAndItsLast503Returned() throws Exception {
    web.forEach(b -> b.getStatus = 503);
    MeridianHttpClient m = meridianHttp(b -> b.retryBudget(GENEROUS));

    HttpResponse<String> r = get(m, "http://web.default/x");

    assertThat(r.statusCode()).isEqualTo(503);
    assertThat(r.body()).startsWith("web-");
    assertThat(web).allSatisfy(b -> assertThat(b.gets.get()).as(b.name).isEqualTo(1));
  }

  @Test
  void aPostAnswered503IsReturnedAndNotRetried() throws Exception {
    web.forEach(b -> b.postStatus = 503);
    MeridianHttpClient m = meridianHttp(b -> b.retryBudget(GENEROUS));

    HttpResponse<String> r = post(m, "http://web.default/x", "order-1");

    assertThat(r.statusCode()).isEqualTo(503);
    assertThat(totalPosts()).isEqualTo(1);
  }

  @Test
  void aRefusedConnectionIsRetriedForGetsAndPostsAlike() throws Exception {
    Backend live = backend("flaky-live");
    int dead = closedPort();
    putService("flaky", port("http", 80));
    putInstance("flaky", "flaky-live", Map.of("http", live.port()));
    putInstance("flaky", "flaky-dead", Map.of("http", dead));
    awaitEndpoints("flaky", 2);
    MeridianHttpClient m = withoutOutlierDetection(GENEROUS);

    for (int i = 0; i < 20; i++) {
      assertThat(get(m, "http://flaky.default/x").body()).isEqualTo("flaky-live");
      HttpResponse<String> p = post(m, "http://flaky.default/x", "order-" + i);
      assertThat(p.statusCode()).isEqualTo(200);
      assertThat(live.lastBody).as("the body is sent again").isEqualTo("order-" + i);
    }
    assertThat(live.gets.get()).isEqualTo(20);
    assertThat(live.posts.get()).isEqualTo(20);
  }

  @Test
  void withRetryBudgetNoneNothingIsRetried() throws Exception {
    web.forEach(b -> b.getStatus = 503);
    MeridianHttpClient m =
        meridianHttp(
            b -> b.retryBudget(RetryBudget.none()).balancerOptions(o -> o.outlierDetection(null)));

    assertThat(get(m, "http://web.default/x").statusCode()).isEqualTo(503);
    assertThat(totalGets()).isEqualTo(1);
  }

  @Test
  void withRetryBudgetNoneARefusedConnectionReachesTheCaller() throws Exception {
    Backend live = backend("flaky-live");
    putService("flaky", port("http", 80));
    putInstance("flaky", "flaky-live", Map.of("http", live.port()));
    putInstance("flaky", "flaky-dead", Map.of("http", closedPort()));
    awaitEndpoints("flaky", 2);
    MeridianHttpClient m = withoutOutlierDetection(RetryBudget.none());

    int refused = 0;
    for (int i = 0; i < 10; i++) {
      try {
        get(m, "http://flaky.default/x");
      } catch (ConnectException e) {
        refused++;
      }
    }

    assertThat(refused).as("round robin over two: every other request").isEqualTo(5);
    assertThat(live.gets.get()).isEqualTo(5);
  }

  @Test
  void withMaxAttemptsOneNothingIsRetried() throws Exception {
    web.forEach(b -> b.getStatus = 503);
    MeridianHttpClient m = meridianHttp(b -> b.retryBudget(GENEROUS).maxAttempts(1));

    assertThat(get(m, "http://web.default/x").statusCode()).isEqualTo(503);
    assertThat(totalGets()).isEqualTo(1);
  }

  @Test
  void maxAttemptsOutside1To10IsRefused() {
    assertThatThrownBy(() -> MeridianHttpClient.builder(client).maxAttempts(0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("maxAttempts");
    assertThatThrownBy(() -> MeridianHttpClient.builder(client).maxAttempts(11))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("maxAttempts");
  }

  private static int closedPort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }
}
