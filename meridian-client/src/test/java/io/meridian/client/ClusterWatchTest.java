package io.meridian.client;

import static io.meridian.client.Fixtures.endpoints;
import static io.meridian.client.Fixtures.key;
import static io.meridian.client.Fixtures.node;
import static io.meridian.client.Fixtures.service;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.meridian.api.Kind;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The cache against a scripted registry: streaming, resuming, relisting, listeners, lifecycle. */
class ClusterWatchTest {

  private static final Duration WAIT = Duration.ofSeconds(10);

  private FakeRegistry registry;
  private ClusterWatch watch;

  @BeforeEach
  void startRegistry() throws Exception {
    registry = new FakeRegistry();
    registry.list(Kind.SERVICE, 10, service("default", "web", 3));
    registry.list(Kind.ENDPOINTS, 10, endpoints("default", "web", 4, "10.0.0.1"));
    registry.list(Kind.NODE, 10, node("n1", 5));
  }

  @AfterEach
  void closeEverything() {
    if (watch != null) {
      watch.close();
    }
    registry.close();
  }

  private ClusterWatch.Builder builder() {
    return ClusterWatch.builder(registry.uri())
        .backoff(Duration.ofMillis(10), Duration.ofMillis(100));
  }

  private ClusterSnapshot start(ClusterWatch.Builder b) throws Exception {
    watch = b.build();
    ClusterSnapshot first = watch.start().get(WAIT.toSeconds(), TimeUnit.SECONDS);
    await().atMost(WAIT).until(watch::connected);
    return first;
  }

  private void awaitService(String ns, String name, boolean present) {
    await().atMost(WAIT).until(() -> watch.current().service(ns, name).isPresent() == present);
  }

  @Test
  void startCompletesWithTheFirstSnapshotOfAllThreeKinds() throws Exception {
    ClusterSnapshot first = start(builder());

    assertThat(first.sequence()).isEqualTo(1);
    assertThat(first.services()).containsOnlyKeys(key("default", "web"));
    assertThat(first.endpoints("default", "web"))
        .extracting(e -> e.address())
        .containsExactly("10.0.0.1");
    assertThat(first.nodes()).containsOnlyKeys("n1");
    assertThat(first.changed()).containsExactly(key("default", "web"));
    assertThat(first.nodesChanged()).isTrue();
    assertThat(first.revision()).isEqualTo(10);
    assertThat(watch.current()).isSameAs(first);
  }

  @Test
  void currentIsNullBeforeTheFirstSnapshot() {
    watch = builder().build();

    assertThat(watch.current()).isNull();
    assertThat(watch.connected()).isFalse();
  }

  @Test
  void watchesFromTheListedRevision() throws Exception {
    start(builder());

    assertThat(registry.requestsFor(Kind.SERVICE))
        .containsExactly(
            "GET /api/v1/services", "GET /api/v1/services?watch=true&resourceVersion=10");
    assertThat(registry.requestsFor(Kind.NODE))
        .contains("GET /api/v1/nodes?watch=true&resourceVersion=10");
  }

  @Test
  void aWatchedChangeBecomesASnapshotThatNamesOnlyIt() throws Exception {
    start(builder());

    registry.event(Kind.SERVICE, "ADDED", service("default", "api", 11));
    registry.event(Kind.ENDPOINTS, "ADDED", endpoints("default", "api", 12, "10.0.0.7"));

    await().atMost(WAIT).until(() -> watch.current().endpoints("default", "api").size() == 1);
    assertThat(watch.current().changed()).containsExactly(key("default", "api"));
    assertThat(watch.current().service("default", "web")).isPresent();
  }

  @Test
  void aDeletedServiceLeavesTheSnapshotAndIsMarkedChanged() throws Exception {
    start(builder());

    registry.event(Kind.SERVICE, "DELETED", service("default", "web", 3));

    awaitService("default", "web", false);
    assertThat(watch.current().changed()).containsExactly(key("default", "web"));
  }

  @Test
  void eventsWithinTheCoalescingWindowBecomeOneSnapshot() throws Exception {
    List<ClusterSnapshot> seen = new CopyOnWriteArrayList<>();
    start(builder().coalesce(Duration.ofMillis(300)));
    watch.addListener(seen::add);
    await().atMost(WAIT).until(() -> seen.size() == 1);

    registry.event(Kind.SERVICE, "ADDED", service("default", "a", 11));
    registry.event(Kind.SERVICE, "ADDED", service("default", "b", 12));
    registry.event(Kind.ENDPOINTS, "ADDED", endpoints("default", "a", 13, "10.0.0.2"));

    await().atMost(WAIT).until(() -> seen.size() == 2);
    Thread.sleep(400); // nothing else may follow
    assertThat(seen).hasSize(2);
    assertThat(seen.get(1).changed())
        .containsExactlyInAnyOrder(key("default", "a"), key("default", "b"));
    assertThat(seen.get(1).endpoints("default", "a")).hasSize(1);
  }

  @Test
  void aLineCutAcrossChunksEvenInsideACharacterIsReassembled() throws Exception {
    start(builder());
    String line =
        "{\"type\":\"ADDED\",\"object\":"
            + FakeRegistry.json(service("default", "zürich", 11))
            + "}\n";
    byte[] bytes = line.getBytes(StandardCharsets.UTF_8);
    int insideU = line.indexOf('ü') + 1; // between the two bytes of ü

    for (int[] range : new int[][] {{0, 10}, {10, insideU}, {insideU, bytes.length}}) {
      registry.send(Kind.SERVICE, Arrays.copyOfRange(bytes, range[0], range[1]));
      Thread.sleep(60); // separate chunks on the wire
    }

    awaitService("default", "zürich", true);
  }

  @Test
  void aWatchEndedByTheRegistryResumesFromTheLastRevisionSeen() throws Exception {
    start(builder());

    registry.event(Kind.SERVICE, "ADDED", service("default", "api", 15));
    registry.bookmark(Kind.SERVICE, 19);
    awaitService("default", "api", true);
    registry.closeWatch(Kind.SERVICE);

    await()
        .atMost(WAIT)
        .until(
            () ->
                registry
                    .requestsFor(Kind.SERVICE)
                    .contains("GET /api/v1/services?watch=true&resourceVersion=19"));
    assertThat(registry.listsOf(Kind.SERVICE)).isEqualTo(1);
    assertThat(watch.lists(Kind.SERVICE)).isEqualTo(1);
  }

  @Test
  void anErrorGoneLineRelistsAndTheFreshListWins() throws Exception {
    start(builder());
    registry.list(Kind.SERVICE, 50, service("default", "api", 40));

    registry.send(
        Kind.SERVICE,
        "{\"type\":\"ERROR\",\"object\":{\"code\":410,\"reason\":\"Gone\",\"message\":\"too"
            + " old\"}}\n");

    awaitService("default", "api", true);
    ClusterSnapshot s = watch.current();
    assertThat(s.service("default", "web")).isEmpty();
    assertThat(s.changed()).containsExactlyInAnyOrder(key("default", "web"), key("default", "api"));
    assertThat(s.revision(Kind.SERVICE)).isEqualTo(50);
    assertThat(registry.listsOf(Kind.SERVICE)).isEqualTo(2);
    await()
        .atMost(WAIT)
        .until(
            () ->
                registry
                    .requestsFor(Kind.SERVICE)
                    .contains("GET /api/v1/services?watch=true&resourceVersion=50"));
  }

  @Test
  void aGoneAnswerToAWatchRelists() throws Exception {
    start(builder());
    registry.list(Kind.NODE, 60, node("n2", 55));
    registry.refuseNextWatch(Kind.NODE, 410);

    registry.closeWatch(Kind.NODE);

    await().atMost(WAIT).until(() -> watch.current().nodes().containsKey("n2"));
    assertThat(watch.current().nodes()).containsOnlyKeys("n2");
    assertThat(watch.current().nodesChanged()).isTrue();
    assertThat(watch.current().changed()).isEmpty();
    assertThat(watch.lists(Kind.NODE)).isEqualTo(2);
  }

  @Test
  void anUnreadableLineIsLoggedAndRelistedAndTheWatchGoesOn() throws Exception {
    start(builder());
    registry.list(Kind.ENDPOINTS, 70, endpoints("default", "web", 65, "10.0.0.1", "10.0.0.2"));

    registry.send(Kind.ENDPOINTS, "this is not json\n");

    await().atMost(WAIT).until(() -> watch.current().endpoints("default", "web").size() == 2);
    assertThat(watch.lists(Kind.ENDPOINTS)).isEqualTo(2);
    await().atMost(WAIT).until(watch::connected);
    registry.event(Kind.ENDPOINTS, "MODIFIED", endpoints("default", "web", 71, "10.0.0.3"));
    await().atMost(WAIT).until(() -> watch.current().endpoints("default", "web").size() == 1);
  }

  @Test
  void anErrorOtherThanGoneResumesTheWatchWithoutRelisting() throws Exception {
    start(builder());
    registry.event(Kind.SERVICE, "ADDED", service("default", "api", 15));
    awaitService("default", "api", true);

    registry.send(
        Kind.SERVICE,
        "{\"type\":\"ERROR\",\"object\":{\"code\":500,\"reason\":\"InternalError\",\"message\":\"oops\"}}\n");

    await()
        .atMost(WAIT)
        .until(
            () ->
                registry
                    .requestsFor(Kind.SERVICE)
                    .contains("GET /api/v1/services?watch=true&resourceVersion=15"));
    assertThat(registry.listsOf(Kind.SERVICE)).isEqualTo(1);
  }

  @Test
  void keepsServingTheLastSnapshotWhileTheRegistryIsDownAndCatchesUpAfter() throws Exception {
    AtomicLong now = new AtomicLong(1_000);
    ClusterSnapshot first = start(builder().ticker(now::get));
    int port = registry.port();

    registry.close();
    await().atMost(WAIT).until(() -> !watch.connected());
    now.addAndGet(5_000_000_000L);

    assertThat(watch.current()).isSameAs(first);
    assertThat(watch.staleness()).isGreaterThanOrEqualTo(Duration.ofSeconds(5));

    registry = new FakeRegistry(port);
    await().atMost(WAIT).until(watch::connected);
    registry.event(Kind.SERVICE, "ADDED", service("default", "api", 11));
    awaitService("default", "api", true);
    assertThat(watch.staleness()).isZero();
  }

  @Test
  void aListenerAddedAfterStartGetsTheCurrentSnapshotFirst() throws Exception {
    ClusterSnapshot first = start(builder());
    List<ClusterSnapshot> seen = new CopyOnWriteArrayList<>();

    watch.addListener(seen::add);
    registry.event(Kind.SERVICE, "ADDED", service("default", "api", 11));

    await().atMost(WAIT).until(() -> seen.size() == 2);
    assertThat(seen.get(0)).isSameAs(first);
    assertThat(seen.get(1).changed()).containsExactly(key("default", "api"));
  }

  @Test
  void listenersGetEverySnapshotInOrderAndNeverConcurrently() throws Exception {
    watch = builder().coalesce(Duration.ZERO).build();
    AtomicInteger inside = new AtomicInteger();
    AtomicInteger overlaps = new AtomicInteger();
    List<Long> sequences = new CopyOnWriteArrayList<>();
    SnapshotListener slow =
        s -> {
          if (inside.incrementAndGet() > 1) {
            overlaps.incrementAndGet();
          }
          sequences.add(s.sequence());
          try {
            Thread.sleep(2);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
          inside.decrementAndGet();
        };
    watch.addListener(slow);
    watch.addListener(s -> {});
    watch.start().get(WAIT.toSeconds(), TimeUnit.SECONDS);
    await().atMost(WAIT).until(watch::connected);

    for (int i = 0; i < 30; i++) {
      registry.event(
          i % 2 == 0 ? Kind.SERVICE : Kind.ENDPOINTS,
          "ADDED",
          i % 2 == 0
              ? service("default", "s" + i, 11 + i)
              : endpoints("default", "s" + (i - 1), 11 + i, "10.0.0.1"));
    }

    await()
        .atMost(WAIT)
        .until(
            () ->
                watch.current().services().size() == 16
                    && watch.current().endpoints("default", "s28").size() == 1);
    await().atMost(WAIT).until(() -> sequences.getLast() == watch.current().sequence());
    assertThat(overlaps).hasValue(0);
    for (int i = 0; i < sequences.size(); i++) {
      assertThat(sequences.get(i)).isEqualTo(i + 1L);
    }
  }

  @Test
  void aFailingListenerDoesNotStopTheOthers() throws Exception {
    List<ClusterSnapshot> seen = new CopyOnWriteArrayList<>();
    start(builder());

    watch.addListener(
        s -> {
          throw new IllegalStateException("listener bug");
        });
    watch.addListener(seen::add);
    registry.event(Kind.SERVICE, "ADDED", service("default", "api", 11));

    await().atMost(WAIT).until(() -> seen.size() == 2);
  }

  @Test
  void aSilentWatchIsReconnectedAfterTheIdleTimeout() throws Exception {
    start(builder().idleTimeout(Duration.ofMillis(300)));

    await()
        .atMost(WAIT)
        .until(
            () ->
                registry.requestsFor(Kind.SERVICE).stream()
                        .filter(r -> r.contains("watch=true"))
                        .count()
                    >= 2);
    assertThat(registry.listsOf(Kind.SERVICE)).isEqualTo(1);
  }

  @Test
  void bookmarksKeepASilentWatchAlive() throws Exception {
    start(builder().idleTimeout(Duration.ofMillis(800)));

    for (int i = 0; i < 12; i++) { // 1.2 s: half again the idle timeout
      registry.bookmark(Kind.SERVICE, 10 + i);
      Thread.sleep(100);
    }

    assertThat(
            registry.requestsFor(Kind.SERVICE).stream()
                .filter(r -> r.contains("watch=true"))
                .count())
        .isEqualTo(1);
  }

  @Test
  void aNamespacedWatchListsServicesAndEndpointsOfThatNamespaceOnly() throws Exception {
    start(builder().namespace("shop"));

    assertThat(registry.requests)
        .contains(
            "GET /api/v1/namespaces/shop/services",
            "GET /api/v1/namespaces/shop/endpoints",
            "GET /api/v1/nodes");
  }

  @Test
  void closeFailsAPendingStartAndStopsRetrying() throws Exception {
    int deadPort;
    try (ServerSocket s = new ServerSocket(0)) {
      deadPort = s.getLocalPort();
    }
    watch =
        ClusterWatch.builder(URI.create("http://127.0.0.1:" + deadPort))
            .backoff(Duration.ofMillis(10), Duration.ofMillis(50))
            .build();
    var started = watch.start();
    Thread.sleep(200);

    watch.close();

    assertThatThrownBy(() -> started.get(1, TimeUnit.SECONDS))
        .isInstanceOf(CancellationException.class);
    assertThat(watch.connected()).isFalse();
  }

  @Test
  void closeDropsTheWatchesButLeavesAnInjectedSchedulerRunning() throws Exception {
    ScheduledExecutorService scheduler = Executors.newScheduledThreadPool(2);
    try {
      start(builder().scheduler(scheduler));

      watch.close();
      int before = registry.requests.size();
      Thread.sleep(300);

      assertThat(watch.connected()).isFalse();
      assertThat(registry.requests).hasSize(before);
      assertThat(scheduler.isShutdown()).isFalse();
    } finally {
      scheduler.shutdownNow();
    }
  }

  @Test
  void startsOnlyOnce() throws Exception {
    start(builder());

    assertThatThrownBy(watch::start).isInstanceOf(IllegalStateException.class);
  }
}
