package io.meridian.proxy.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class LatencyHistogramTest {

  @Test
  void aValueOnABoundCountsInThatBucketAndOneNanoMoreInTheNext() {
    LatencyHistogram h = new LatencyHistogram();

    h.record(1_000_000L);
    h.record(1_000_001L);

    assertThat(h.counts()).containsExactly(0, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);
    assertThat(h.sumNanos()).isEqualTo(2_000_001L);
  }

  @Test
  void negativeValuesCountAsZeroAndSlowOnesLandPastTheLastBound() {
    LatencyHistogram h = new LatencyHistogram();

    h.record(-5);
    h.record(5_000_000_000L);
    h.record(60_000_000_000L);

    assertThat(h.counts()).containsExactly(1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1);
    assertThat(h.sumNanos()).isEqualTo(65_000_000_000L);
  }

  @Test
  void boundsAreThirteenIncreasingSecondsFromHalfAMillisecondToFive() {
    assertThat(LatencyHistogram.upperBoundsSeconds())
        .containsExactly(
            0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0);
  }
}
