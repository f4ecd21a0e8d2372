package io.meridian.balancer.core;

import static io.meridian.balancer.core.Fleet.keys;
import static io.meridian.balancer.core.Fleet.named;
import static org.assertj.core.api.Assertions.assertThat;

import io.meridian.balancer.Backend;
import io.meridian.balancer.Outcome;
import io.meridian.balancer.outlier.OutlierDetectionConfig;
import io.meridian.balancer.panic.PanicConfig;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The panic threshold over outlier detection: ejected backends are picked only in panic. */
class PanicThresholdTest {

  private final ManualScheduler scheduler = new ManualScheduler();

  private LoadBalancer<String> balancer(PanicConfig panic) {
    LoadBalancer<String> lb =
        LoadBalancer.builder(SequencePolicy.INSTANCE, scheduler)
            .ticker(scheduler::nanoTime)
            .panic(panic)
            .outlierDetection(
                OutlierDetectionConfig.defaults()
                    .withConsecutiveFailures(1)
                    .withMaxEjectionPercent(100))
            .build();
    lb.update(named("a", 4));
    scheduler.runPending();
    return lb;
  }

  private void eject(LoadBalancer<String> lb, String... keys) {
    for (String key : keys) {
      lb.report(Backend.of(key, key), Outcome.FAILURE, null);
    }
    scheduler.runPending();
  }

  @Test
  void ejectedBackendsAreNotPickedWhileHalfOrMoreAreHealthy() {
    LoadBalancer<String> lb = balancer(PanicConfig.DEFAULT);

    eject(lb, "a1", "a2"); // 2 of 4 healthy: 50 % is not below 50 %

    Map<String, Integer> picks = Fleet.pickCounts(lb.picker(), 400);
    assertThat(picks).containsOnlyKeys("a3", "a4");
  }

  @Test
  void belowTheThresholdTrafficSpreadsOverAllBackendsEjectedOrNot() {
    LoadBalancer<String> lb = balancer(PanicConfig.DEFAULT);

    eject(lb, "a1", "a2", "a3"); // 1 of 4 healthy: panic

    Map<String, Integer> picks = Fleet.pickCounts(lb.picker(), 400);
    assertThat(picks).containsOnlyKeys("a1", "a2", "a3", "a4");
    assertThat(picks.values()).allMatch(n -> n == 100);
  }

  @Test
  void panicEndsWhenEjectedBackendsReturn() {
    LoadBalancer<String> lb = balancer(PanicConfig.DEFAULT);
    eject(lb, "a1", "a2", "a3");
    scheduler.advance(Duration.ofSeconds(10));
    eject(lb, "a4"); // all four out: still panic, still everyone
    assertThat(keys(lb.picker())).containsExactly("a1", "a2", "a3", "a4");

    scheduler.advance(Duration.ofSeconds(20)); // a1..a3 back; a4 out until 40 s: no panic

    assertThat(Fleet.pickCounts(lb.picker(), 300)).containsOnlyKeys("a1", "a2", "a3");
  }

  @Test
  void withTheThresholdDisabledEjectedBackendsAreNeverPicked() {
    LoadBalancer<String> lb = balancer(PanicConfig.DISABLED);

    eject(lb, "a1", "a2", "a3");
    assertThat(Fleet.pickCounts(lb.picker(), 100)).containsOnlyKeys("a4");

    eject(lb, "a4");
    assertThat(lb.picker().size()).isZero();
    assertThat(lb.picker().pick()).isNull();
  }

  @Test
  void aHigherThresholdPanicsEarlier() {
    LoadBalancer<String> lb = balancer(new PanicConfig(80));

    eject(lb, "a1"); // 75 % healthy < 80 %

    assertThat(keys(lb.picker())).containsExactly("a1", "a2", "a3", "a4");
  }
}
