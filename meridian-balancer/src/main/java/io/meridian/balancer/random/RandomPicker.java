package io.meridian.balancer.random;

import io.meridian.balancer.Backend;
import io.meridian.balancer.Picker;
import io.meridian.balancer.RandomSource;
import io.meridian.balancer.SingletonPicker;
import java.util.List;

/**
 * Weighted random: each pick draws a backend with probability {@code weight / total weight}.
 *
 * <p>Design note. The draw is an {@link AliasTable} (Vose's alias method) built once with the
 * picker: O(1) per pick whatever the weights, one call into the {@link RandomSource} for up to
 * 32,767 backends, and a plain {@code nextInt(n)} when all weights are equal. Unlike round robin
 * there is no shared counter, so threads never contend; the price is variance: with n equal
 * backends a burst of k requests is spread binomially, not evenly.
 *
 * <p>Thread-safety: immutable; as thread-safe as the injected {@code RandomSource} ({@link
 * RandomSource#threadLocal()} in production). {@link #pick()} takes no lock and allocates nothing.
 */
final class RandomPicker<E> implements Picker<E> {

  private final Backend<E>[] backends;
  private final AliasTable table;
  private final RandomSource random;

  private RandomPicker(Backend<E>[] backends, AliasTable table, RandomSource random) {
    this.backends = backends;
    this.table = table;
    this.random = random;
  }

  static <E> Picker<E> over(List<Backend<E>> list, RandomSource random) {
    @SuppressWarnings("unchecked")
    Backend<E>[] backends = List.copyOf(list).toArray(Backend[]::new); // no nulls
    if (backends.length == 0) {
      return Picker.empty();
    }
    if (backends.length == 1) {
      return new SingletonPicker<>("random", backends[0]);
    }
    int[] weights = new int[backends.length];
    for (int i = 0; i < backends.length; i++) {
      weights[i] = backends[i].weight();
    }
    return new RandomPicker<>(backends, AliasTable.of(weights), random);
  }

  @Override
  public Backend<E> pick() {
    return backends[table.next(random)];
  }

  @Override
  public int size() {
    return backends.length;
  }

  @Override
  public String toString() {
    return "random{size=" + backends.length + (table.uniform() ? "" : ", weighted") + "}";
  }
}
