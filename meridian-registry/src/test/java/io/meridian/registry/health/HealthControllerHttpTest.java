package io.meridian.registry.health;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.meridian.api.Conditions;
import io.meridian.api.GoDuration;
import io.meridian.api.HealthCheck;
import io.meridian.api.Instance;
import io.meridian.api.InstanceSpec;
import io.meridian.api.ObjectMeta;
import io.meridian.testkit.NettyLeakCheck;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The controller end to end: real Netty HTTP probes against a real HTTP backend toggled between 200
 * and 503, interval 100ms, timeout 100ms, rise 2, fall 3.
 *
 * <p>On a loaded machine a 100ms probe can time out, which is one more failure the test did not
 * plan. So besides following the backend, each test checks the writes against the probe results
 * actually seen: every write comes exactly at a transition of rise/fall over those results, and no
 * transition goes unwritten. With no timeout that is: ready at the first pass, not ready at the
 * third 503, ready at the second 200, nothing for a lone 503.
 */
@ExtendWith(NettyLeakCheck.class)
class HealthControllerHttpTest {

  private static final Duration INTERVAL = Duration.ofMillis(100);
  private static final Duration WAIT = Duration.ofSeconds(5);

  /** A write, and how many probe results the controller had seen when it was made. */
  record Write(Conditions conditions, String message, int resultsSeen) {}

  private EventLoopGroup group;
  private ScheduledExecutorService scheduler;
  private HttpBackend backend;
  private HealthController controller;
  private final List<ProbeResult> results = new CopyOnWriteArrayList<>();
  private final List<Write> writes = new CopyOnWriteArrayList<>();

  @BeforeEach
  void start() throws Exception {
    group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    scheduler = Executors.newScheduledThreadPool(2);
    backend = HttpBackend.start();
    Prober http = Probers.create(group);
    // Warm the backend and the client up so that the first timed probe is not the JVM's first.
    http.probe(backend.address(), check()).join();
    // Results are recorded before the controller sees them: one probe in flight at a time, so
    // at a write the last recorded result is the one that caused it.
    Prober recording =
        (target, check) ->
            http.probe(target, check)
                .thenApply(
                    r -> {
                      results.add(r);
                      return r;
                    });
    StatusWriter writer =
        (ns, name, conditions, message) -> {
          writes.add(new Write(conditions, message, results.size()));
          return CompletableFuture.completedFuture(null);
        };
    controller =
        new HealthController(
            recording, writer, scheduler, Clock.systemUTC(), new SplittableRandom(1));
    controller.start();
  }

  @AfterEach
  void stop() {
    controller.close();
    scheduler.shutdownNow();
    backend.close();
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
  }

  private static HealthCheck check() {
    return new HealthCheck(
        "http", "/healthz", null, GoDuration.of(INTERVAL), GoDuration.of(INTERVAL), 2, 3);
  }

  private Instance instance() {
    return new Instance(
        ObjectMeta.of("default", "web-1"),
        new InstanceSpec(
            "127.0.0.1", Map.of("http", backend.port()), null, null, null, null, null, check()));
  }

  private Write awaitWrite(Conditions conditions) {
    await().atMost(WAIT).until(() -> !writes.isEmpty() && last(writes).conditions() == conditions);
    return last(writes);
  }

  private static <T> T last(List<T> list) {
    return list.get(list.size() - 1);
  }

  /** Writes made so far are exactly rise 2 / fall 3's transitions over the results seen. */
  private void assertWritesAreTheTransitions() {
    List<Write> made = List.copyOf(writes);
    List<ProbeResult> seen = List.copyOf(results);
    List<Write> expected = new ArrayList<>();
    HealthState state = new HealthState(2, 3);
    for (int i = 0; i < seen.size(); i++) {
      ProbeResult r = seen.get(i);
      if (state.record(r.passed())) {
        expected.add(
            new Write(
                state.ready() ? Conditions.READY : Conditions.NOT_READY,
                state.ready() ? null : r.detail(),
                i + 1));
      }
    }
    // The write for the very last result may still be on its way.
    if (made.size() == expected.size() - 1 && last(expected).resultsSeen() == seen.size()) {
      expected.remove(expected.size() - 1);
    }
    assertThat(made).as("writes for results %s", seen).isEqualTo(expected);
  }

  @Test
  void readinessFollowsTheBackendWithRiseAndFall() {
    controller.upsert(instance());
    Write up = awaitWrite(Conditions.READY);
    if (results.get(0).passed()) {
      assertThat(writes).containsExactly(new Write(Conditions.READY, null, 1));
    }

    backend.respond(503);
    Write down = awaitWrite(Conditions.NOT_READY);
    assertThat(down.message()).isIn("HTTP 503", "timeout after 100ms");
    assertThat(List.copyOf(results).subList(down.resultsSeen() - 3, down.resultsSeen()))
        .as("the fall failures")
        .noneMatch(ProbeResult::passed);

    backend.respond(200);
    Write again = awaitWrite(Conditions.READY);
    assertThat(again.message()).isNull();
    assertThat(List.copyOf(results).subList(again.resultsSeen() - 2, again.resultsSeen()))
        .as("the rise passes")
        .allMatch(ProbeResult::passed)
        .contains(ProbeResult.passed("HTTP 200"));
    assertThat(up.resultsSeen()).isLessThan(down.resultsSeen());
    assertWritesAreTheTransitions();
  }

  @Test
  void aSingleFailureInBetweenWritesNothing() {
    controller.upsert(instance());
    awaitWrite(Conditions.READY);
    int writesBefore = writes.size();
    backend.failNext(1);
    await().atMost(WAIT).until(() -> results.contains(ProbeResult.failed("HTTP 503")));
    int seen = results.size();
    await().atMost(WAIT).until(() -> results.size() >= seen + 4);
    assertWritesAreTheTransitions();
    if (results.stream().filter(r -> !r.passed()).count() == 1) {
      assertThat(writes).hasSize(writesBefore);
      assertThat(controller.judgement("default", "web-1")).contains(Conditions.READY);
    }
  }

  @Test
  void twoFailuresInARowStillWriteNothing() {
    controller.upsert(instance());
    awaitWrite(Conditions.READY);
    int writesBefore = writes.size();
    backend.failNext(2);
    await().atMost(WAIT).until(() -> backend.failures() == 2);
    int seen = results.size();
    await().atMost(WAIT).until(() -> results.size() >= seen + 3);
    assertWritesAreTheTransitions();
    if (results.stream().filter(r -> !r.passed()).count() == 2) {
      assertThat(writes).hasSize(writesBefore);
    }
  }

  @Test
  void removeStopsProbing() {
    controller.upsert(instance());
    awaitWrite(Conditions.READY);
    await().atMost(WAIT).until(() -> backend.requests() >= 3);
    controller.remove("default", "web-1");
    await().until(() -> controller.judgement("default", "web-1").isEmpty());
    // A probe started just before the removal may still arrive; after that, nothing does.
    await().pollDelay(INTERVAL.multipliedBy(2)).until(() -> true);
    int requests = backend.requests();
    await()
        .during(INTERVAL.multipliedBy(5))
        .atMost(INTERVAL.multipliedBy(10))
        .until(() -> backend.requests() == requests);
  }
}
