package io.meridian.proxy.it;

import static io.meridian.proxy.it.ProxyFixture.instance;
import static io.meridian.proxy.it.ProxyFixture.port;
import static io.meridian.proxy.it.ProxyFixture.service;
import static org.assertj.core.api.Assertions.assertThat;

import io.meridian.api.GoDuration;
import io.meridian.api.HealthCheck;
import io.meridian.api.ServicePort;
import io.meridian.api.ServiceType;
import io.meridian.client.Endpoint;
import io.meridian.client.ServiceKey;
import io.meridian.proxy.Listener;
import io.meridian.proxy.ProxySettings;
import io.meridian.proxy.cluster.UpstreamCluster;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicBoolean;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Active health checks ({@code spec.healthCheck}) end to end: three HTTP backends whose {@code
 * /healthz} the test turns good or bad, probed by the agent every 200 ms, and real requests through
 * the ClusterIP counting where they went.
 */
class HealthCheckTest {

  private static final HealthCheck CHECK =
      new HealthCheck(
          "http",
          "/healthz",
          null,
          GoDuration.of(Duration.ofMillis(200)),
          GoDuration.of(Duration.ofMillis(100)),
          1,
          1);

  @TempDir Path dir;

  private ProxyFixture f;
  private final List<RawHttpBackend> backends = new ArrayList<>();
  private final List<AtomicBoolean> healthy = new ArrayList<>();
  private final HttpClient http =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(2))
          .build();
  private URI target;

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

  /** Three backends b0..b2 behind a checked service; {@code good[i]} is b{i}'s first health. */
  private void web(boolean... good) throws Exception {
    f.write(
        Specs.edit(
            service(
                "web", ServiceType.ClusterIP, port("http", 8080, ServicePort.Protocol.TCP, "http")),
            s -> s.healthCheck(CHECK)));
    for (int i = 0; i < good.length; i++) {
      String name = "b" + i;
      AtomicBoolean ok = new AtomicBoolean(good[i]);
      RawHttpBackend b =
          RawHttpBackend.start(
              name,
              (req, s, in, out) -> {
                if (req.uri().startsWith("/healthz")) {
                  RawHttpBackend.respond(out, ok.get() ? 200 : 500, ok.get() ? "ok" : "sick");
                } else {
                  RawHttpBackend.respond(out, 200, name);
                }
                return true;
              });
      backends.add(b);
      healthy.add(ok);
      f.write(instance("web-" + i, "web", b.port(), "http"));
    }
    f.awaitEndpoints("web", good.length - countFalse(good));
    Listener l = f.awaitListener("web", Listener.Kind.CLUSTER_IP);
    target = URI.create("http://" + l.address() + ":" + l.port() + "/");
  }

  private static int countFalse(boolean[] v) {
    int n = 0;
    for (boolean b : v) {
      n += b ? 0 : 1;
    }
    return n == v.length ? 0 : n; // all failing: all are used
  }

  private UpstreamCluster cluster() {
    return f.agent.clusters().stream()
        .filter(c -> c.key().service().equals(ServiceKey.of("default", "web")))
        .findFirst()
        .orElseThrow();
  }

  private Endpoint endpoint(int i) {
    return new Endpoint("127.0.0.1", backends.get(i).port(), "web-" + i, "", 1);
  }

  /** Sends {@code n} requests; counts the answers by backend name. */
  private Map<String, Integer> spread(int n) throws Exception {
    Map<String, Integer> counts = new TreeMap<>();
    HttpRequest req = HttpRequest.newBuilder(target).timeout(Duration.ofSeconds(5)).build();
    for (int i = 0; i < n; i++) {
      HttpResponse<String> r = http.send(req, HttpResponse.BodyHandlers.ofString());
      assertThat(r.statusCode()).as("status of request %d: %s", i, r.body()).isEqualTo(200);
      counts.merge(r.body(), 1, Integer::sum);
    }
    return counts;
  }

  @Test
  void anEndpointFailingItsCheckGetsNoTrafficUntilItPassesAgain() throws Exception {
    web(true, false, true);
    Awaitility.await()
        .atMost(ProxyFixture.WAIT)
        .until(() -> cluster().balancer().isMarkedUnhealthy(endpoint(1)));

    Map<String, Integer> whileSick = spread(30);
    assertThat(whileSick).as("while b1 fails /healthz").doesNotContainKey("b1");
    assertThat(whileSick.getOrDefault("b0", 0)).as("b0 of %s", whileSick).isGreaterThanOrEqualTo(5);
    assertThat(whileSick.getOrDefault("b2", 0)).as("b2 of %s", whileSick).isGreaterThanOrEqualTo(5);

    healthy.get(1).set(true);
    Awaitility.await()
        .atMost(ProxyFixture.WAIT)
        .until(() -> cluster().balancer().endpoints().contains(endpoint(1)));

    Map<String, Integer> recovered = spread(30);
    assertThat(recovered.getOrDefault("b1", 0))
        .as("b1 once it passes again, of %s", recovered)
        .isGreaterThanOrEqualTo(5);
  }

  @Test
  void anEndpointThatStartsFailingIsTakenOutOfRotation() throws Exception {
    web(true, true, true);
    assertThat(spread(9)).containsOnlyKeys("b0", "b1", "b2");

    healthy.get(2).set(false);
    Awaitility.await()
        .atMost(ProxyFixture.WAIT)
        .until(() -> !cluster().balancer().endpoints().contains(endpoint(2)));

    Map<String, Integer> after = spread(30);
    assertThat(after).as("after b2 started failing").doesNotContainKey("b2");
    assertThat(after).containsKeys("b0", "b1");
  }

  @Test
  void whenEveryEndpointFailsItsCheckAllAreStillUsed() throws Exception {
    web(false, false, false);
    Awaitility.await()
        .atMost(ProxyFixture.WAIT)
        .until(
            () ->
                cluster().balancer().isMarkedUnhealthy(endpoint(0))
                    && cluster().balancer().isMarkedUnhealthy(endpoint(1))
                    && cluster().balancer().isMarkedUnhealthy(endpoint(2)));

    assertThat(spread(30))
        .as("every endpoint failing: a guess beats a 503")
        .containsOnlyKeys("b0", "b1", "b2");
  }
}
