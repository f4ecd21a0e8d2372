package io.meridian.client.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.SplittableRandom;
import java.util.random.RandomGenerator;
import org.junit.jupiter.api.Test;

class BackoffTest {

  private static final long MS = 1_000_000L;

  @Test
  void ceilingsDoubleFromTwiceTheMinimumUpToTheMaximum() {
    Backoff b = new Backoff(Duration.ofMillis(100), Duration.ofSeconds(5), new SplittableRandom(1));

    assertThat(b.ceilingNanos(0)).isEqualTo(200 * MS);
    assertThat(b.ceilingNanos(1)).isEqualTo(400 * MS);
    assertThat(b.ceilingNanos(4)).isEqualTo(3200 * MS);
    assertThat(b.ceilingNanos(5)).isEqualTo(5000 * MS);
    assertThat(b.ceilingNanos(1000)).isEqualTo(5000 * MS);
  }

  @Test
  void everyDelayLiesBetweenTheMinimumAndItsCeiling() {
    Backoff b = new Backoff(Duration.ofMillis(100), Duration.ofSeconds(5), new SplittableRandom(7));

    for (int attempt = 0; attempt < 40; attempt++) {
      for (int i = 0; i < 50; i++) {
        assertThat(b.delayNanos(attempt)).isBetween(100 * MS, b.ceilingNanos(attempt));
      }
    }
  }

  @Test
  void theFirstRetryIsAlreadyJittered() {
    Backoff b = new Backoff(Duration.ofMillis(100), Duration.ofSeconds(5), new SplittableRandom(3));

    long a = b.delayNanos(0);
    boolean differs = false;
    for (int i = 0; i < 20 && !differs; i++) {
      differs = b.delayNanos(0) != a;
    }
    assertThat(differs).isTrue();
  }

  @Test
  void theRandomSourceDecidesWhereInTheRangeADelayFalls() {
    RandomGenerator lowest =
        new RandomGenerator() {
          @Override
          public long nextLong() {
            return 0;
          }

          @Override
          public long nextLong(long origin, long bound) {
            return origin;
          }
        };
    Backoff b = new Backoff(Duration.ofMillis(100), Duration.ofSeconds(5), lowest);

    assertThat(b.delayNanos(10)).isEqualTo(100 * MS);
  }

  @Test
  void equalMinimumAndMaximumMeanAFixedDelay() {
    Backoff b = new Backoff(Duration.ofMillis(50), Duration.ofMillis(50), new SplittableRandom(1));

    assertThat(b.delayNanos(0)).isEqualTo(50 * MS);
    assertThat(b.delayNanos(9)).isEqualTo(50 * MS);
  }

  @Test
  void refusesAZeroMinimumOrAMaximumBelowIt() {
    assertThatThrownBy(
            () -> new Backoff(Duration.ZERO, Duration.ofSeconds(1), new SplittableRandom()))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(
            () -> new Backoff(Duration.ofSeconds(2), Duration.ofSeconds(1), new SplittableRandom()))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
