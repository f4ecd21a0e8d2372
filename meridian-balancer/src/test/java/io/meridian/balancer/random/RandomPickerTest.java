package io.meridian.balancer.random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.data.Offset.offset;

import io.meridian.balancer.Picker;
import io.meridian.balancer.RandomSource;
import io.meridian.balancer.testing.Fleet;
import io.meridian.balancer.testing.ScriptedRandom;
import io.meridian.balancer.testing.Tally;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class RandomPickerTest {

  @Test
  void picksTheBackendTheDrawNames() {
    Picker<String> picker = RandomPicker.over(Fleet.named("a", "b", "c"), ScriptedRandom.of(1, 2));
    assertThat(picker.pick().key()).isEqualTo("b");
    assertThat(picker.pick().key()).isEqualTo("c");
  }

  @Test
  void followsTheWeights() {
    var fleet = Fleet.weighted(1, 3);
    Picker<String> picker = RandomPicker.over(fleet, RandomSource.of(new SplittableRandom(7)));
    Tally tally = Tally.picks(picker, 100_000);
    assertThat(tally.share(Fleet.key(1))).isCloseTo(0.75, offset(0.01));
  }

  @Test
  void aSingleBackendIsPickedWithoutADraw() {
    ScriptedRandom random = ScriptedRandom.of(0);
    Picker<String> picker = RandomPicker.over(Fleet.named("only"), random);
    assertThat(picker.pick().key()).isEqualTo("only");
    assertThat(random.bounds()).isEmpty();
    assertThat(picker).hasToString("random{size=1}");
  }

  @Test
  void noBackendsPickNothing() {
    assertThat(RandomPicker.over(List.of(), ScriptedRandom.of(0)).pick()).isNull();
  }

  @Test
  void namesItsPolicyAndSize() {
    assertThat(RandomPicker.over(Fleet.of(3), ScriptedRandom.of(0))).hasToString("random{size=3}");
    assertThat(RandomPicker.over(Fleet.weighted(1, 2), ScriptedRandom.of(0)))
        .hasToString("random{size=2, weighted}");
  }
}
