package io.meridian.balancer.slowstart;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.meridian.balancer.Backend;
import java.time.Duration;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.DoubleRange;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;
import org.junit.jupiter.api.Test;

class SlowStartTest {

  private static final long SECOND = 1_000_000_000L;

  private final SlowStart linear = new SlowStart(SlowStartConfig.of(Duration.ofSeconds(10)));

  @Test
  void aLinearRampStartsAtTheFloorAndReachesOneAtTheWindow() {
    assertThat(linear.factor(0)).isEqualTo(0.1);
    assertThat(linear.factor(SECOND)).isEqualTo(0.1);
    assertThat(linear.factor(5 * SECOND)).isEqualTo(0.5);
    assertThat(linear.factor(10 * SECOND - 1)).isCloseTo(1.0, within(1e-9));
    assertThat(linear.factor(10 * SECOND)).isEqualTo(1.0);
    assertThat(linear.factor(-SECOND)).isEqualTo(0.1);
  }

  @Test
  void aggressionAboveOneRampsFasterEarly() {
    SlowStart fast = new SlowStart(new SlowStartConfig(Duration.ofSeconds(10), 2.0, 0));

    assertThat(fast.factor(SECOND)).isCloseTo(Math.sqrt(0.1), within(1e-12));
    assertThat(fast.factor(SECOND)).isGreaterThan(linear.factor(2 * SECOND));
  }

  @Test
  void weightsAreScaledByAHundred() {
    assertThat(linear.weight(1, 0, 0)).isEqualTo(10);
    assertThat(linear.weight(3, 0, 5 * SECOND)).isEqualTo(150);
    assertThat(linear.weight(1000, 0, 20 * SECOND)).isEqualTo(100_000);
    assertThat(SlowStart.fullWeight(Backend.MAX_WEIGHT)).isEqualTo(Backend.MAX_WEIGHT);
  }

  @Test
  void stepsAreATenthOfTheWindowButNoShorterThan100ms() {
    assertThat(linear.stepNanos()).isEqualTo(SECOND);
    assertThat(new SlowStart(SlowStartConfig.of(Duration.ofMillis(300))).stepNanos())
        .isEqualTo(100_000_000L);
  }

  @Test
  void theGridStartsAtTheOriginAndCountsWholeSteps() {
    long origin = 42 * SECOND + 7;

    assertThat(linear.onGrid(origin, origin + 3 * SECOND + 5)).isEqualTo(origin + 3 * SECOND);
    assertThat(linear.nanosToNextStep(origin, origin + 3 * SECOND + 5)).isEqualTo(SECOND - 5);
    assertThat(linear.nanosToNextStep(origin, origin)).isEqualTo(SECOND);
  }

  @Test
  void aZeroWindowIsNotASlowStart() {
    assertThat(SlowStartConfig.OFF.enabled()).isFalse();
    assertThatThrownBy(() -> new SlowStart(SlowStartConfig.OFF)).hasMessageContaining("window");
  }

  @Test
  void badValuesAreRejectedNamingTheField() {
    assertThatThrownBy(() -> SlowStartConfig.of(Duration.ofSeconds(-1)))
        .hasMessageStartingWith("window");
    assertThatThrownBy(() -> new SlowStartConfig(Duration.ofSeconds(1), 0, 10))
        .hasMessageStartingWith("aggression");
    assertThatThrownBy(() -> new SlowStartConfig(Duration.ofSeconds(1), 1, 101))
        .hasMessageStartingWith("minWeightPercent");
  }

  /** Whatever the configuration, the ramp never falls and stays within [1, full weight]. */
  @Property(tries = 500)
  void theRampNeverFallsAndNeverExceedsTheFullWeight(
      @ForAll @IntRange(min = 1, max = 1000) int weight,
      @ForAll @DoubleRange(min = 0.1, max = 10) double aggression,
      @ForAll @DoubleRange(min = 0, max = 100) double minWeightPercent,
      @ForAll @LongRange(min = 1, max = 600) long windowSeconds) {
    SlowStart s =
        new SlowStart(
            new SlowStartConfig(Duration.ofSeconds(windowSeconds), aggression, minWeightPercent));
    int previous = 0;
    for (long t = 0; t <= windowSeconds * SECOND; t += s.stepNanos()) {
      int w = s.weight(weight, 0, t);
      assertThat(w).isBetween(Math.max(previous, 1), SlowStart.fullWeight(weight));
      previous = w;
    }
    assertThat(s.weight(weight, 0, windowSeconds * SECOND)).isEqualTo(SlowStart.fullWeight(weight));
  }
}
