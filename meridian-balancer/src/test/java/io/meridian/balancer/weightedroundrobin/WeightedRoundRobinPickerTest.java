package io.meridian.balancer.weightedroundrobin;

import static org.assertj.core.api.Assertions.assertThat;

import io.meridian.balancer.Backend;
import io.meridian.balancer.Picker;
import io.meridian.balancer.testing.Fleet;
import io.meridian.balancer.testing.ScriptedRandom;
import io.meridian.balancer.testing.Tally;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class WeightedRoundRobinPickerTest {

  private static Backend<String> backend(String key, int weight) {
    return Backend.of(key, key, weight, "");
  }

  private static List<String> picks(Picker<String> picker, int n) {
    List<String> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add(picker.pick().key());
    }
    return out;
  }

  private static Picker<String> from(int offset, int... weights) {
    List<Backend<String>> backends = new ArrayList<>();
    for (int i = 0; i < weights.length; i++) {
      backends.add(backend(String.valueOf((char) ('a' + i)), weights[i]));
    }
    return WeightedRoundRobinPicker.over(backends, ScriptedRandom.of(offset));
  }

  private static List<String> sequence(String spaced) {
    return List.of(spaced.split(" "));
  }

  /** nginx's own example (the commit that introduced smooth weighted round robin). */
  @Test
  void weightsFiveOneOneInterleaveAsNginx() {
    assertThat(picks(from(0, 5, 1, 1), 14))
        .containsExactlyElementsOf(sequence("a a b a c a a a a b a c a a"));
  }

  /** Expected sequences computed with a transcription of ngx_http_upstream_get_peer. */
  @Test
  void otherWeightsFollowNginxExactly() {
    assertThat(picks(from(0, 4, 2, 1), 7)).containsExactlyElementsOf(sequence("a b a c a b a"));
    assertThat(picks(from(0, 3, 2), 5)).containsExactlyElementsOf(sequence("a b a b a"));
    assertThat(picks(from(0, 1, 2, 3, 4), 10))
        .containsExactlyElementsOf(sequence("d c b d a c d b c d"));
  }

  @Test
  void scaledWeightsGiveTheSameShorterCycle() {
    Picker<String> picker = from(0, 10, 2, 2);
    assertThat(picks(picker, 7)).containsExactlyElementsOf(sequence("a a b a c a a"));
    assertThat(((WeightedRoundRobinPicker<String>) picker).cycle()).isEqualTo(7);
  }

  @Test
  void startsAtTheOffsetItDrewWithinTheCycle() {
    ScriptedRandom random = ScriptedRandom.of(3);
    Picker<String> picker =
        WeightedRoundRobinPicker.over(
            List.of(backend("a", 5), backend("b", 1), backend("c", 1)), random);
    assertThat(random.bounds()).containsExactly(7);
    assertThat(picks(picker, 7)).containsExactlyElementsOf(sequence("a c a a a a b"));
  }

  @Test
  void equalWeightsAreRoundRobin() {
    assertThat(picks(from(0, 3, 3, 3), 6)).containsExactlyElementsOf(sequence("a b c a b c"));
  }

  @Test
  void everyCycleHoldsEachBackendExactlyItsWeight() {
    List<Backend<String>> fleet = Fleet.weighted(7, 1, 13, 2, 100);
    Picker<String> picker = WeightedRoundRobinPicker.over(fleet, ScriptedRandom.of(57));
    Tally tally = Tally.picks(picker, 123 * 3);
    for (Backend<String> b : fleet) {
      assertThat(tally.count(b.key())).isEqualTo(b.weight() * 3);
    }
  }

  @Test
  void aSingleBackendIsAlwaysPicked() {
    Picker<String> picker = from(0, 9);
    assertThat(picks(picker, 2)).containsExactly("a", "a");
    assertThat(picker).hasToString("weighted_round_robin{size=1}");
  }

  @Test
  void noBackendsPickNothing() {
    assertThat(WeightedRoundRobinPicker.over(List.of(), ScriptedRandom.of(0)).pick()).isNull();
  }

  @Test
  void namesItsPolicySizeAndCycle() {
    assertThat(from(0, 5, 1, 1)).hasToString("weighted_round_robin{size=3, cycle=7}");
  }
}
