package io.meridian.balancer.random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.data.Offset.offset;

import io.meridian.balancer.testing.ScriptedRandom;
import java.util.Arrays;
import java.util.List;
import net.jqwik.api.Assume;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

class AliasTableTest {

  @Property(tries = 100)
  void drawsEachIndexWithItsShareOfTheWeightExactly(
      @ForAll @Size(min = 1, max = 200) List<@IntRange(min = 1, max = 1_000_000) Integer> weights) {
    int[] w = weights.stream().mapToInt(Integer::intValue).toArray();
    AliasTable table = AliasTable.of(w);
    double total = Arrays.stream(w).asLongStream().sum();
    double rounding = Math.scalb(1.0, -table.bits()); // at most one coin unit per column
    for (int i = 0; i < w.length; i++) {
      assertThat(table.probability(i)).isCloseTo(w[i] / total, offset(rounding));
    }
  }

  /**
   * Weights 1 and 3 over two columns of 2^29 coin values: column 0 keeps itself below 2^28 and
   * otherwise answers its alias 1; column 1 always keeps itself.
   */
  @Test
  void oneDrawSplitsIntoAColumnAndACoinAtTheThreshold() {
    AliasTable table = AliasTable.of(new int[] {1, 3});
    assertThat(table.bits()).isEqualTo(29);
    int threshold = 1 << 28;
    ScriptedRandom random = ScriptedRandom.of(0, threshold - 1, threshold, 1 << 29, (1 << 30) - 1);
    assertThat(table.next(random)).isZero();
    assertThat(table.next(random)).isZero();
    assertThat(table.next(random)).isOne();
    assertThat(table.next(random)).isOne();
    assertThat(table.next(random)).isOne();
    assertThat(random.bounds()).containsOnly(2 << 29);
  }

  @Test
  void equalWeightsDrawOnceWithoutACoin() {
    AliasTable table = AliasTable.of(new int[] {5, 5, 5});
    ScriptedRandom random = ScriptedRandom.of(2);
    assertThat(table.next(random)).isEqualTo(2);
    assertThat(random.bounds()).containsExactly(3);
    assertThat(table.uniform()).isTrue();
  }

  /**
   * Ten columns round up to sixteen, so a draw is {@code nextInt(2^30)} (no rejection) split into 4
   * column bits and 26 coin bits; the six padding columns answer real indexes.
   */
  @Test
  void columnsRoundUpToAPowerOfTwoSoTheDrawIsTwoToTheThirty() {
    AliasTable table = AliasTable.of(new int[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10});
    assertThat(table.columns()).isEqualTo(16);
    assertThat(table.bits()).isEqualTo(26);
    ScriptedRandom random = ScriptedRandom.of(0, (10 << 26) | 5, (15 << 26) | ((1 << 26) - 1));
    for (int i = 0; i < 3; i++) {
      assertThat(table.next(random)).isBetween(0, 9);
    }
    assertThat(random.bounds()).containsOnly(1 << 30);
    assertThat(AliasTable.of(new int[] {1, 2, 3, 4}).columns()).isEqualTo(4);
    assertThat(AliasTable.of(new int[] {1, 2, 3, 4, 5}).columns()).isEqualTo(8);
  }

  @Property(tries = 100)
  void everyColumnAndCoinAnswersARealIndexAndThePaddingWeighsNothing(
      @ForAll @Size(min = 2, max = 300) List<@IntRange(min = 1, max = 1_000) Integer> weights) {
    int[] w = weights.stream().mapToInt(Integer::intValue).toArray();
    AliasTable table = AliasTable.of(w);
    Assume.that(!table.uniform());
    int bits = table.bits();
    for (int column = 0; column < table.columns(); column++) {
      for (int coin : new int[] {0, (1 << bits) - 1}) {
        int drawn = table.next(ScriptedRandom.of((column << bits) | coin));
        assertThat(drawn).isBetween(0, w.length - 1);
      }
    }
    double sum = 0;
    for (int i = 0; i < w.length; i++) {
      sum += table.probability(i);
    }
    assertThat(sum).isCloseTo(1.0, offset(1e-9));
  }

  @Test
  void beyond16384ColumnsTheCoinIsASecondDraw() {
    int[] w = new int[32_768];
    Arrays.fill(w, 1);
    w[0] = 2;
    AliasTable table = AliasTable.of(w);
    assertThat(table.bits()).isEqualTo(30);
    ScriptedRandom random = ScriptedRandom.of(7, 0);
    assertThat(table.next(random)).isEqualTo(7);
    assertThat(random.bounds()).containsExactly(32_768, 1 << 30);
    assertThat(AliasTable.of(Arrays.copyOf(w, 16_385)).bits()).isEqualTo(30); // 32,768 columns
    assertThat(AliasTable.of(Arrays.copyOf(w, 16_384)).bits()).isEqualTo(16);
  }

  @Test
  void refusesNoWeightsAndNonPositiveOnes() {
    assertThatThrownBy(() -> AliasTable.of(new int[0])).hasMessageContaining("no weights");
    assertThatThrownBy(() -> AliasTable.of(new int[] {1, 0})).hasMessageContaining("positive");
  }
}
