package io.meridian.balancer.outlier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class OutlierDetectionConfigTest {

  private final OutlierDetectionConfig d = OutlierDetectionConfig.defaults();

  @Test
  void defaultsAreEnvoys() {
    assertThat(d.consecutiveFailures()).isEqualTo(5);
    assertThat(d.interval()).isEqualTo(Duration.ofSeconds(10));
    assertThat(d.baseEjectionTime()).isEqualTo(Duration.ofSeconds(30));
    assertThat(d.maxEjectionTime()).isEqualTo(Duration.ofSeconds(300));
    assertThat(d.maxEjectionPercent()).isEqualTo(10);
    assertThat(d.successRateMinimumHosts()).isEqualTo(5);
    assertThat(d.successRateRequestVolume()).isEqualTo(100);
    assertThat(d.successRateStdevFactor()).isEqualTo(1.9);
    assertThat(d.timeoutIsFailure()).isFalse();
  }

  @Test
  void badValuesAreRejectedNamingTheField() {
    assertThatThrownBy(() -> d.withConsecutiveFailures(-1))
        .hasMessageStartingWith("consecutiveFailures");
    assertThatThrownBy(() -> d.withConsecutiveConnectFailures(-1))
        .hasMessageStartingWith("consecutiveConnectFailures");
    assertThatThrownBy(() -> d.withInterval(Duration.ZERO)).hasMessageStartingWith("interval");
    assertThatThrownBy(() -> d.withBaseEjectionTime(Duration.ofSeconds(-1)))
        .hasMessageStartingWith("baseEjectionTime");
    assertThatThrownBy(() -> d.withMaxEjectionTime(Duration.ofSeconds(29)))
        .hasMessageStartingWith("maxEjectionTime");
    assertThatThrownBy(() -> d.withMaxEjectionPercent(101))
        .hasMessageStartingWith("maxEjectionPercent");
    assertThatThrownBy(() -> d.withSuccessRateMinimumHosts(0))
        .hasMessageStartingWith("successRateMinimumHosts");
    assertThatThrownBy(() -> d.withSuccessRateRequestVolume(0))
        .hasMessageStartingWith("successRateRequestVolume");
    assertThatThrownBy(() -> d.withSuccessRateStdevFactor(Double.NaN))
        .hasMessageStartingWith("successRateStdevFactor");
    assertThatThrownBy(() -> d.withInterval(null)).hasMessage("interval");
  }

  @Test
  void raisingTheBaseEjectionTimeRaisesTheMaximumWithIt() {
    assertThat(d.withBaseEjectionTime(Duration.ofMinutes(10)).maxEjectionTime())
        .isEqualTo(Duration.ofMinutes(10));
  }
}
