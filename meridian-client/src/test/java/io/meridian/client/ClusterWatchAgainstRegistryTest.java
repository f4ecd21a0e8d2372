package io.meridian.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.meridian.api.Kind;
import io.meridian.registry.RegistryConfig;
import io.meridian.registry.RegistryServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The cache against the real registry, in process, over real sockets. */
class ClusterWatchAgainstRegistryTest {

  private static final Duration WAIT = Duration.ofSeconds(20);

  /**
   * Short bookmarks and an idle timeout of six of them: a watch connection that a closing registry
   * leaves open without a word (seen with RegistryServer.close()) is given up in 1.8 s instead of
   * the default 30 s.
   */
  private static final Duration BOOKMARKS = Duration.ofMillis(300);

  @TempDir Path dataDir;

  private final List<AutoCloseable> toClose = new ArrayList<>();
  private final HttpClient http =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  private final List<ClusterSnapshot> seen = new CopyOnWriteArrayList<>();
  private URI registryUri;
  private ClusterWatch watch;

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

  private RegistryServer startRegistry(int port, int historyLimit) throws Exception {
    RegistryServer server =
        RegistryServer.create(
            RegistryConfig.builder(dataDir)
                .port(port)
                .fsync(false)
                .historyLimit(historyLimit)
                .bookmarkInterval(BOOKMARKS)
                .build());
    toClose.add(server);
    server.start().get(WAIT.toSeconds(), TimeUnit.SECONDS);
    registryUri = server.uri();
    return server;
  }

  private RegistryServer startRegistry() throws Exception {
    return startRegistry(0, 100_000);
  }

  private ClusterSnapshot startWatch() throws Exception {
    watch =
        ClusterWatch.builder(registryUri)
            .backoff(Duration.ofMillis(20), Duration.ofMillis(200))
            .idleTimeout(BOOKMARKS.multipliedBy(6))
            .build();
    toClose.add(watch);
    watch.addListener(seen::add);
    ClusterSnapshot first = watch.start().get(WAIT.toSeconds(), TimeUnit.SECONDS);
    await().atMost(WAIT).until(watch::connected);
    return first;
  }

  private int send(String method, String path, String json) throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(registryUri.resolve(path))
            .header("Content-Type", "application/json");
    b =
        json == null
            ? b.method(method, HttpRequest.BodyPublishers.noBody())
            : b.method(method, HttpRequest.BodyPublishers.ofString(json));
    HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as(method + " " + path + ": " + r.body()).isBetween(200, 299);
    return r.statusCode();
  }

  private void putService(String name) throws Exception {
    send(
        "PUT",
        "/api/v1/namespaces/default/services/" + name,
        """
        {"apiVersion":"v1","kind":"Service","metadata":{"name":"%s","namespace":"default"},
         "spec":{"selector":{"app":"%s"},"ports":[{"name":"http","port":80,"targetPort":"http"}]}}
        """
            .formatted(name, name));
  }

  private void putInstance(String service, String name, int port) throws Exception {
    send(
        "PUT",
        "/api/v1/namespaces/default/instances/" + name,
        """
        {"apiVersion":"meridian.io/v1","kind":"Instance","metadata":{"name":"%s","labels":{"app":"%s"}},
         "spec":{"address":"127.0.0.1","ports":{"http":%d}}}
        """
            .formatted(name, service, port));
  }

  private void deleteService(String name) throws Exception {
    send("DELETE", "/api/v1/namespaces/default/services/" + name, null);
  }

  /** Waits until the registry derived {@code count} endpoints for {@code service}. */
  private void awaitDerivedEndpoints(String service, int count) {
    await()
        .atMost(WAIT)
        .until(
            () -> {
              HttpResponse<String> r =
                  http.send(
                      HttpRequest.newBuilder(
                              registryUri.resolve(
                                  "/api/v1/namespaces/default/endpoints/" + service))
                          .build(),
                      HttpResponse.BodyHandlers.ofString());
              return r.statusCode() == 200 && r.body().split("\"address\"").length - 1 == count;
            });
  }

  private ClusterSnapshot awaitSnapshot(Predicate<ClusterSnapshot> p) {
    await().atMost(WAIT).until(() -> watch.current() != null && p.test(watch.current()));
    return seen.stream().filter(p).findFirst().orElseThrow();
  }

  @Test
  void theFirstSnapshotHoldsWhatExistedBeforeStart() throws Exception {
    startRegistry();
    putService("web");
    putInstance("web", "web-1", 9001);
    awaitDerivedEndpoints("web", 1);

    ClusterSnapshot first = startWatch();

    ServiceEntry web = first.service("default", "web").orElseThrow();
    assertThat(web.service().spec().selector()).containsEntry("app", "web");
    assertThat(web.endpointList())
        .singleElement()
        .satisfies(
            e -> {
              assertThat(e.address()).isEqualTo("127.0.0.1");
              assertThat(e.port("http")).isEqualTo(9001);
              assertThat(e.conditions().ready()).isTrue();
            });
    assertThat(first.changed()).contains(ServiceKey.of("default", "web"));
    assertThat(first.revision()).isPositive();
  }

  @Test
  void aServiceCreatedAfterStartAppearsAsChangedAndDeletingItRemovesIt() throws Exception {
    startRegistry();
    startWatch();
    ServiceKey api = ServiceKey.of("default", "api");

    putService("api");
    putInstance("api", "api-1", 9002);

    ClusterSnapshot added = awaitSnapshot(s -> s.service(api).isPresent());
    assertThat(added.changed()).contains(api);
    ClusterSnapshot withEndpoints = awaitSnapshot(s -> s.endpoints("default", "api").size() == 1);
    assertThat(withEndpoints.changed()).contains(api);

    deleteService("api");

    ClusterSnapshot removed =
        awaitSnapshot(s -> s.sequence() > withEndpoints.sequence() && s.service(api).isEmpty());
    assertThat(removed.changed()).contains(api);
  }

  @Test
  void aRestartedRegistryIsRejoinedWhileTheLastSnapshotIsServed() throws Exception {
    RegistryServer first = startRegistry();
    int port = first.address().getPort();
    putService("web");
    ClusterSnapshot before = startWatch();
    assertThat(before.service("default", "web")).isPresent();

    first.close();
    await().atMost(WAIT).until(() -> !watch.connected());
    // (the registry's endpoints controller may have published web's endpoints after the first
    // snapshot, so compare with the snapshot current once disconnected, not with the first;
    // 100 ms lets a coalescing window that was open at the close flush first)
    Thread.sleep(100);
    long disconnectedAt = watch.current().sequence();
    Thread.sleep(300); // retries fail meanwhile
    assertThat(watch.current().service("default", "web")).isPresent();
    assertThat(watch.current().sequence()).isEqualTo(disconnectedAt);

    startRegistry(port, 100_000);
    await().atMost(WAIT).until(watch::connected);
    putService("after-restart");
    putInstance("after-restart", "after-restart-1", 9003);

    awaitSnapshot(s -> s.endpoints("default", "after-restart").size() == 1);
    awaitSnapshot(
        s ->
            s.service("default", "after-restart").isPresent()
                && s.service("default", "web").isPresent());
  }

  @Test
  void historyCompactedWhileDisconnectedLeadsToARelist() throws Exception {
    RegistryServer a = startRegistry(0, 5);
    int port = a.address().getPort();
    putService("web");
    putService("doomed");
    startWatch();
    awaitSnapshot(s -> s.service("default", "doomed").isPresent());

    a.close(); // the watch is cut; it keeps retrying port `port`
    startRegistry(0, 5); // on another port, with the same data: many writes the watch cannot see
    deleteService("doomed");
    for (int i = 0; i < 20; i++) {
      putService("bulk-" + i);
    }
    toClose.remove(toClose.size() - 1).close();
    startRegistry(port, 5);

    ClusterSnapshot caughtUp =
        awaitSnapshot(
            s ->
                s.service("default", "bulk-19").isPresent()
                    && s.service("default", "doomed").isEmpty());
    assertThat(caughtUp.changed())
        .contains(ServiceKey.of("default", "doomed"), ServiceKey.of("default", "bulk-0"));
    assertThat(watch.lists(Kind.SERVICE)).isGreaterThanOrEqualTo(2);
  }
}
