package io.meridian.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The retry token bucket, on a fake ticker. */
class RetryBudgetTest {

  private final AtomicLong now = new AtomicLong(1_000_000_000L);

  private void advance(Duration d) {
    now.addAndGet(d.toNanos());
  }

  private static int withdrawAll(RetryBudget b) {
    int n = 0;
    while (b.tryWithdraw()) {
      n++;
      if (n > 1_000_000) {
        throw new AssertionError("the budget never runs out");
      }
    }
    return n;
  }

  @Test
  void fiveRequestsAtTwentyPercentEarnOneRetry() {
    RetryBudget b = RetryBudget.of(0.2, 0, now::get);
    assertThat(b.available()).isZero();
    assertThat(b.tryWithdraw()).isFalse();

    for (int round = 0; round < 50; round++) {
      for (int request = 0; request < 4; request++) {
        b.deposit();
      }
      assertThat(b.tryWithdraw()).as("round %d: after four requests", round).isFalse();
      b.deposit();
      assertThat(b.tryWithdraw()).as("round %d: after five requests", round).isTrue();
      assertThat(b.tryWithdraw()).as("round %d: one retry only", round).isFalse();
    }
  }

  @Test
  void aHundredRequestsAtTwentyPercentEarnTwentyRetries() {
    RetryBudget b = RetryBudget.of(0.2, 0, now::get);

    for (int request = 0; request < 100; request++) {
      b.deposit();
    }

    assertThat(b.available()).isEqualTo(20);
    assertThat(withdrawAll(b)).isEqualTo(20);
  }

  @Test
  void theTrickleStartsWithOneSecondsWorthAndRefillsOverTime() {
    RetryBudget b = RetryBudget.of(0, 10, now::get);
    assertThat(b.available()).isEqualTo(10);
    assertThat(withdrawAll(b)).isEqualTo(10);

    advance(Duration.ofMillis(99));
    assertThat(b.tryWithdraw()).isFalse();
    advance(Duration.ofMillis(1));
    assertThat(b.tryWithdraw()).as("0.1 s at 10/s").isTrue();
    assertThat(b.tryWithdraw()).isFalse();

    advance(Duration.ofMillis(500));
    assertThat(withdrawAll(b)).isEqualTo(5);
  }

  @Test
  void theTrickleAndDepositsAddUp() {
    RetryBudget b = RetryBudget.of(0.5, 1, now::get);
    withdrawAll(b);

    b.deposit(); // 0.5
    advance(Duration.ofMillis(500)); // + 0.5

    assertThat(b.tryWithdraw()).isTrue();
    assertThat(b.tryWithdraw()).isFalse();
  }

  @Test
  void theBucketHoldsTenSecondsOfTricklePlusAHundredRequestsDeposits() {
    RetryBudget b = RetryBudget.of(0.2, 10, now::get);

    advance(Duration.ofHours(1));
    assertThat(b.available()).isEqualTo(10 * 10 + 20);
    for (int i = 0; i < 1000; i++) {
      b.deposit();
    }
    assertThat(b.available()).isEqualTo(120);
    assertThat(withdrawAll(b)).isEqualTo(120);
  }

  @Test
  void aTinyBudgetStillHoldsOneRetry() {
    RetryBudget b = RetryBudget.of(0.001, 0, now::get);

    for (int i = 0; i < 100_000; i++) {
      b.deposit();
    }

    assertThat(b.available()).isEqualTo(1);
  }

  @Test
  void timeGoingBackwardsAddsNothing() {
    RetryBudget b = RetryBudget.of(0, 10, now::get);
    withdrawAll(b);

    advance(Duration.ofSeconds(-5));
    assertThat(b.available()).isZero();
    advance(Duration.ofSeconds(5)); // back where it was: still nothing new
    assertThat(b.available()).isZero();
    advance(Duration.ofMillis(100));
    assertThat(b.available()).isEqualTo(1);
  }

  @Test
  void noneNeverAllowsARetry() {
    RetryBudget b = RetryBudget.none();

    for (int i = 0; i < 1000; i++) {
      b.deposit();
    }

    assertThat(b.available()).isZero();
    assertThat(b.tryWithdraw()).isFalse();
  }

  @Test
  void theDefaultsAllowTenRetriesAtOnce() {
    RetryBudget b = RetryBudget.defaults();

    assertThat(b.available()).isBetween(10, 11);
  }

  @ParameterizedTest
  @ValueSource(doubles = {-0.1, 1.01, Double.NaN})
  void aRatioOutside0To1IsRefusedNamingIt(double ratio) {
    assertThatThrownBy(() -> RetryBudget.of(ratio, 10, now::get))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("ratio");
  }

  @ParameterizedTest
  @ValueSource(doubles = {-1, Double.NaN})
  void aNegativeTrickleIsRefusedNamingIt(double minPerSecond) {
    assertThatThrownBy(() -> RetryBudget.of(0.2, minPerSecond, now::get))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("minPerSecond");
  }
}
