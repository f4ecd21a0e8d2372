package io.meridian.balancer.core;

import static io.meridian.balancer.core.Fleet.keys;
import static io.meridian.balancer.core.Fleet.named;
import static org.assertj.core.api.Assertions.assertThat;

import io.meridian.balancer.Backend;
import io.meridian.balancer.Outcome;
import io.meridian.balancer.outlier.OutlierDetectionConfig;
import io.meridian.balancer.panic.PanicConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

/** Outlier detection as the balancer applies it: what is picked, and for how long. */
class OutlierEjectionTest {

  private static final Backend<String> A1 = Backend.of("a1", "a1");

  private final ManualScheduler scheduler = new ManualScheduler();

  private LoadBalancer<String> balancer(OutlierDetectionConfig config, int backends) {
    LoadBalancer<String> lb =
        LoadBalancer.builder(SequencePolicy.INSTANCE, scheduler)
            .ticker(scheduler::nanoTime)
            .outlierDetection(config)
            .build();
    lb.update(named("a", backends));
    scheduler.runPending();
    return lb;
  }

  private void fail(LoadBalancer<String> lb, Backend<String> b, int times) {
    for (int i = 0; i < times; i++) {
      lb.report(b, Outcome.FAILURE, Duration.ofMillis(1));
    }
    scheduler.runPending();
  }

  @Test
  void ejectsABackendAfterTheConfiguredConsecutiveFailures() {
    LoadBalancer<String> lb = balancer(OutlierDetectionConfig.defaults(), 10);

    fail(lb, A1, 4);
    assertThat(keys(lb.picker())).contains("a1");

    fail(lb, A1, 1);
    assertThat(keys(lb.picker())).hasSize(9).doesNotContain("a1");
    assertThat(Fleet.pickCounts(lb.picker(), 90)).doesNotContainKey("a1");
  }

  @Test
  void connectFailuresCountTowardsTheStreakAndASuccessResetsIt() {
    LoadBalancer<String> lb = balancer(OutlierDetectionConfig.defaults(), 10);

    fail(lb, A1, 4);
    lb.report(A1, Outcome.SUCCESS, Duration.ofMillis(1));
    fail(lb, A1, 4);
    assertThat(keys(lb.picker())).contains("a1");

    lb.report(A1, Outcome.CONNECT_FAILURE, Duration.ofMillis(1));
    scheduler.runPending();
    assertThat(keys(lb.picker())).doesNotContain("a1");
  }

  @Test
  void timeoutsAreNotFailuresByDefault() {
    LoadBalancer<String> lb = balancer(OutlierDetectionConfig.defaults(), 10);

    for (int i = 0; i < 20; i++) {
      lb.report(A1, Outcome.TIMEOUT, Duration.ofSeconds(30));
    }
    scheduler.runPending();

    assertThat(keys(lb.picker())).contains("a1");
  }

  @Test
  void restoresTheBackendWhenItsEjectionTimeHasPassed() {
    LoadBalancer<String> lb = balancer(OutlierDetectionConfig.defaults(), 10);
    fail(lb, A1, 5);

    scheduler.advance(Duration.ofSeconds(30).minusNanos(1));
    assertThat(keys(lb.picker())).doesNotContain("a1");

    scheduler.advance(Duration.ofNanos(1));
    assertThat(keys(lb.picker())).hasSize(10).contains("a1");
  }

  @Test
  void eachEjectionLastsLongerUpToTheMaximum() {
    LoadBalancer<String> lb = balancer(OutlierDetectionConfig.defaults(), 10);
    List<Long> seconds = new ArrayList<>();

    for (int ejection = 0; ejection < 12; ejection++) {
      fail(lb, A1, 5); // re-ejected at once: no healthy interval in between to forgive it
      long out = 0;
      while (!keys(lb.picker()).contains("a1")) {
        scheduler.advance(Duration.ofSeconds(1));
        out++;
      }
      seconds.add(out);
    }

    assertThat(seconds)
        .containsExactly(30L, 60L, 90L, 120L, 150L, 180L, 210L, 240L, 270L, 300L, 300L, 300L);
  }

  @Test
  void theMultiplierDecaysWhileTheBackendStaysHealthy() {
    LoadBalancer<String> lb = balancer(OutlierDetectionConfig.defaults(), 10);
    fail(lb, A1, 5);
    scheduler.advance(Duration.ofSeconds(30));
    fail(lb, A1, 5);
    scheduler.advance(Duration.ofSeconds(60)); // ejected twice: multiplier 2

    scheduler.advance(Duration.ofSeconds(30)); // healthy for three intervals: forgiven
    fail(lb, A1, 5);

    scheduler.advance(Duration.ofSeconds(29));
    assertThat(keys(lb.picker())).doesNotContain("a1");
    scheduler.advance(Duration.ofSeconds(1));
    assertThat(keys(lb.picker())).contains("a1");
  }

  @Test
  void neverEjectsBeyondMaxEjectionPercent() {
    LoadBalancer<String> lb = balancer(OutlierDetectionConfig.defaults(), 10);

    fail(lb, A1, 5);
    fail(lb, Backend.of("a2", "a2"), 5);

    assertThat(keys(lb.picker())).hasSize(9).doesNotContain("a1").contains("a2");
  }

  @Test
  void ejectsNothingFromASetTooSmallForThePercentage() {
    // Envoy's rule: (ejected + 1) / total must stay within the cap; 1/9 > 10 %.
    LoadBalancer<String> lb = balancer(OutlierDetectionConfig.defaults(), 9);

    fail(lb, A1, 50);

    assertThat(keys(lb.picker())).hasSize(9);
  }

  @Test
  void successRateEjectionRunsEachInterval() {
    LoadBalancer<String> lb = balancer(OutlierDetectionConfig.defaults(), 10);
    for (int i = 1; i <= 10; i++) {
      Backend<String> b = Backend.of("a" + i, "a" + i);
      for (int r = 0; r < 200; r++) {
        // a3 fails one request in four: never 5 in a row, but far below its peers' 100 %
        boolean fails = i == 3 && r % 4 == 0;
        lb.report(b, fails ? Outcome.FAILURE : Outcome.SUCCESS, Duration.ofMillis(1));
      }
    }
    scheduler.runPending();
    assertThat(keys(lb.picker())).contains("a3");

    scheduler.advance(Duration.ofSeconds(10));

    assertThat(keys(lb.picker())).hasSize(9).doesNotContain("a3");
  }

  /**
   * Whatever the outcomes and however time passes, the ejected share stays within the cap by
   * Envoy's rule ({@code 100 * ejected <= maxEjectionPercent * total}). With the panic threshold
   * off and no zones, the picker holds exactly the non-ejected backends.
   */
  @Property(tries = 300)
  void theEjectedShareNeverExceedsMaxEjectionPercent(
      @ForAll @IntRange(min = 1, max = 30) int backends,
      @ForAll @IntRange(min = 0, max = 100) int maxEjectionPercent,
      @ForAll @IntRange(min = 1, max = 4) int consecutiveFailures,
      @ForAll @Size(max = 400) List<@IntRange(min = 0, max = 9999) Integer> events) {
    ManualScheduler clock = new ManualScheduler();
    LoadBalancer<String> lb =
        LoadBalancer.builder(SequencePolicy.INSTANCE, clock)
            .ticker(clock::nanoTime)
            .panic(PanicConfig.DISABLED)
            .outlierDetection(
                OutlierDetectionConfig.defaults()
                    .withConsecutiveFailures(consecutiveFailures)
                    .withMaxEjectionPercent(maxEjectionPercent)
                    .withSuccessRateRequestVolume(3)
                    .withSuccessRateMinimumHosts(2))
            .build();
    List<Backend<String>> fleet = named("b", backends);
    lb.update(fleet);
    clock.runPending();

    for (int event : events) {
      Backend<String> b = fleet.get((event / 10) % backends);
      switch (event % 10) {
        case 0, 1, 2, 3, 4 -> lb.report(b, Outcome.FAILURE, null);
        case 5 -> lb.report(b, Outcome.CONNECT_FAILURE, null);
        case 6, 7 -> lb.report(b, Outcome.SUCCESS, null);
        case 8 -> lb.report(b, Outcome.TIMEOUT, null);
        default -> clock.advance(Duration.ofSeconds(event / 100));
      }
      clock.runPending();
      int ejected = backends - lb.picker().size();
      assertThat(100 * ejected).isLessThanOrEqualTo(maxEjectionPercent * backends);
    }
  }
}
