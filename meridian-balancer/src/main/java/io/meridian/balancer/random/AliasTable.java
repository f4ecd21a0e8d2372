package io.meridian.balancer.random;

import io.meridian.balancer.RandomSource;
import java.math.BigInteger;

/**
 * Draws an index in proportion to integer weights in O(1): Vose's alias method. Built by the {@code
 * random} policy, by {@code least_request} (to draw its candidates) and by {@code ring_hash} (for a
 * pick without a hash), so it is public; it is not meant as a general-purpose API.
 *
 * <p>Design note. Walker's alias method as made linear and numerically safe by Vose (M. D. Vose, "A
 * linear algorithm for generating random numbers with a given distribution", IEEE Trans. Software
 * Eng. 17(9), 1991). Each column keeps itself with probability {@code threshold / 2^bits} and
 * otherwise answers its alias; a draw chooses a column uniformly and flips that coin. The table is
 * built in O(n) with exact integer arithmetic on {@code weight × columns} against the total weight,
 * so equal weights and weights already balanced give columns that always keep themselves; the only
 * rounding is the last bit of each threshold, which moves a column's probability by less than
 * {@code 2^-bits / columns}.
 *
 * <p>Columns: n rounded up to a power of two. The padding columns have weight 0, which Vose's
 * method handles as it is (a column of weight 0 is "small" with threshold 0: it always answers its
 * alias, a real index), so the distribution is unchanged and the padding is never answered. What
 * the padding buys is the draw: {@code nextInt(columns << bits)} is {@code nextInt(2^30)}, which
 * {@link java.util.Random#nextInt(int)} (and so {@code ThreadLocalRandom}) answers for a power of
 * two with a shift of the generator's top bits. Without the padding the bound {@code n << bits} is
 * a power of two only when n is, and otherwise costs an integer division and rejects {@code 1 - n /
 * 2^ceil(log2 n)} of the draws (37.5% at n = 10, 21.9% at 100, 2.3% at 1,000), redrawing through an
 * unpredictable branch. The price is memory: fewer than 2n columns, 8 bytes each.
 *
 * <p>One split draw: {@code nextInt(2^30)} is uniform, so its high part (the column) and low part
 * (the coin) are independent and uniform; one call into the {@link RandomSource} instead of two.
 * 2^30 because it is the largest power of two {@code nextInt} can be bounded by; {@code bits = 30 -
 * log2(columns)}. Beyond 16,384 columns that would leave fewer than 16 coin bits (a rounding of
 * 2^-16 of a column's share), so larger tables take two draws: {@code nextInt(columns)} (a power of
 * two, too) and a 30-bit coin. The coin is compared without a branch ({@code (coin - threshold) >>
 * 31} is -1 exactly when the column keeps itself; both are at most 2^30, so the difference cannot
 * overflow): it is random data, and a branch on it is mispredicted about as often as a column
 * splits. Equal weights skip the coin: one {@code nextInt(n)}.
 *
 * <p>Memory: two int arrays of {@code columns < 2n}. Thread-safety: immutable; {@link #next} is as
 * thread-safe and allocation-free as the {@code RandomSource} it is given.
 */
public final class AliasTable {

  /** Below this many coin bits a split draw rounds too coarsely; take two draws instead. */
  private static final int MIN_SPLIT_BITS = 16;

  /** The bound of a split draw and of a coin: the largest power of two below 2^31. */
  private static final int DRAW_BITS = 30;

  private final int n;
  private final boolean uniform;
  private final boolean split; // one draw of 2^30 split into column and coin; else two draws
  private final int columns; // n rounded up to a power of two
  private final int bits;
  private final int[] threshold;
  private final int[] alias;

  private AliasTable(int n, boolean uniform, int columns, int bits, int[] threshold, int[] alias) {
    this.n = n;
    this.uniform = uniform;
    this.split = bits != DRAW_BITS;
    this.columns = columns;
    this.bits = bits;
    this.threshold = threshold;
    this.alias = alias;
  }

  /**
   * A table drawing index {@code i} with probability {@code weights[i] / sum(weights)}.
   *
   * @throws IllegalArgumentException if there are no weights, more than 2^30, or one is not
   *     positive
   */
  public static AliasTable of(int[] weights) {
    int n = weights.length;
    if (n == 0) {
      throw new IllegalArgumentException("no weights");
    }
    if (n > 1 << DRAW_BITS) {
      throw new IllegalArgumentException("more than 2^30 weights: " + n);
    }
    long total = 0;
    boolean uniform = true;
    for (int w : weights) {
      if (w <= 0) {
        throw new IllegalArgumentException("weights must be positive, got " + w);
      }
      total += w;
      uniform &= w == weights[0];
    }
    int columns = n == 1 ? 1 : Integer.highestOneBit(n - 1) << 1;
    int log2 = Integer.numberOfTrailingZeros(columns);
    int bits = DRAW_BITS - log2 >= MIN_SPLIT_BITS ? DRAW_BITS - log2 : DRAW_BITS;
    int full = 1 << bits;
    int[] threshold = new int[columns];
    int[] alias = new int[columns];
    long[] scaled = new long[columns];
    int[] small = new int[columns];
    int[] large = new int[columns];
    int smalls = 0;
    int larges = 0;
    for (int i = 0; i < columns; i++) {
      scaled[i] = i < n ? (long) weights[i] * columns : 0; // padding weighs 0
      if (scaled[i] < total) {
        small[smalls++] = i;
      } else {
        large[larges++] = i;
      }
    }
    while (smalls > 0 && larges > 0) {
      int s = small[--smalls];
      int l = large[--larges];
      threshold[s] = fraction(scaled[s], total, bits);
      alias[s] = l;
      scaled[l] -= total - scaled[s];
      if (scaled[l] < total) {
        small[smalls++] = l;
      } else {
        large[larges++] = l;
      }
    }
    // Integer arithmetic keeps sum(scaled) == columns × total, so what is left holds exactly one
    // column's worth and keeps itself (floating-point Vose needs this step for rounding residue).
    // For the same reason no small column is ever left over, so a padding column always has a
    // threshold of 0 and a real alias.
    while (larges > 0) {
      int l = large[--larges];
      threshold[l] = full;
      alias[l] = l;
    }
    while (smalls > 0) {
      int s = small[--smalls];
      threshold[s] = full;
      alias[s] = s;
    }
    return new AliasTable(n, uniform, columns, bits, threshold, alias);
  }

  /** floor(part / total * 2^bits) for 0 <= part < total, exactly. */
  private static int fraction(long part, long total, int bits) {
    if (part <= Long.MAX_VALUE >> bits) {
      return (int) ((part << bits) / total);
    }
    return BigInteger.valueOf(part)
        .shiftLeft(bits)
        .divide(BigInteger.valueOf(total))
        .intValueExact();
  }

  /** An index drawn in proportion to its weight. Allocates nothing. */
  public int next(RandomSource random) {
    if (uniform) {
      return random.nextInt(n);
    }
    int column;
    int coin;
    if (split) {
      int r = random.nextInt(1 << DRAW_BITS);
      column = r >>> bits;
      coin = r & ((1 << bits) - 1);
    } else {
      column = random.nextInt(columns);
      coin = random.nextInt(1 << DRAW_BITS);
    }
    int keep = (coin - threshold[column]) >> 31; // -1 when coin < threshold, else 0
    return (column & keep) | (alias[column] & ~keep);
  }

  /** How many indexes it draws from. */
  public int size() {
    return n;
  }

  /** Whether every weight is the same (one plain uniform draw per pick). */
  public boolean uniform() {
    return uniform;
  }

  /** The exact probability this table draws {@code index}, for tests. */
  double probability(int index) {
    double p = 0;
    double scale = 1L << bits;
    for (int c = 0; c < columns; c++) {
      double keep = threshold[c] / scale;
      if (c == index) {
        p += keep;
      }
      if (alias[c] == index) {
        p += 1 - keep;
      }
    }
    return p / columns;
  }

  /** Coin bits per draw, for tests. */
  int bits() {
    return bits;
  }

  /** Columns: n rounded up to a power of two, for tests. */
  int columns() {
    return columns;
  }

  @Override
  public String toString() {
    return "AliasTable{n=" + n + (uniform ? ", uniform" : ", bits=" + bits) + "}";
  }
}
