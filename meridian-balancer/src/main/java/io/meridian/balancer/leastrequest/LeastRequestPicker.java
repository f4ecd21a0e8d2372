package io.meridian.balancer.leastrequest;

import io.meridian.balancer.Backend;
import io.meridian.balancer.Picker;
import io.meridian.balancer.RandomSource;
import io.meridian.balancer.SingletonPicker;
import io.meridian.balancer.random.AliasTable;
import java.util.List;

/**
 * Least request: of a few backends drawn at random, the least loaded, as counted by {@link
 * Backend#activeRequests()}.
 *
 * <p>Design note. The power of two choices (M. Mitzenmacher, "The Power of Two Choices in
 * Randomized Load Balancing", IEEE TPDS 12(10), 2001): comparing two random candidates instead of
 * taking one cuts the maximum load from {@code Θ(log n / log log n)} to {@code Θ(log log n)}, while
 * each pick reads only {@code choiceCount} counters and never scans the set. The default of 2 is
 * the paper's point: a third choice gains a constant factor, not an exponential one, and more
 * choices make every client rush to the same idle backend (gRPC's A48 caps it at 10; so does {@link
 * LeastRequestPolicy}).
 *
 * <p>Weights, after Envoy's {@code LeastRequestLoadBalancer}. With all weights equal this is plain
 * P2C: candidates drawn uniformly (with replacement), fewer active requests wins, ties go to the
 * first drawn. With unequal weights Envoy ranks hosts by {@code weight / (active + 1)^bias} ({@code
 * active_request_bias}, default 1.0). Here candidates are drawn in proportion to weight (an {@link
 * AliasTable}) and the one with the lower {@code active^bias / weight} wins: Envoy's ranking
 * without its {@code + 1}, which is there to avoid dividing by zero. Without it an idle backend
 * ties with every other idle one instead of beating it by weight, so the weighted draw decides and
 * an idle fleet gets exactly its weights; with it, the heavier of two idle candidates would always
 * win and, drawn by weight as well, count its weight twice (weights 1:2 would get 1:8). Among busy
 * backends the two rankings differ only by that {@code + 1}, which fades as counts grow; under load
 * the rule keeps {@code active / weight} even, that is, requests in flight in proportion to
 * capacity. A bias of 0 ignores load (weighted random), as in Envoy; with equal weights the bias
 * changes nothing (it is monotonic), as in Envoy. Bias 1.0 is computed with two integer
 * multiplications, other biases with {@link Math#pow}.
 *
 * <p>The defaults, two choices with bias 1.0, and two choices over equal weights (any bias) are one
 * comparison, {@code active2 × weight1 < active1 × weight2}: with equal weights it is {@code
 * active2 < active1}, the same answer. They get their own class, {@link Pair}, which draws the two
 * candidates and compares them with no dispatch on the configuration: the general loop's tests of
 * the mode and the count, per pick, measured about 2 of 14 ns (thread CPU time, 10 to 1,000
 * backends; most of the rest is the two draws and the two counters' reads). Same draws, in the same
 * order, same answers.
 *
 * <p>The counters are read without synchronising with each other: two picks racing may both see a
 * backend idle. That is inherent to P2C and harmless: the choice is a heuristic.
 *
 * <p>Thread-safety: immutable; reads the backends' atomic counters; as thread-safe as the injected
 * {@code RandomSource}. {@link #pick()} takes no lock and allocates nothing.
 */
final class LeastRequestPicker<E> implements Picker<E> {

  /** Equal weights: compare active counts. */
  private static final int EQUAL = 0;

  /** Unequal weights, bias 0: the first candidate (load ignored). */
  private static final int IGNORE_LOAD = 1;

  /** Unequal weights, bias 1: compare {@code active / weight} by cross-multiplying. */
  private static final int LINEAR = 2;

  /** Unequal weights, another bias: compare {@code active^bias / weight}. */
  private static final int POWER = 3;

  private final Backend<E>[] backends;
  private final AliasTable draw;
  private final RandomSource random;
  private final int choices;
  private final double bias;
  private final int mode;

  private LeastRequestPicker(
      Backend<E>[] backends, AliasTable draw, RandomSource random, int choices, double bias) {
    this.backends = backends;
    this.draw = draw;
    this.random = random;
    this.choices = choices;
    this.bias = bias;
    this.mode = draw.uniform() ? EQUAL : bias == 0 ? IGNORE_LOAD : bias == 1.0 ? LINEAR : POWER;
  }

  static <E> Picker<E> over(
      List<Backend<E>> list, RandomSource random, int choiceCount, double activeRequestBias) {
    @SuppressWarnings("unchecked")
    Backend<E>[] backends = List.copyOf(list).toArray(Backend[]::new); // no nulls
    if (backends.length == 0) {
      return Picker.empty();
    }
    if (backends.length == 1) {
      return new SingletonPicker<>("least_request", backends[0]);
    }
    int[] weights = new int[backends.length];
    for (int i = 0; i < backends.length; i++) {
      weights[i] = backends[i].weight();
    }
    AliasTable draw = AliasTable.of(weights);
    if (choiceCount == 2 && (draw.uniform() || activeRequestBias == 1.0)) {
      return new Pair<>(backends, draw, random, activeRequestBias);
    }
    return new LeastRequestPicker<>(backends, draw, random, choiceCount, activeRequestBias);
  }

  @Override
  public Backend<E> pick() {
    Backend<E>[] b = backends;
    Backend<E> best = b[draw.next(random)];
    if (mode == IGNORE_LOAD) {
      return best;
    }
    int bestActive = Math.max(0, best.activeRequests());
    for (int k = 1; k < choices; k++) {
      Backend<E> candidate = b[draw.next(random)];
      int active = Math.max(0, candidate.activeRequests());
      if (lighter(active, candidate.weight(), bestActive, best.weight())) {
        best = candidate;
        bestActive = active;
      }
    }
    return best;
  }

  /** Whether {@code (active, weight)} is strictly less loaded than {@code (than, thanWeight)}. */
  private boolean lighter(int active, int weight, int than, int thanWeight) {
    return switch (mode) {
      case EQUAL -> active < than;
      case LINEAR -> (long) active * thanWeight < (long) than * weight;
      default -> Math.pow(active, bias) * thanWeight < Math.pow(than, bias) * weight;
    };
  }

  @Override
  public int size() {
    return backends.length;
  }

  @Override
  public String toString() {
    return describe(backends.length, choices, draw, bias);
  }

  private static String describe(int size, int choices, AliasTable draw, double bias) {
    return "least_request{size="
        + size
        + ", choiceCount="
        + choices
        + (draw.uniform() ? "" : ", activeRequestBias=" + bias)
        + "}";
  }

  /**
   * Two choices, compared as {@code active / weight} (bias 1.0, or equal weights and any bias); see
   * the class note. Thread-safety: as {@link LeastRequestPicker}.
   */
  static final class Pair<E> implements Picker<E> {

    private final Backend<E>[] backends;
    private final AliasTable draw;
    private final RandomSource random;
    private final double bias; // for toString only

    Pair(Backend<E>[] backends, AliasTable draw, RandomSource random, double bias) {
      this.backends = backends;
      this.draw = draw;
      this.random = random;
      this.bias = bias;
    }

    @Override
    public Backend<E> pick() {
      Backend<E>[] b = backends;
      Backend<E> first = b[draw.next(random)];
      Backend<E> second = b[draw.next(random)];
      long firstActive = Math.max(0, first.activeRequests());
      long secondActive = Math.max(0, second.activeRequests());
      // strictly lighter, so a tie goes to the first drawn
      return secondActive * first.weight() < firstActive * second.weight() ? second : first;
    }

    @Override
    public int size() {
      return backends.length;
    }

    @Override
    public String toString() {
      return describe(backends.length, 2, draw, bias);
    }
  }
}
