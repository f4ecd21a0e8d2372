package io.meridian.balancer.core;

import static io.meridian.balancer.core.Fleet.named;
import static io.meridian.balancer.core.Fleet.weights;
import static org.assertj.core.api.Assertions.assertThat;

import io.meridian.balancer.Backend;
import io.meridian.balancer.Outcome;
import io.meridian.balancer.Picker;
import io.meridian.balancer.outlier.OutlierDetectionConfig;
import io.meridian.balancer.slowstart.SlowStartConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Slow start as the balancer applies it: a newcomer's share of picks ramps in steps. */
class SlowStartRampTest {

  private static final Backend<String> NEW = Backend.of("new", "new");

  private final ManualScheduler scheduler = new ManualScheduler();
  private final List<Picker<String>> published = new ArrayList<>();

  private LoadBalancer<String> balancer(LoadBalancer.Builder builder) {
    LoadBalancer<String> lb = builder.ticker(scheduler::nanoTime).build();
    lb.addListener(published::add);
    lb.update(named("a", 4));
    scheduler.runPending();
    return lb;
  }

  private LoadBalancer<String> balancer(SlowStartConfig config) {
    return balancer(LoadBalancer.builder(SequencePolicy.INSTANCE, scheduler).slowStart(config));
  }

  private static List<Backend<String>> withNew() {
    List<Backend<String>> out = new ArrayList<>(named("a", 4));
    out.add(NEW);
    return out;
  }

  /** The newcomer's share of one full cycle of the test policy's picks. */
  private static double shareOfNew(Picker<String> picker) {
    int cycle = ((SequencePolicy.SequencePicker<String>) picker).cycle();
    return Fleet.pickCounts(picker, cycle).getOrDefault("new", 0) / (double) cycle;
  }

  @Test
  void theFirstUpdatesBackendsDoNotRamp() {
    LoadBalancer<String> lb = balancer(SlowStartConfig.of(Duration.ofSeconds(10)));

    assertThat(weights(lb.picker()))
        .containsOnly(entry("a1", 100), entry("a2", 100), entry("a3", 100), entry("a4", 100));
    assertThat(scheduler.pending()).isZero(); // no steps to take
  }

  @Test
  void aNewBackendsShareGrowsStepwiseTowardsItsWeight() {
    LoadBalancer<String> lb = balancer(SlowStartConfig.of(Duration.ofSeconds(10)));
    scheduler.advance(Duration.ofSeconds(5));
    published.clear();

    lb.update(withNew());
    scheduler.runPending();
    for (int s = 0; s < 12; s++) {
      scheduler.advance(Duration.ofSeconds(1));
    }

    // 10 % floor at 0 s and 1 s (one picker, the second is a no-op), then 10 points per step.
    assertThat(published)
        .extracting(p -> weights(p).get("new"))
        .containsExactly(10, 20, 30, 40, 50, 60, 70, 80, 90, 100);
    assertThat(published).extracting(p -> weights(p).get("a1")).containsOnly(100);
    List<Double> shares = published.stream().map(SlowStartRampTest::shareOfNew).toList();
    assertThat(shares).isSortedAccordingTo(Double::compare).doesNotHaveDuplicates();
    assertThat(shares.get(0)).isEqualTo(10 / 410.0);
    assertThat(shares.get(shares.size() - 1)).isEqualTo(0.2); // 1 of 5 equal backends
    assertThat(scheduler.pending()).isZero(); // ramp done: no more steps
  }

  @Test
  void aggressionBendsTheRamp() {
    LoadBalancer<String> lb = balancer(new SlowStartConfig(Duration.ofSeconds(10), 2.0, 10));
    published.clear();

    lb.update(withNew());
    scheduler.runPending();
    scheduler.advance(Duration.ofSeconds(1)); // (0.1)^(1/2) = 0.316
    scheduler.advance(Duration.ofSeconds(3)); // (0.4)^(1/2) = 0.632

    assertThat(published)
        .extracting(p -> weights(p).get("new"))
        .containsExactly(10, 32, 45, 55, 63);
  }

  @Test
  void aSurvivorKeepsItsSlowStartClock() {
    LoadBalancer<String> lb = balancer(SlowStartConfig.of(Duration.ofSeconds(10)));
    lb.update(withNew());
    scheduler.advance(Duration.ofSeconds(5));
    assertThat(weights(lb.picker())).containsEntry("new", 50);

    List<Backend<String>> again = new ArrayList<>(named("a", 4));
    again.add(Backend.of("new", "new")); // a fresh instance of the same endpoint
    again.add(Backend.of("newer", "newer"));
    lb.update(again);
    scheduler.runPending();

    assertThat(weights(lb.picker())).containsEntry("new", 50).containsEntry("newer", 10);
  }

  @Test
  void aSteadyBackendIsTheSameObjectInEveryPicker() {
    LoadBalancer<String> lb = balancer(SlowStartConfig.of(Duration.ofSeconds(10)));
    Picker<String> before = lb.picker();
    lb.update(withNew());
    scheduler.advance(Duration.ofSeconds(3));

    Backend<String> a1Before = ((SequencePolicy.SequencePicker<String>) before).backends().get(0);
    Backend<String> a1After =
        ((SequencePolicy.SequencePicker<String>) lb.picker()).backends().get(0);
    assertThat(a1After).isSameAs(a1Before);
    assertThat(a1After.value()).isEqualTo("a1");
  }

  @Test
  void reportsAboutAWeightedCopyReachTheBackend() {
    LoadBalancer<String> lb =
        balancer(
            LoadBalancer.builder(SequencePolicy.INSTANCE, scheduler)
                .slowStart(SlowStartConfig.of(Duration.ofSeconds(10)))
                .outlierDetection(
                    OutlierDetectionConfig.defaults()
                        .withConsecutiveFailures(1)
                        .withMaxEjectionPercent(100)));
    Backend<String> picked = lb.picker().pick();
    assertThat(picked.weight()).isEqualTo(100); // a copy, scaled

    lb.report(picked, Outcome.FAILURE, null);
    scheduler.runPending();

    assertThat(Fleet.keys(lb.picker())).doesNotContain(picked.key());
  }

  private static java.util.Map.Entry<String, Integer> entry(String k, int v) {
    return java.util.Map.entry(k, v);
  }
}
