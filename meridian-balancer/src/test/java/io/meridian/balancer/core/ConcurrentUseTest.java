package io.meridian.balancer.core;

import static io.meridian.balancer.core.Fleet.concat;
import static io.meridian.balancer.core.Fleet.inZone;
import static org.assertj.core.api.Assertions.assertThat;

import io.meridian.balancer.Backend;
import io.meridian.balancer.Outcome;
import io.meridian.balancer.Picker;
import io.meridian.balancer.Policy;
import io.meridian.balancer.outlier.OutlierDetectionConfig;
import io.meridian.balancer.slowstart.SlowStartConfig;
import io.meridian.balancer.zone.ZoneConfig;
import java.time.Duration;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * Real threads: four callers pick and report while the control plane keeps replacing the endpoint
 * set, with every decorator on and short timers so that ejections, un-ejections and slow-start
 * steps all happen during the run. Bounded by iteration counts, not by time.
 */
class ConcurrentUseTest {

  private static final int CALLERS = 4;
  private static final int UPDATES = 400;
  private static final int PICKS_PER_UPDATE = 100;

  @Test
  void reportsFromFourThreadsDuringUpdatesNeverFailAndAlwaysFindABackend() throws Exception {
    run(SequencePolicy.INSTANCE);
  }

  /** Also used against the real policies once they are on the class path. */
  static void run(Policy policy) throws Exception {
    Queue<Throwable> errors = new ConcurrentLinkedQueue<>();
    ScheduledThreadPoolExecutor scheduler =
        new ScheduledThreadPoolExecutor(
            1,
            r -> {
              Thread t = new Thread(r, "balancer-test-scheduler");
              t.setDaemon(true);
              t.setUncaughtExceptionHandler((th, e) -> errors.add(e));
              return t;
            });
    scheduler.setRemoveOnCancelPolicy(true);
    LoadBalancer<String> lb =
        LoadBalancer.builder(policy, scheduler)
            .ticker(System::nanoTime) // real threads, real time: injected all the same
            .outlierDetection(
                OutlierDetectionConfig.defaults()
                    .withConsecutiveFailures(3)
                    .withMaxEjectionPercent(50)
                    .withInterval(Duration.ofMillis(5))
                    .withBaseEjectionTime(Duration.ofMillis(2))
                    .withSuccessRateRequestVolume(20))
            .slowStart(SlowStartConfig.of(Duration.ofMillis(20)))
            .zone(ZoneConfig.of("a"))
            .build();
    CountDownLatch firstPicker = new CountDownLatch(1);
    lb.addListener(p -> firstPicker.countDown());
    List<List<Backend<String>>> sets =
        List.of(
            concat(inZone("a", 3), inZone("b", 3)),
            concat(inZone("a", 2), inZone("b", 4)),
            concat(inZone("a", 4), inZone("c", 2)),
            inZone("b", 5));
    lb.update(sets.get(0));
    assertThat(firstPicker.await(10, TimeUnit.SECONDS)).isTrue();

    AtomicBoolean stop = new AtomicBoolean();
    AtomicLong picks = new AtomicLong();
    Thread[] callers = new Thread[CALLERS];
    for (int c = 0; c < CALLERS; c++) {
      callers[c] =
          new Thread(
              () -> {
                ThreadLocalRandom random = ThreadLocalRandom.current();
                Outcome[] outcomes = Outcome.values();
                long rounds = 0;
                while (!stop.get() || rounds < 1000) {
                  Picker<String> picker = lb.picker();
                  if (picker == null) {
                    throw new AssertionError("null picker");
                  }
                  Backend<String> b = random.nextBoolean() ? picker.pick() : picker.pick(rounds);
                  if (b == null) {
                    throw new AssertionError("no backend from a picker of " + picker.size());
                  }
                  b.started();
                  Outcome o = outcomes[random.nextInt(outcomes.length)];
                  lb.report(b, o, Duration.ofNanos(rounds));
                  b.finished();
                  rounds++;
                  picks.incrementAndGet();
                }
              },
              "caller-" + c);
      callers[c].setUncaughtExceptionHandler((th, e) -> errors.add(e));
      callers[c].start();
    }
    for (int u = 0; u < UPDATES; u++) {
      lb.update(sets.get(u % sets.size()));
      // Let the callers make progress between updates, so that the two really interleave.
      long target = picks.get() + PICKS_PER_UPDATE;
      while (picks.get() < target && errors.isEmpty()) {
        Thread.onSpinWait();
      }
    }
    stop.set(true);
    for (Thread t : callers) {
      t.join(TimeUnit.SECONDS.toMillis(30));
      assertThat(t.isAlive()).isFalse();
    }
    lb.close();
    scheduler.shutdown();
    assertThat(scheduler.awaitTermination(10, TimeUnit.SECONDS)).isTrue();

    assertThat(errors).isEmpty();
    assertThat(lb.picker().size()).isPositive();
  }
}
