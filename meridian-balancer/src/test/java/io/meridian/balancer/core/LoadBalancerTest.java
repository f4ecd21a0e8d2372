package io.meridian.balancer.core;

import static io.meridian.balancer.core.Fleet.keys;
import static io.meridian.balancer.core.Fleet.named;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meridian.balancer.Backend;
import io.meridian.balancer.Outcome;
import io.meridian.balancer.Picker;
import io.meridian.balancer.outlier.OutlierDetectionConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class LoadBalancerTest {

  private final ManualScheduler scheduler = new ManualScheduler();
  private final List<Picker<String>> published = new ArrayList<>();

  private LoadBalancer<String> balancer(LoadBalancer.Builder builder) {
    LoadBalancer<String> lb = builder.ticker(scheduler::nanoTime).build();
    lb.addListener(published::add);
    return lb;
  }

  private LoadBalancer<String> plain() {
    return balancer(LoadBalancer.builder(SequencePolicy.INSTANCE, scheduler));
  }

  private LoadBalancer<String> withOutliers() {
    return balancer(
        LoadBalancer.builder(SequencePolicy.INSTANCE, scheduler)
            .outlierDetection(
                OutlierDetectionConfig.defaults()
                    .withConsecutiveFailures(1)
                    .withMaxEjectionPercent(100)));
  }

  @Test
  void buildingStartsNothingAndPicksNothing() {
    LoadBalancer<String> lb = withOutliers();

    assertThat(scheduler.pending()).isZero();
    assertThat(lb.picker()).isSameAs(Picker.empty());
    assertThat(lb.picker().pick()).isNull();
  }

  @Test
  void anUpdateIsAppliedOnTheSerialExecutorThenPublished() {
    LoadBalancer<String> lb = plain();
    lb.update(named("a", 3));
    assertThat(lb.picker().size()).isZero(); // handed off, not applied inline

    scheduler.runPending();

    assertThat(keys(lb.picker())).containsExactly("a1", "a2", "a3");
    assertThat(published).containsExactly(lb.picker());
    assertThat(List.of(lb.picker().pick(), lb.picker().pick(), lb.picker().pick()))
        .extracting(Backend::key)
        .containsExactly("a1", "a2", "a3");
  }

  @Test
  void aResentSnapshotPublishesNothing() {
    LoadBalancer<String> lb = plain();
    List<Backend<String>> backends = named("a", 3);
    lb.update(backends);
    scheduler.runPending();
    Picker<String> first = lb.picker();

    lb.update(backends);
    lb.update(named("a", 3)); // equal but new instances
    scheduler.runPending();

    assertThat(published).containsExactly(first);
    assertThat(lb.picker()).isSameAs(first);
    assertThat(first.pick()).isSameAs(backends.get(0)); // the first instances are kept
  }

  @Test
  void aChangedWeightPublishesAPickerWithTheNewInstance() {
    LoadBalancer<String> lb = plain();
    lb.update(named("a", 2));
    scheduler.runPending();
    Backend<String> heavier = Backend.of("a2", "a2", 3, "");

    lb.update(List.of(Backend.of("a1", "a1"), heavier));
    scheduler.runPending();

    assertThat(published).hasSize(2);
    assertThat(Fleet.weights(lb.picker())).containsEntry("a2", 3);
  }

  @Test
  void anEmptyUpdatePublishesTheEmptyPicker() {
    LoadBalancer<String> lb = plain();
    lb.update(named("a", 2));
    scheduler.runPending();

    lb.update(List.of());
    scheduler.runPending();

    assertThat(lb.picker()).isSameAs(Picker.empty());
    assertThat(published).hasSize(2);
  }

  @Test
  void duplicateKeysAreRejectedNamingTheKey() {
    LoadBalancer<String> lb = plain();

    assertThatThrownBy(() -> lb.update(List.of(Backend.of("x", "k1"), Backend.of("y", "k1"))))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("\"k1\"");
  }

  @Test
  void aSurvivingKeyKeepsItsEjectionAcrossUpdates() {
    LoadBalancer<String> lb = withOutliers();
    lb.update(named("a", 3));
    scheduler.runPending();
    lb.report(lb.picker().pick(), Outcome.FAILURE, Duration.ofMillis(3)); // a1
    scheduler.runPending();
    assertThat(keys(lb.picker())).containsExactly("a2", "a3");

    List<Backend<String>> next = new ArrayList<>(named("a", 3)); // fresh instances
    next.add(Backend.of("a4", "a4"));
    lb.update(next);
    scheduler.runPending();

    assertThat(keys(lb.picker())).containsExactly("a2", "a3", "a4");
  }

  @Test
  void aKeyThatLeftAndCameBackStartsClean() {
    LoadBalancer<String> lb = withOutliers();
    lb.update(named("a", 3));
    scheduler.runPending();
    lb.report(Backend.of("a1", "a1"), Outcome.FAILURE, null);
    scheduler.runPending();

    lb.update(named("a", 3).subList(1, 3));
    lb.update(named("a", 3));
    scheduler.runPending();

    assertThat(keys(lb.picker())).containsExactly("a1", "a2", "a3");
  }

  @Test
  void reportsForUnknownKeysAreIgnored() {
    LoadBalancer<String> lb = withOutliers();
    lb.update(named("a", 2));
    scheduler.runPending();

    lb.report(Backend.of("zz", "zz"), Outcome.FAILURE, null);
    scheduler.runPending();

    assertThat(published).hasSize(1);
  }

  @Test
  void closingStopsTimersAndIgnoresFurtherUpdates() {
    LoadBalancer<String> lb = withOutliers();
    lb.update(named("a", 3));
    scheduler.runPending();
    lb.report(Backend.of("a1", "a1"), Outcome.FAILURE, null);
    scheduler.runPending();
    assertThat(scheduler.pending()).isEqualTo(2); // the interval, the un-ejection
    Picker<String> last = lb.picker();

    lb.close();
    lb.close();
    lb.update(named("b", 3));
    scheduler.advance(Duration.ofMinutes(10));

    assertThat(scheduler.pending()).isZero();
    assertThat(lb.picker()).isSameAs(last);
  }
}
