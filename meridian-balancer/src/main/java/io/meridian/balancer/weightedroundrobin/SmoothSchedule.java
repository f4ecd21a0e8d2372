package io.meridian.balancer.weightedroundrobin;

import java.util.Arrays;

/**
 * One cycle of a smooth weighted round-robin schedule, computed once: the order in which the
 * weighted round-robin picker visits its backends.
 *
 * <p>Design note. The algorithm is nginx's smooth weighted round robin ({@code
 * ngx_http_upstream_get_peer} in {@code ngx_http_upstream_round_robin.c}, since nginx 1.3.1): at
 * every step each backend's current weight grows by its weight, the largest (the first on ties) is
 * chosen and loses the total. Over {@code sum(w)} steps every backend is chosen exactly {@code w}
 * times and heavy backends are interleaved with light ones: weights 5, 1, 1 give {@code a a b a c a
 * a}, not {@code a a a a a b c}. nginx runs the step per request under a lock; here the steps of
 * one whole cycle are run once, when the picker is built, and a pick reads {@code table[counter mod
 * length]}: lock-free, allocation-free and O(1), with nginx's exact sequence.
 *
 * <p>Cycle. Dividing every weight by their gcd g divides every current weight by g and changes no
 * comparison, so the cycle is {@code W = sum(w) / g} steps (weights 10, 2, 2 behave as 5, 1, 1).
 * Equal weights give the backends in order, with no steps run.
 *
 * <p>Bounds. The table has at most {@value #MAX_CYCLE} entries (256 KiB of references with
 * compressed oops) plus one per backend too light for a turn in 65,536, whatever the weights.
 * 65,536 is far beyond any cycle of the model's weights (1..1000) over a handful of backends, and
 * fine enough that rounding is invisible otherwise:
 *
 * <ul>
 *   <li>{@code W <= 65,536}: the exact cycle. nginx's step costs O(n), so when {@code W × n}
 *       exceeds {@value #MAX_STEPS} (about 15 ms of building; only with more than 256 backends) the
 *       same shares are interleaved in O(W log W) instead, by stride order with staggered starts
 *       (stride scheduling, Waldspurger and Weihl, MIT/LCS/TM-528, 1995; Envoy's EDF scheduler is
 *       the same idea): backend i's k-th turn is due at {@code (k + (i + 1/2) / n) / w_i} of the
 *       cycle, and turns go in order of due time, ties by position. Each backend still appears
 *       exactly {@code w_i} times. The staggered start spreads the first turns of light backends
 *       over the cycle instead of bunching them (a common start of 1/2, Webster's order, let 15
 *       light backends run back to back and a heavy one fall 5.7 turns behind its ideal count;
 *       staggered, the worst we found is 2.0 turns, against nginx's 1.6).
 *   <li>{@code W > 65,536}: the weights are first apportioned to 65,536 turns by largest remainder
 *       (Hamilton), every backend keeping at least one, then scheduled as above. A backend's share
 *       is then off by less than 1/65,536 (0.0015 percentage points), plus the turns given to
 *       backends whose share is below 1/65,536; relative to its share, a backend is off by at most
 *       {@code 1 / its turns}, e.g. 1.5% for a 1/1000 share (65 turns).
 *   <li>65,536 backends or more: one turn each, in order (weights ignored).
 * </ul>
 *
 * An EDF or stride scheduler (Envoy's {@code EdfScheduler}) would pick in O(log n) but keeps a
 * mutable priority queue per picker, which needs a lock on a shared picker; rejected for the pick
 * path. A table is also what makes the sequence testable exactly.
 *
 * <p>Thread-safety: static functions of their arguments.
 */
final class SmoothSchedule {

  /** Longest table; see the class note. */
  static final int MAX_CYCLE = 1 << 16;

  /** Most nginx steps (cycle × backends) run at build time before stride order takes over. */
  static final long MAX_STEPS = 1L << 24;

  private SmoothSchedule() {}

  /**
   * One cycle as positions into {@code weights}: position i appears in proportion to {@code
   * weights[i]}, interleaved.
   */
  static int[] of(int[] weights) {
    int n = weights.length;
    long[] w = new long[n];
    long g = 0;
    boolean equal = true;
    for (int i = 0; i < n; i++) {
      if (weights[i] <= 0) {
        throw new IllegalArgumentException("weights must be positive, got " + weights[i]);
      }
      w[i] = weights[i];
      g = gcd(g, w[i]);
      equal &= weights[i] == weights[0];
    }
    if (equal || n >= MAX_CYCLE) {
      int[] order = new int[n];
      Arrays.setAll(order, i -> i);
      return order;
    }
    long total = reduce(w, g);
    if (total > MAX_CYCLE) {
      total = reduce(w, apportion(w, total, MAX_CYCLE));
    }
    return total * n <= MAX_STEPS ? nginx(w, (int) total) : stride(w, (int) total);
  }

  /** nginx's smooth weighted round robin, run for one cycle of {@code total} steps. */
  static int[] nginx(long[] w, int total) {
    int n = w.length;
    long[] current = new long[n];
    int[] sequence = new int[total];
    for (int step = 0; step < total; step++) {
      int best = 0;
      long bestWeight = Long.MIN_VALUE;
      for (int i = 0; i < n; i++) {
        long c = current[i] += w[i];
        if (c > bestWeight) {
          bestWeight = c;
          best = i;
        }
      }
      current[best] -= total;
      sequence[step] = best;
    }
    return sequence;
  }

  /**
   * Stride order with staggered starts: turn (i, k), k < w[i], is due at {@code (k + (i + 1/2) / n)
   * / w[i]}; sorted by due time, then position. Due times are 44-bit fixed-point fractions of the
   * cycle (a double quotient, then scaled: deterministic), so turns due within 2^-44 of each other
   * count as ties.
   */
  static int[] stride(long[] w, int total) {
    int n = w.length;
    int indexBits = 32 - Integer.numberOfLeadingZeros(n - 1);
    long[] turns = new long[total];
    int t = 0;
    for (int i = 0; i < n; i++) {
      double denominator = 2.0 * n * w[i];
      for (long k = 0; k < w[i]; k++) {
        long due = (long) Math.scalb((2.0 * k * n + 2 * i + 1) / denominator, 44);
        turns[t++] = due << indexBits | i;
      }
    }
    Arrays.sort(turns);
    int[] sequence = new int[total];
    long mask = (1L << indexBits) - 1;
    for (int s = 0; s < total; s++) {
      sequence[s] = (int) (turns[s] & mask);
    }
    return sequence;
  }

  /**
   * Largest-remainder apportionment of {@code seats} in proportion to {@code w} (sum {@code
   * total}), at least one each; writes the seats into {@code w} and answers their gcd.
   */
  static long apportion(long[] w, long total, int seats) {
    int n = w.length;
    long given = 0;
    Integer[] byRemainder = new Integer[n];
    long[] remainder = new long[n];
    for (int i = 0; i < n; i++) {
      long quota = w[i] * seats; // < 2^20 × 2^16: no overflow
      remainder[i] = quota % total;
      w[i] = quota / total;
      given += w[i];
      byRemainder[i] = i;
    }
    Arrays.sort(
        byRemainder,
        (a, b) -> remainder[a] != remainder[b] ? Long.compare(remainder[b], remainder[a]) : a - b);
    for (int r = 0; given < seats; r++) { // fewer than n seats are left: each remainder < 1
      w[byRemainder[r]]++;
      given++;
    }
    long g = 0;
    for (int i = 0; i < n; i++) {
      if (w[i] == 0) {
        w[i] = 1; // a backend too light for one turn in 65,536 still gets one
      }
      g = gcd(g, w[i]);
    }
    return g;
  }

  private static long reduce(long[] w, long g) {
    long total = 0;
    for (int i = 0; i < w.length; i++) {
      w[i] /= g;
      total += w[i];
    }
    return total;
  }

  private static long gcd(long a, long b) {
    while (b != 0) {
      long t = a % b;
      a = b;
      b = t;
    }
    return a;
  }
}
