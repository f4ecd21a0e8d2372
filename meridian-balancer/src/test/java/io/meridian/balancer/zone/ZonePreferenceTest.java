package io.meridian.balancer.zone;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meridian.balancer.Backend;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ZonePreferenceTest {

  private static final List<Backend<String>> FLEET =
      List.of(
          Backend.of("a1", "a1", 1, "a"),
          Backend.of("a2", "a2", 1, "a"),
          Backend.of("a3", "a3", 1, "a"),
          Backend.of("a4", "a4", 1, "a"),
          Backend.of("b1", "b1", 1, "b"),
          Backend.of("x1", "x1", 1, ""));

  private static List<String> scope(ZoneConfig config, Set<String> unhealthy) {
    return ZonePreference.scope(config, FLEET, b -> !unhealthy.contains(b.key())).stream()
        .map(Backend::key)
        .toList();
  }

  @Test
  void aHealthyLocalZoneIsTheWholeScope() {
    assertThat(scope(ZoneConfig.of("a"), Set.of())).containsExactly("a1", "a2", "a3", "a4");
  }

  @Test
  void theLocalZoneKeepsItsUnhealthyBackendsForThePanicStepToJudge() {
    assertThat(scope(ZoneConfig.of("a"), Set.of("a1"))).containsExactly("a1", "a2", "a3", "a4");
  }

  @Test
  void belowTheHealthyPercentEveryZoneIsInScope() {
    assertThat(scope(ZoneConfig.of("a"), Set.of("a1", "a2"))).hasSize(6); // 50 % < 70 %
  }

  @Test
  void exactlyAtTheHealthyPercentTheLocalZoneStays() {
    assertThat(scope(new ZoneConfig("a", 75, 1), Set.of("a1"))).hasSize(4);
  }

  @Test
  void tooFewHealthyLocalBackendsMeansEveryZone() {
    assertThat(scope(new ZoneConfig("a", 0, 4), Set.of("a1"))).hasSize(6);
    assertThat(scope(new ZoneConfig("a", 0, 3), Set.of("a1"))).hasSize(4);
  }

  @Test
  void noHealthyLocalBackendMeansEveryZoneEvenAtZeroPercent() {
    assertThat(scope(new ZoneConfig("a", 0, 1), Set.of("a1", "a2", "a3", "a4"))).hasSize(6);
  }

  @Test
  void anEmptyLocalZoneTurnsPreferenceOff() {
    assertThat(scope(ZoneConfig.of(""), Set.of())).hasSize(6);
    assertThat(ZoneConfig.of("").enabled()).isFalse();
  }

  @Test
  void badValuesAreRejectedNamingTheField() {
    assertThatThrownBy(() -> new ZoneConfig("a", 101, 1))
        .hasMessageStartingWith("minHealthyPercent");
    assertThatThrownBy(() -> new ZoneConfig("a", 70, 0)).hasMessageStartingWith("minBackends");
    assertThatThrownBy(() -> new ZoneConfig(null, 70, 1)).hasMessage("localZone");
  }
}
