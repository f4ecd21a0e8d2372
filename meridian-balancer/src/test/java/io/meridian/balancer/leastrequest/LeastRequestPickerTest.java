package io.meridian.balancer.leastrequest;

import static org.assertj.core.api.Assertions.assertThat;

import io.meridian.balancer.Backend;
import io.meridian.balancer.Picker;
import io.meridian.balancer.testing.ScriptedRandom;
import java.util.List;
import net.jqwik.api.Assume;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

class LeastRequestPickerTest {

  /** Draws that make the alias table of two backends answer the first, then the second. */
  private static final int FIRST = 0;

  private static final int SECOND = 1 << 29;

  private static Backend<String> backend(String key, int weight, int active) {
    Backend<String> b = Backend.of(key, key, weight, "");
    for (int i = 0; i < active; i++) {
      b.started();
    }
    return b;
  }

  private static Picker<String> picker(List<Backend<String>> fleet, ScriptedRandom random) {
    return LeastRequestPicker.over(fleet, random, 2, 1.0);
  }

  @Test
  void prefersTheLessLoadedOfTwo() {
    List<Backend<String>> fleet = List.of(backend("busy", 1, 5), backend("idle", 1, 0));
    assertThat(picker(fleet, ScriptedRandom.of(0, 1)).pick().key()).isEqualTo("idle");
    assertThat(picker(fleet, ScriptedRandom.of(1, 0)).pick().key()).isEqualTo("idle");
  }

  @Test
  void aTieGoesToTheFirstCandidateDrawn() {
    List<Backend<String>> fleet = List.of(backend("a", 1, 2), backend("b", 1, 2));
    assertThat(picker(fleet, ScriptedRandom.of(1, 0)).pick().key()).isEqualTo("b");
    assertThat(picker(fleet, ScriptedRandom.of(0, 1)).pick().key()).isEqualTo("a");
  }

  @Test
  void readsTheCountsAtEachPick() {
    Backend<String> a = backend("a", 1, 0);
    Backend<String> b = backend("b", 1, 1);
    Picker<String> picker = picker(List.of(a, b), ScriptedRandom.of(0, 1, 0, 1));
    assertThat(picker.pick()).isSameAs(a);
    a.started();
    a.started();
    assertThat(picker.pick()).isSameAs(b);
  }

  @Test
  void comparesRequestsInFlightPerUnitOfWeight() {
    // light: 1 in flight per unit of weight; heavy: 2 per 3 units
    List<Backend<String>> fleet = List.of(backend("light", 1, 1), backend("heavy", 3, 2));
    assertThat(picker(fleet, ScriptedRandom.of(FIRST, SECOND)).pick().key()).isEqualTo("heavy");
    // heavy: 4 per 3 units
    List<Backend<String>> busier = List.of(backend("light", 1, 1), backend("heavy", 3, 4));
    assertThat(picker(busier, ScriptedRandom.of(SECOND, FIRST)).pick().key()).isEqualTo("light");
  }

  @Test
  void idleCandidatesTieSoTheWeightedDrawDecides() {
    List<Backend<String>> fleet = List.of(backend("light", 1, 0), backend("heavy", 3, 0));
    assertThat(picker(fleet, ScriptedRandom.of(FIRST, SECOND)).pick().key()).isEqualTo("light");
    assertThat(picker(fleet, ScriptedRandom.of(SECOND, FIRST)).pick().key()).isEqualTo("heavy");
  }

  @Property(tries = 200)
  void ofTwoTheLowerActivePerWeightWinsAndATieGoesToTheFirstDrawn(
      @ForAll @IntRange(min = 1, max = 1000) int firstWeight,
      @ForAll @IntRange(min = 1, max = 1000) int secondWeight,
      @ForAll @IntRange(min = 0, max = 50) int firstActive,
      @ForAll @IntRange(min = 0, max = 50) int secondActive) {
    Assume.that(firstWeight != secondWeight); // unequal: the alias table's draws below apply
    List<Backend<String>> fleet =
        List.of(backend("a", firstWeight, firstActive), backend("b", secondWeight, secondActive));
    boolean secondLighter = (long) secondActive * firstWeight < (long) firstActive * secondWeight;
    assertThat(picker(fleet, ScriptedRandom.of(FIRST, SECOND)).pick().key())
        .isEqualTo(secondLighter ? "b" : "a");
    boolean firstLighter = (long) firstActive * secondWeight < (long) secondActive * firstWeight;
    assertThat(picker(fleet, ScriptedRandom.of(SECOND, FIRST)).pick().key())
        .isEqualTo(firstLighter ? "a" : "b");
  }

  @Test
  void aBiasAboveOneWeighsLoadMoreThanWeight() {
    List<Backend<String>> fleet = List.of(backend("light", 1, 1), backend("heavy", 4, 3));
    // bias 1: 1/1 against 3/4, heavy wins; bias 2: 1/1 against 9/4, light wins
    ScriptedRandom draws = ScriptedRandom.of(FIRST, SECOND);
    assertThat(LeastRequestPicker.over(fleet, draws, 2, 1.0).pick().key()).isEqualTo("heavy");
    draws = ScriptedRandom.of(FIRST, SECOND);
    assertThat(LeastRequestPicker.over(fleet, draws, 2, 2.0).pick().key()).isEqualTo("light");
  }

  @Test
  void biasZeroIgnoresLoadAndDrawsOnce() {
    List<Backend<String>> fleet = List.of(backend("light", 1, 0), backend("heavy", 3, 100));
    ScriptedRandom random = ScriptedRandom.of(SECOND);
    assertThat(LeastRequestPicker.over(fleet, random, 2, 0.0).pick().key()).isEqualTo("heavy");
    assertThat(random.bounds()).hasSize(1);
  }

  @Test
  void withEqualWeightsTheBiasChangesNothing() {
    List<Backend<String>> fleet = List.of(backend("busy", 2, 3), backend("idle", 2, 0));
    ScriptedRandom random = ScriptedRandom.of(0, 1);
    assertThat(LeastRequestPicker.over(fleet, random, 2, 0.0).pick().key()).isEqualTo("idle");
  }

  @Test
  void moreChoicesCompareMoreCandidates() {
    List<Backend<String>> fleet =
        List.of(backend("a", 1, 3), backend("b", 1, 2), backend("c", 1, 1), backend("d", 1, 0));
    assertThat(LeastRequestPicker.over(fleet, ScriptedRandom.of(0, 1, 2), 2, 1.0).pick().key())
        .isEqualTo("b");
    assertThat(LeastRequestPicker.over(fleet, ScriptedRandom.of(0, 1, 2), 3, 1.0).pick().key())
        .isEqualTo("c");
  }

  @Test
  void aSingleBackendIsPickedWithoutADraw() {
    ScriptedRandom random = ScriptedRandom.of(0);
    Picker<String> picker = picker(List.of(backend("only", 1, 9)), random);
    assertThat(picker.pick().key()).isEqualTo("only");
    assertThat(random.bounds()).isEmpty();
    assertThat(picker).hasToString("least_request{size=1}");
  }

  @Test
  void noBackendsPickNothing() {
    assertThat(picker(List.of(), ScriptedRandom.of(0)).pick()).isNull();
  }

  @Test
  void namesItsPolicyAndConfiguration() {
    assertThat(picker(List.of(backend("a", 1, 0), backend("b", 1, 0)), ScriptedRandom.of(0)))
        .hasToString("least_request{size=2, choiceCount=2}");
    assertThat(picker(List.of(backend("a", 1, 0), backend("b", 2, 0)), ScriptedRandom.of(0)))
        .hasToString("least_request{size=2, choiceCount=2, activeRequestBias=1.0}");
  }
}
