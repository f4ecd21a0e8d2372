package io.meridian.registry.health;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.meridian.api.Conditions;
import io.meridian.api.GoDuration;
import io.meridian.api.HealthCheck;
import io.meridian.api.Instance;
import io.meridian.api.InstanceSpec;
import io.meridian.api.InstanceStatus;
import io.meridian.api.IntOrString;
import io.meridian.api.ObjectMeta;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The controller's scheduling and writing rules, against a scripted prober (no sockets). */
class HealthControllerTest {

  private static final Duration INTERVAL = Duration.ofMillis(20);
  private static final Instant NOW = Instant.parse("2030-01-01T00:00:00Z");

  private final RecordingScheduler scheduler = new RecordingScheduler();
  private final ScriptedProber prober = new ScriptedProber();
  private final RecordingWriter writer = new RecordingWriter();
  private final HealthController controller =
      new HealthController(
          prober, writer, scheduler, Clock.fixed(NOW, ZoneOffset.UTC), new SplittableRandom(7));

  @AfterEach
  void stop() {
    controller.close();
    scheduler.shutdownNow();
  }

  record Write(String namespace, String name, Conditions conditions, String message) {}

  /** Answers every probe with {@link #next}, or with the future {@link #pending} supplies. */
  static final class ScriptedProber implements Prober {
    final AtomicReference<ProbeResult> next = new AtomicReference<>(ProbeResult.passed("ok"));
    final AtomicReference<Supplier<CompletableFuture<ProbeResult>>> pending =
        new AtomicReference<>();
    final List<InetSocketAddress> targets = new CopyOnWriteArrayList<>();

    @Override
    public CompletableFuture<ProbeResult> probe(InetSocketAddress target, HealthCheck check) {
      targets.add(target);
      Supplier<CompletableFuture<ProbeResult>> p = pending.get();
      return p != null ? p.get() : CompletableFuture.completedFuture(next.get());
    }

    int calls() {
      return targets.size();
    }
  }

  /** Records writes; fails the first {@link #failures} of them. */
  static final class RecordingWriter implements StatusWriter {
    final List<Write> writes = new CopyOnWriteArrayList<>();
    final AtomicInteger failures = new AtomicInteger();

    @Override
    public CompletableFuture<?> write(
        String ns, String name, Conditions conditions, String message) {
      writes.add(new Write(ns, name, conditions, message));
      return failures.getAndDecrement() > 0
          ? CompletableFuture.failedFuture(new IllegalStateException("store unavailable"))
          : CompletableFuture.completedFuture(null);
    }
  }

  /** A real scheduler that also records each fixed-rate schedule's delay and period. */
  static final class RecordingScheduler extends ScheduledThreadPoolExecutor {
    final List<long[]> rates = new CopyOnWriteArrayList<>();

    RecordingScheduler() {
      super(2);
      setRemoveOnCancelPolicy(true);
    }

    @Override
    public ScheduledFuture<?> scheduleAtFixedRate(
        Runnable command, long initialDelay, long period, TimeUnit unit) {
      rates.add(new long[] {unit.toNanos(initialDelay), unit.toNanos(period)});
      return super.scheduleAtFixedRate(command, initialDelay, period, unit);
    }
  }

  private static HealthCheck check(Duration interval, IntOrString port) {
    return new HealthCheck(
        "http", null, port, GoDuration.of(interval), GoDuration.of(INTERVAL), 2, 3);
  }

  private static Instance instance(String name, HealthCheck check) {
    return new Instance(
        ObjectMeta.of("shop", name),
        new InstanceSpec(
            "127.0.0.1", Map.of("http", 8080, "admin", 9090), null, null, null, null, null, check));
  }

  private static Instance probed(String name) {
    return instance(name, check(INTERVAL, null));
  }

  private void awaitCalls(int n) {
    await().atMost(Duration.ofSeconds(5)).until(() -> prober.calls() >= n);
  }

  /** Lets {@code n} more probes run, to show that nothing else happens. */
  private void letProbesRun(int n) {
    awaitCalls(prober.calls() + n);
  }

  @Test
  void aFirstPassWritesReadyOnceAndThenNothing() {
    controller.start();
    controller.upsert(probed("web-1"));
    await().until(() -> writer.writes.size() == 1);
    letProbesRun(5);
    assertThat(writer.writes).containsExactly(new Write("shop", "web-1", Conditions.READY, null));
    assertThat(controller.judgement("shop", "web-1")).contains(Conditions.READY);
  }

  @Test
  void aFirstFailureWritesNotReadyWithTheDetail() {
    prober.next.set(ProbeResult.failed("connection refused"));
    controller.start();
    controller.upsert(probed("web-1"));
    await().until(() -> writer.writes.size() == 1);
    letProbesRun(3);
    assertThat(writer.writes)
        .containsExactly(new Write("shop", "web-1", Conditions.NOT_READY, "connection refused"));
  }

  @Test
  void fallFailuresMakeItNotReadyWithTheLastDetailAndRisePassesReadyAgain() {
    controller.start();
    controller.upsert(probed("web-1"));
    await().until(() -> writer.writes.size() == 1);
    prober.next.set(ProbeResult.failed("HTTP 503"));
    await().until(() -> writer.writes.size() == 2);
    prober.next.set(ProbeResult.passed("HTTP 200"));
    await().until(() -> writer.writes.size() == 3);
    assertThat(writer.writes)
        .extracting(Write::conditions, Write::message)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple(Conditions.READY, null),
            org.assertj.core.groups.Tuple.tuple(Conditions.NOT_READY, "HTTP 503"),
            org.assertj.core.groups.Tuple.tuple(Conditions.READY, null));
  }

  @Test
  void statusThatAgreesWritesNothing() {
    controller.start();
    controller.upsert(probed("web-1").withStatus(InstanceStatus.of(Conditions.READY)));
    letProbesRun(5);
    assertThat(controller.judgement("shop", "web-1")).contains(Conditions.READY);
    assertThat(writer.writes).isEmpty();
  }

  @Test
  void reupsertWithDisagreeingStatusWritesTheJudgementAgain() {
    controller.start();
    controller.upsert(probed("web-1"));
    await().until(() -> writer.writes.size() == 1);
    // The echo of the controller's own write agrees: nothing to do.
    controller.upsert(probed("web-1").withStatus(InstanceStatus.of(Conditions.READY)));
    letProbesRun(3);
    assertThat(writer.writes).hasSize(1);
    // A user PUT (or a registry restart) reset the status: write the judgement again, at once.
    prober.pending.set(CompletableFuture::new);
    controller.upsert(probed("web-1").withStatus(InstanceStatus.of(Conditions.NOT_READY)));
    await().until(() -> writer.writes.size() == 2);
    assertThat(writer.writes.get(1)).isEqualTo(new Write("shop", "web-1", Conditions.READY, null));
  }

  @Test
  void aFailedWriteIsRetriedOnTheNextProbeResult() {
    writer.failures.set(2);
    controller.start();
    controller.upsert(probed("web-1"));
    await().until(() -> writer.writes.size() == 3);
    letProbesRun(5);
    assertThat(writer.writes)
        .hasSize(3)
        .allSatisfy(w -> assertThat(w.conditions()).isEqualTo(Conditions.READY));
  }

  @Test
  void neverMoreThanOneProbeInFlight() {
    List<CompletableFuture<ProbeResult>> inFlight = new CopyOnWriteArrayList<>();
    prober.pending.set(
        () -> {
          CompletableFuture<ProbeResult> f = new CompletableFuture<>();
          inFlight.add(f);
          return f;
        });
    controller.start();
    controller.upsert(probed("web-1"));
    awaitCalls(1);
    await().pollDelay(INTERVAL.multipliedBy(10)).until(() -> true);
    assertThat(prober.calls()).isEqualTo(1);
    prober.pending.set(null);
    inFlight.get(0).complete(ProbeResult.passed("late"));
    awaitCalls(3);
    await().until(() -> writer.writes.size() == 1);
  }

  @Test
  void theFirstProbeComesAfterARandomJitterWithinTheInterval() {
    Duration interval = Duration.ofSeconds(10);
    controller.start();
    controller.upsert(instance("web-1", check(interval, null)));
    controller.upsert(instance("web-2", check(interval, null)));
    await().until(() -> scheduler.rates.size() == 2);
    SplittableRandom same = new SplittableRandom(7);
    long first = same.nextLong(interval.toNanos());
    long second = same.nextLong(interval.toNanos());
    assertThat(scheduler.rates)
        .containsExactly(
            new long[] {first, interval.toNanos()}, new long[] {second, interval.toNanos()});
    assertThat(first).isNotEqualTo(second).isBetween(0L, interval.toNanos() - 1);
  }

  @Test
  void probesTheCheckPortTheNamedPortOrTheFirstPort() {
    controller.start();
    controller.upsert(instance("by-number", check(INTERVAL, IntOrString.of(7000))));
    controller.upsert(instance("by-name", check(INTERVAL, IntOrString.of("admin"))));
    awaitCalls(4);
    assertThat(prober.targets)
        .extracting(InetSocketAddress::getPort)
        .contains(7000, 9090)
        .allMatch(p -> p == 7000 || p == 9090);
    Instance firstPort =
        new Instance(
            ObjectMeta.of("shop", "first"),
            new InstanceSpec(
                "127.0.0.2",
                Map.of("web", 8081),
                null,
                null,
                null,
                null,
                null,
                check(INTERVAL, null)));
    controller.remove("shop", "by-number");
    controller.remove("shop", "by-name");
    controller.upsert(firstPort);
    await().until(() -> prober.targets.contains(new InetSocketAddress("127.0.0.2", 8081)));
  }

  @Test
  void aCheckThatCannotRunIsNotReadyWithTheReasonAndNotProbed() {
    controller.start();
    controller.upsert(instance("web-1", check(INTERVAL, IntOrString.of("grpc"))));
    await().until(() -> writer.writes.size() == 1);
    assertThat(writer.writes.get(0))
        .isEqualTo(
            new Write("shop", "web-1", Conditions.NOT_READY, "no port named \"grpc\" to probe"));
    assertThat(prober.calls()).isZero();
  }

  @Test
  void ephemeralUncheckedAndTerminatingInstancesAreNotProbed() {
    Instance ephemeral = probed("eph").withMetadata(ObjectMeta.of("shop", "eph"));
    ephemeral =
        new Instance(ephemeral.metadata(), ephemeral.spec().withTtl(GoDuration.parse("10s")));
    Instance unchecked =
        new Instance(
            ObjectMeta.of("shop", "plain"), InstanceSpec.of("127.0.0.1", Map.of("http", 80)));
    Instance terminating =
        probed("bye").withMetadata(ObjectMeta.of("shop", "bye").withDeletion(NOW.toString(), 30L));
    controller.start();
    controller.upsert(ephemeral);
    controller.upsert(unchecked);
    controller.upsert(terminating);
    controller.upsert(probed("canary"));
    awaitCalls(5);
    assertThat(prober.targets).hasSizeGreaterThanOrEqualTo(5);
    assertThat(controller.judgement("shop", "eph")).isEmpty();
    assertThat(controller.judgement("shop", "plain")).isEmpty();
    assertThat(controller.judgement("shop", "bye")).isEmpty();
    assertThat(writer.writes).extracting(Write::name).containsOnly("canary");
  }

  @Test
  void becomingTerminatingStopsProbing() {
    controller.start();
    controller.upsert(probed("web-1"));
    awaitCalls(2);
    controller.upsert(
        probed("web-1")
            .withMetadata(ObjectMeta.of("shop", "web-1").withDeletion(NOW.toString(), 30L)));
    await().until(() -> controller.judgement("shop", "web-1").isEmpty());
    int calls = prober.calls();
    await().pollDelay(INTERVAL.multipliedBy(5)).until(() -> true);
    assertThat(prober.calls()).isLessThanOrEqualTo(calls + 1);
  }

  @Test
  void changingOnlyTimingKeepsTheJudgementAndChangingThePathStartsOver() {
    controller.start();
    controller.upsert(probed("web-1"));
    await().until(() -> writer.writes.size() == 1);
    prober.pending.set(CompletableFuture::new);
    InstanceStatus stored = InstanceStatus.of(Conditions.READY);
    controller.upsert(
        instance(
                "web-1",
                new HealthCheck(
                    "http", null, null, GoDuration.of(INTERVAL.multipliedBy(2)), null, 4, 4))
            .withStatus(stored));
    await().pollDelay(INTERVAL.multipliedBy(3)).until(() -> true);
    assertThat(controller.judgement("shop", "web-1")).contains(Conditions.READY);
    controller.upsert(
        instance(
                "web-1",
                new HealthCheck("http", "/other", null, GoDuration.of(INTERVAL), null, 4, 4))
            .withStatus(stored));
    await().until(() -> controller.judgement("shop", "web-1").isEmpty());
    assertThat(writer.writes).hasSize(1);
  }

  @Test
  void nothingIsProbedBeforeStartOrAfterClose() {
    controller.upsert(probed("web-1"));
    await().pollDelay(INTERVAL.multipliedBy(5)).until(() -> true);
    assertThat(prober.calls()).isZero();
    controller.start();
    awaitCalls(2);
    controller.close();
    await().pollDelay(INTERVAL.multipliedBy(2)).until(() -> true);
    int calls = prober.calls();
    await().pollDelay(INTERVAL.multipliedBy(5)).until(() -> true);
    assertThat(prober.calls()).isEqualTo(calls);
    assertThat(controller.judgement("shop", "web-1")).isEmpty();
  }

  @Test
  void lastProbeTimeComesFromTheInjectedClock() {
    controller.start();
    controller.upsert(probed("web-1"));
    awaitCalls(1);
    await().until(() -> controller.lastProbeTime("shop", "web-1").isPresent());
    assertThat(controller.lastProbeTime("shop", "web-1")).contains(NOW);
  }
}
