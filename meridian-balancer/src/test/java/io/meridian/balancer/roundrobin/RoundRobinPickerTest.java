package io.meridian.balancer.roundrobin;

import static org.assertj.core.api.Assertions.assertThat;

import io.meridian.balancer.Backend;
import io.meridian.balancer.Picker;
import io.meridian.balancer.RandomSource;
import io.meridian.balancer.testing.Fleet;
import io.meridian.balancer.testing.ScriptedRandom;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class RoundRobinPickerTest {

  private static final List<Backend<String>> ABC = Fleet.named("a", "b", "c");

  private static List<String> picks(Picker<String> picker, int n) {
    List<String> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add(picker.pick().key());
    }
    return out;
  }

  @Test
  void visitsTheBackendsInTurnFromOffsetZero() {
    Picker<String> picker = RoundRobinPicker.over(ABC, ScriptedRandom.of(0));
    assertThat(picks(picker, 7)).containsExactly("a", "b", "c", "a", "b", "c", "a");
  }

  @Test
  void startsAtTheOffsetItDrew() {
    ScriptedRandom random = ScriptedRandom.of(2);
    Picker<String> picker = RoundRobinPicker.over(ABC, random);
    assertThat(random.bounds()).containsExactly(3);
    assertThat(picks(picker, 4)).containsExactly("c", "a", "b", "c");
  }

  @Test
  void differentSeedsStartDifferentPickersAtDifferentBackends() {
    List<Backend<String>> fleet = Fleet.of(10);
    Set<String> firstPicks = new HashSet<>();
    for (long seed = 0; seed < 20; seed++) {
      RandomSource random = RandomSource.of(new SplittableRandom(seed));
      firstPicks.add(RoundRobinPicker.over(fleet, random).pick().key());
    }
    assertThat(firstPicks).hasSizeGreaterThan(3);
  }

  @Test
  void ignoresWeights() {
    Picker<String> picker = RoundRobinPicker.over(Fleet.weighted(5, 1), ScriptedRandom.of(0));
    assertThat(picks(picker, 4))
        .containsExactly(Fleet.key(0), Fleet.key(1), Fleet.key(0), Fleet.key(1));
  }

  @Test
  void aSingleBackendIsAlwaysPickedWithoutDrawingAnOffset() {
    ScriptedRandom random = ScriptedRandom.of(0);
    Picker<String> picker = RoundRobinPicker.over(Fleet.named("only"), random);
    assertThat(picks(picker, 3)).containsExactly("only", "only", "only");
    assertThat(random.bounds()).isEmpty();
    assertThat(picker.size()).isOne();
    assertThat(picker).hasToString("round_robin{size=1}");
  }

  @Test
  void noBackendsPickNothing() {
    Picker<String> picker = RoundRobinPicker.over(List.of(), ScriptedRandom.of(0));
    assertThat(picker).isSameAs(Picker.empty());
    assertThat(picker.pick()).isNull();
  }

  @Test
  void namesItsPolicyAndSize() {
    assertThat(RoundRobinPicker.over(ABC, ScriptedRandom.of(0)))
        .hasToString("round_robin{size=3}")
        .extracting(Picker::size)
        .isEqualTo(3);
  }

  @Test
  void theHashIsIgnored() {
    Picker<String> picker = RoundRobinPicker.over(ABC, ScriptedRandom.of(0));
    assertThat(picker.pick(42).key()).isEqualTo("a");
    assertThat(picker.pick(42).key()).isEqualTo("b");
  }
}
