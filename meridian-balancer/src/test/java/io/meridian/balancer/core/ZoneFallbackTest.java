package io.meridian.balancer.core;

import static io.meridian.balancer.core.Fleet.concat;
import static io.meridian.balancer.core.Fleet.inZone;
import static io.meridian.balancer.core.Fleet.keys;
import static org.assertj.core.api.Assertions.assertThat;

import io.meridian.balancer.Backend;
import io.meridian.balancer.Outcome;
import io.meridian.balancer.outlier.OutlierDetectionConfig;
import io.meridian.balancer.zone.ZoneConfig;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Zone preference as the balancer applies it, with health and the panic threshold. */
class ZoneFallbackTest {

  private final ManualScheduler scheduler = new ManualScheduler();

  private LoadBalancer<String> balancer(ZoneConfig zone) {
    LoadBalancer<String> lb =
        LoadBalancer.builder(SequencePolicy.INSTANCE, scheduler)
            .ticker(scheduler::nanoTime)
            .zone(zone)
            .outlierDetection(
                OutlierDetectionConfig.defaults()
                    .withConsecutiveFailures(1)
                    .withMaxEjectionPercent(100))
            .build();
    lb.update(concat(inZone("a", 3), inZone("b", 3)));
    scheduler.runPending();
    return lb;
  }

  private void eject(LoadBalancer<String> lb, String... keys) {
    for (String key : keys) {
      lb.report(Backend.of(key, key), Outcome.FAILURE, null);
    }
    scheduler.runPending();
  }

  @Test
  void prefersTheLocalZone() {
    LoadBalancer<String> lb = balancer(ZoneConfig.of("a"));

    assertThat(keys(lb.picker())).containsExactly("a1", "a2", "a3");
    assertThat(Fleet.pickCounts(lb.picker(), 30)).containsOnlyKeys("a1", "a2", "a3");
  }

  @Test
  void fallsBackToHealthyBackendsInAllZonesBelowTheLocalHealthyPercent() {
    LoadBalancer<String> lb = balancer(ZoneConfig.of("a"));

    eject(lb, "a1"); // 2 of 3 = 67 % < 70 %

    assertThat(keys(lb.picker())).containsExactly("a2", "a3", "b1", "b2", "b3");
  }

  @Test
  void returnsToTheLocalZoneWhenItRecovers() {
    LoadBalancer<String> lb = balancer(ZoneConfig.of("a"));
    eject(lb, "a1");

    scheduler.advance(Duration.ofSeconds(30));

    assertThat(keys(lb.picker())).containsExactly("a1", "a2", "a3");
  }

  @Test
  void keepsTheLocalZoneWhileItMeetsALowerThreshold() {
    LoadBalancer<String> lb = balancer(new ZoneConfig("a", 50, 1));

    eject(lb, "a1");

    assertThat(keys(lb.picker())).containsExactly("a2", "a3");
  }

  @Test
  void fallsBackWhenTooFewLocalBackendsAreHealthy() {
    LoadBalancer<String> lb = balancer(new ZoneConfig("a", 0, 3));
    assertThat(keys(lb.picker())).containsExactly("a1", "a2", "a3");

    eject(lb, "a3");

    assertThat(keys(lb.picker())).containsExactly("a1", "a2", "b1", "b2", "b3");
  }

  @Test
  void usesAllZonesWhenTheLocalZoneHasNoBackends() {
    LoadBalancer<String> lb = balancer(ZoneConfig.of("c"));

    assertThat(keys(lb.picker())).containsExactly("a1", "a2", "a3", "b1", "b2", "b3");
  }

  @Test
  void afterFallingBackThePanicThresholdIsJudgedOverAllZones() {
    LoadBalancer<String> lb = balancer(ZoneConfig.of("a"));

    eject(lb, "a1", "a2", "a3");
    assertThat(keys(lb.picker())).containsExactly("b1", "b2", "b3"); // 3 of 6: no panic

    eject(lb, "b1"); // 2 of 6 healthy: panic over every zone
    assertThat(keys(lb.picker())).containsExactly("a1", "a2", "a3", "b1", "b2", "b3");
  }
}
