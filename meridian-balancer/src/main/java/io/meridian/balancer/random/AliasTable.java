package io.meridian.balancer.random;

import io.meridian.balancer.RandomSource;
import java.math.BigInteger;

/**
 * Draws an index in proportion to integer weights in O(1): Vose's alias method. Built by the {@code
 * random} policy and by {@code least_request} (to draw its candidates), so it is public; it is not
 * meant as a general-purpose API.
 *
 * <p>Design note. Walker's alias method as made linear and numerically safe by Vose (M. D. Vose, "A
 * linear algorithm for generating random numbers with a given distribution", IEEE Trans. Software
 * Eng. 17(9), 1991). Each of the n columns keeps itself with probability {@code threshold / 2^bits}
 * and otherwise answers its alias; a draw chooses a column uniformly and flips that coin. The table
 * is built in O(n) with exact integer arithmetic on {@code weight × n} against the total weight, so
 * equal weights and weights already balanced give columns that always keep themselves; the only
 * rounding is the last bit of each threshold, which moves a column's probability by less than
 * {@code 2^-bits / n}.
 *
 * <p>One split draw: {@code nextInt(n << bits)} is uniform, so its high part (the column) and low
 * part (the coin) are independent and uniform; one call into the {@link RandomSource} instead of
 * two. {@code bits = 30 - floor(log2 n)} is the most that keeps {@code n << bits} below 2^31; from
 * n = 32,768 on that would leave fewer than 16 coin bits (a rounding of 2^-16 per column), so
 * larger tables take two draws with a 30-bit coin. Equal weights skip the coin: one {@code
 * nextInt(n)}.
 *
 * <p>Memory: two int arrays of n. Thread-safety: immutable; {@link #next} is as thread-safe and
 * allocation-free as the {@code RandomSource} it is given.
 */
public final class AliasTable {

  /** Below this many coin bits a split draw rounds too coarsely; take two draws instead. */
  private static final int MIN_SPLIT_BITS = 16;

  private static final int TWO_DRAW_BITS = 30;

  private final int n;
  private final boolean uniform;
  private final int bits;
  private final int bound; // n << bits when splitting one draw, 0 when drawing twice
  private final int[] threshold;
  private final int[] alias;

  private AliasTable(int n, boolean uniform, int bits, int[] threshold, int[] alias) {
    this.n = n;
    this.uniform = uniform;
    this.bits = bits;
    this.bound = bits == TWO_DRAW_BITS ? 0 : n << bits;
    this.threshold = threshold;
    this.alias = alias;
  }

  /**
   * A table drawing index {@code i} with probability {@code weights[i] / sum(weights)}.
   *
   * @throws IllegalArgumentException if there are no weights or one is not positive
   */
  public static AliasTable of(int[] weights) {
    int n = weights.length;
    if (n == 0) {
      throw new IllegalArgumentException("no weights");
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
    int log2 = 31 - Integer.numberOfLeadingZeros(n);
    int bits = 30 - log2 >= MIN_SPLIT_BITS ? 30 - log2 : TWO_DRAW_BITS;
    int full = 1 << bits;
    int[] threshold = new int[n];
    int[] alias = new int[n];
    long[] scaled = new long[n];
    int[] small = new int[n];
    int[] large = new int[n];
    int smalls = 0;
    int larges = 0;
    for (int i = 0; i < n; i++) {
      scaled[i] = (long) weights[i] * n;
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
    return new AliasTable(n, uniform, bits, threshold, alias);
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
    if (bound != 0) {
      int r = random.nextInt(bound);
      column = r >>> bits;
      coin = r & ((1 << bits) - 1);
    } else {
      column = random.nextInt(n);
      coin = random.nextInt(1 << TWO_DRAW_BITS);
    }
    return coin < threshold[column] ? column : alias[column];
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
    for (int c = 0; c < n; c++) {
      double keep = threshold[c] / scale;
      if (c == index) {
        p += keep;
      }
      if (alias[c] == index) {
        p += 1 - keep;
      }
    }
    return p / n;
  }

  /** Coin bits per draw, for tests. */
  int bits() {
    return bits;
  }

  @Override
  public String toString() {
    return "AliasTable{n=" + n + (uniform ? ", uniform" : ", bits=" + bits) + "}";
  }
}
