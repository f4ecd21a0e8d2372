package io.meridian.balancer.outlier;

import static org.assertj.core.api.Assertions.assertThat;

import io.meridian.balancer.Outcome;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** The detector on its own: time is a number the test chooses. */
class OutlierDetectorTest {

  private static final long SECOND = 1_000_000_000L;
  private static final long T0 = 777 * SECOND; // arbitrary origin

  private static List<String> keys(int n) {
    return IntStream.rangeClosed(1, n).mapToObj(i -> "h" + i).toList();
  }

  private static OutlierDetector detector(OutlierDetectionConfig config, int hosts) {
    OutlierDetector d = new OutlierDetector(config);
    d.reconcile(keys(hosts));
    return d;
  }

  /** Reports {@code requests} outcomes for {@code key}, {@code successes} of them successes. */
  private static void traffic(OutlierDetector d, String key, int requests, int successes) {
    for (int i = 0; i < requests; i++) {
      // spread the failures so that no streak forms
      boolean success = (long) i * successes / requests != (long) (i + 1) * successes / requests;
      d.record(key, success ? Outcome.SUCCESS : Outcome.FAILURE);
    }
  }

  private static List<String> ejected(OutlierDetector d, int hosts) {
    List<String> out = new ArrayList<>();
    for (String k : keys(hosts)) {
      if (d.isEjected(k)) {
        out.add(k);
      }
    }
    return out;
  }

  @Test
  void theRecordThatCompletesAStreakSaysSoOnce() {
    OutlierDetector d = detector(OutlierDetectionConfig.defaults(), 10);

    List<Boolean> answers = new ArrayList<>();
    for (int i = 0; i < 7; i++) {
      answers.add(d.record("h1", Outcome.FAILURE));
    }

    assertThat(answers).containsExactly(false, false, false, false, true, false, false);
  }

  @Test
  void consecutiveConnectFailuresEjectOnTheirOwnThresholdAndAnAnswerResetsThem() {
    OutlierDetector d =
        detector(
            OutlierDetectionConfig.defaults()
                .withConsecutiveFailures(0)
                .withConsecutiveConnectFailures(3),
            10);

    d.record("h1", Outcome.CONNECT_FAILURE);
    d.record("h1", Outcome.CONNECT_FAILURE);
    d.record("h1", Outcome.FAILURE); // it answered: reachable
    d.record("h1", Outcome.CONNECT_FAILURE);
    d.record("h1", Outcome.CONNECT_FAILURE);
    assertThat(d.record("h1", Outcome.CONNECT_FAILURE)).isTrue();

    assertThat(d.onConsecutiveFailures("h1", T0)).isTrue();
    assertThat(d.isEjected("h1")).isTrue();
  }

  @Test
  void timeoutsCountAsFailuresOnlyWhenConfigured() {
    OutlierDetector lenient = detector(OutlierDetectionConfig.defaults(), 10);
    OutlierDetector strict =
        detector(OutlierDetectionConfig.defaults().withTimeoutIsFailure(true), 10);

    boolean lenientReached = false;
    boolean strictReached = false;
    for (int i = 0; i < 5; i++) {
      lenientReached |= lenient.record("h1", Outcome.TIMEOUT);
      strictReached |= strict.record("h1", Outcome.TIMEOUT);
    }

    assertThat(lenientReached).isFalse();
    assertThat(strictReached).isTrue();
  }

  @Test
  void unknownKeysAreIgnored() {
    OutlierDetector d = detector(OutlierDetectionConfig.defaults().withConsecutiveFailures(1), 10);

    assertThat(d.record("nobody", Outcome.FAILURE)).isFalse();
    assertThat(d.onConsecutiveFailures("nobody", T0)).isFalse();
  }

  @Test
  void aStreakCompletedWhileEjectedChangesNothing() {
    OutlierDetector d = detector(OutlierDetectionConfig.defaults().withConsecutiveFailures(1), 10);
    d.record("h1", Outcome.FAILURE);
    d.onConsecutiveFailures("h1", T0);

    d.record("h1", Outcome.FAILURE);

    assertThat(d.onConsecutiveFailures("h1", T0 + SECOND)).isFalse();
    assertThat(d.nanosUntilNextUnejection(T0 + SECOND)).isEqualTo(29 * SECOND);
  }

  @Test
  void successRateEjectsBelowMeanMinusStdevFactorTimesStdev() {
    // Envoy's worked example: rates {50, 100, 100, 100, 100}: mean 90, stdev 20, threshold 52.
    OutlierDetector d = detector(OutlierDetectionConfig.defaults().withMaxEjectionPercent(20), 5);
    traffic(d, "h1", 100, 50);
    for (int i = 2; i <= 5; i++) {
      traffic(d, "h" + i, 100, 100);
    }

    assertThat(d.onInterval(T0)).isTrue();

    assertThat(ejected(d, 5)).containsExactly("h1");
  }

  @Test
  void successRateOverASyntheticPopulationEjectsOnlyTheOutliers() {
    // 40 hosts around 99 % (97..100), two sick ones at 80 % and 88 %; cap 10 % = 4 hosts.
    OutlierDetector d = detector(OutlierDetectionConfig.defaults(), 42);
    for (int i = 1; i <= 40; i++) {
      traffic(d, "h" + i, 200, 194 + i % 7);
    }
    traffic(d, "h41", 200, 160);
    traffic(d, "h42", 200, 176);

    d.onInterval(T0);

    assertThat(ejected(d, 42)).containsExactly("h41", "h42");
  }

  @Test
  void theCapKeepsTheWorstOut() {
    // Three outliers below the threshold, but a 10 % cap on 20 hosts: only two may go.
    OutlierDetector d = detector(OutlierDetectionConfig.defaults(), 20);
    for (int i = 1; i <= 17; i++) {
      traffic(d, "h" + i, 100, 100);
    }
    traffic(d, "h18", 100, 30);
    traffic(d, "h19", 100, 10); // the worst
    traffic(d, "h20", 100, 20); // the second worst

    d.onInterval(T0);

    assertThat(ejected(d, 20)).containsExactly("h19", "h20");
  }

  @Test
  void hostsBelowTheRequestVolumeAreNotJudged() {
    OutlierDetector d = detector(OutlierDetectionConfig.defaults().withMaxEjectionPercent(50), 6);
    traffic(d, "h1", 99, 0); // all failing, but only 99 requests
    for (int i = 2; i <= 6; i++) {
      traffic(d, "h" + i, 100, 100);
    }
    // (its failure streaks are reported by record() but not acted on here)

    assertThat(d.onInterval(T0)).isFalse();
  }

  @Test
  void tooFewHostsWithVolumeJudgeNobody() {
    OutlierDetector d =
        detector(
            OutlierDetectionConfig.defaults().withConsecutiveFailures(0).withMaxEjectionPercent(50),
            10);
    traffic(d, "h1", 100, 0);
    for (int i = 2; i <= 4; i++) {
      traffic(d, "h" + i, 100, 100);
    } // 4 hosts with volume < 5

    assertThat(d.onInterval(T0)).isFalse();
  }

  @Test
  void eachIntervalJudgesOnlyItsOwnRequests() {
    OutlierDetector d =
        detector(
            OutlierDetectionConfig.defaults().withConsecutiveFailures(0).withMaxEjectionPercent(20),
            5);
    for (int i = 1; i <= 5; i++) {
      traffic(d, "h" + i, 60, i == 1 ? 0 : 60);
    }
    d.onInterval(T0); // 60 requests each: below the volume
    for (int i = 1; i <= 5; i++) {
      traffic(d, "h" + i, 60, 60);
    }

    assertThat(d.onInterval(T0 + 10 * SECOND)).isFalse(); // h1's failures are not carried over
  }

  @Test
  void successRateEjectionCanBeTurnedOff() {
    OutlierDetector d =
        detector(
            OutlierDetectionConfig.defaults()
                .withSuccessRateEjection(false)
                .withMaxEjectionPercent(20),
            5);
    traffic(d, "h1", 100, 50);
    for (int i = 2; i <= 5; i++) {
      traffic(d, "h" + i, 100, 100);
    }

    assertThat(d.onInterval(T0)).isFalse();
  }

  @Test
  void ejectionTimesFollowBaseTimesMultiplierCappedAtMax() {
    OutlierDetector d =
        detector(
            OutlierDetectionConfig.defaults()
                .withConsecutiveFailures(1)
                .withBaseEjectionTime(Duration.ofSeconds(10))
                .withMaxEjectionTime(Duration.ofSeconds(25)),
            10);
    List<Long> durations = new ArrayList<>();
    long now = T0;
    for (int i = 0; i < 4; i++) {
      d.record("h1", Outcome.FAILURE);
      d.onConsecutiveFailures("h1", now);
      long out = d.nanosUntilNextUnejection(now);
      durations.add(out / SECOND);
      now += out;
      assertThat(d.unejectDue(now)).isTrue();
    }

    assertThat(durations).containsExactly(10L, 20L, 25L, 25L);
  }

  @Test
  void removedHostsAreForgottenAndNoLongerCountTowardsTheCap() {
    OutlierDetector d = detector(OutlierDetectionConfig.defaults().withConsecutiveFailures(1), 10);
    d.record("h1", Outcome.FAILURE);
    d.onConsecutiveFailures("h1", T0);
    assertThat(d.ejectedCount()).isEqualTo(1);

    d.reconcile(keys(10).subList(1, 10));

    assertThat(d.ejectedCount()).isZero();
    assertThat(d.nanosUntilNextUnejection(T0)).isEqualTo(Long.MAX_VALUE);
  }
}
