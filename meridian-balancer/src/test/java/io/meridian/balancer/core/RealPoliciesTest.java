package io.meridian.balancer.core;

import static io.meridian.balancer.core.Fleet.named;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.meridian.balancer.Backend;
import io.meridian.balancer.Outcome;
import io.meridian.balancer.Picker;
import io.meridian.balancer.Policies;
import io.meridian.balancer.Policy;
import io.meridian.balancer.RandomSource;
import io.meridian.balancer.outlier.OutlierDetectionConfig;
import io.meridian.balancer.panic.PanicConfig;
import io.meridian.balancer.slowstart.SlowStartConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The decorators over Meridian's own policies, found by name: every policy must honour the chosen
 * set whatever it does inside it. Skipped for a policy not on the class path.
 */
class RealPoliciesTest {

  private static final int PICKS = 4000;

  private final ManualScheduler scheduler = new ManualScheduler();

  private static Policy policy(String name) {
    assumeTrue(Policies.names().contains(name), name + " is not on the class path yet");
    return Policies.create(name);
  }

  private LoadBalancer<String> balancer(Policy policy) {
    LoadBalancer<String> lb =
        LoadBalancer.builder(policy, scheduler)
            .ticker(scheduler::nanoTime)
            .random(RandomSource.of(new SplittableRandom(7)))
            .panic(PanicConfig.DEFAULT)
            .outlierDetection(
                OutlierDetectionConfig.defaults()
                    .withConsecutiveFailures(1)
                    .withMaxEjectionPercent(100))
            .build();
    lb.update(named("a", 8));
    scheduler.runPending();
    return lb;
  }

  private void eject(LoadBalancer<String> lb, int count) {
    for (int i = 1; i <= count; i++) {
      lb.report(Backend.of("a" + i, "a" + i), Outcome.FAILURE, null);
    }
    scheduler.runPending();
  }

  /** Picks with and without affinity, so hash policies are exercised over many keys. */
  private static Map<String, Integer> picks(Picker<String> picker) {
    Map<String, Integer> out = new HashMap<>();
    for (long i = 0; i < PICKS; i++) {
      Backend<String> b = (i & 1) == 0 ? picker.pick() : picker.pick(i * 0x9E3779B97F4A7C15L);
      out.merge(b == null ? "null" : b.key(), 1, Integer::sum);
    }
    return out;
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "round_robin",
        "weighted_round_robin",
        "random",
        "least_request",
        "ring_hash",
        "maglev"
      })
  void ejectedBackendsAreSkippedAndPickedAgainOnlyInPanic(String name) {
    LoadBalancer<String> lb = balancer(policy(name));
    assertThat(lb.picker().size()).isEqualTo(8);

    eject(lb, 3); // 5 of 8 healthy
    assertThat(lb.picker().size()).isEqualTo(5);
    assertThat(picks(lb.picker())).doesNotContainKeys("a1", "a2", "a3", "null");

    eject(lb, 5); // 3 of 8 healthy: panic
    assertThat(lb.picker().size()).isEqualTo(8);
    assertThat(picks(lb.picker())).containsKeys("a1", "a4", "a8").doesNotContainKey("null");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "round_robin",
        "weighted_round_robin",
        "random",
        "least_request",
        "ring_hash",
        "maglev"
      })
  void concurrentUseNeverFails(String name) throws Exception {
    ConcurrentUseTest.run(policy(name));
  }

  @Test
  void slowStartRampsANewcomersShareUnderWeightedRoundRobin() {
    LoadBalancer<String> lb =
        LoadBalancer.builder(policy("weighted_round_robin"), scheduler)
            .ticker(scheduler::nanoTime)
            .random(RandomSource.of(new SplittableRandom(7)))
            .slowStart(SlowStartConfig.of(Duration.ofSeconds(10)))
            .build();
    List<Picker<String>> published = new ArrayList<>();
    lb.addListener(published::add);
    lb.update(named("a", 4));
    scheduler.runPending();
    published.clear();

    List<Backend<String>> grown = new ArrayList<>(named("a", 4));
    grown.add(Backend.of("new", "new"));
    lb.update(grown);
    scheduler.advance(Duration.ofSeconds(12));

    // Picks over whole cycles (400 + w slots, w the newcomer's scaled weight) are exact.
    List<Integer> newcomerPicks = new ArrayList<>();
    int w = 10;
    for (Picker<String> p : published) {
      newcomerPicks.add(Fleet.pickCounts(p, 400 + w).getOrDefault("new", 0));
      w += 10;
    }
    assertThat(newcomerPicks).containsExactly(10, 20, 30, 40, 50, 60, 70, 80, 90, 100);
  }
}
