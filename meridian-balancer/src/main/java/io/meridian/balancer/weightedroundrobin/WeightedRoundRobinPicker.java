package io.meridian.balancer.weightedroundrobin;

import io.meridian.balancer.Backend;
import io.meridian.balancer.Picker;
import io.meridian.balancer.RandomSource;
import io.meridian.balancer.SingletonPicker;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Weighted round robin: the backends in the smooth, interleaved order of nginx's algorithm, each in
 * proportion to its weight (see {@link SmoothSchedule} for the algorithm and its bounds).
 *
 * <p>Design note. The schedule of one cycle is expanded once into a table of backend references,
 * and a pick is {@code table[counter++ mod length]}: one atomic increment, one division, one array
 * read. The counter starts at an offset in {@code [0, length)} drawn from the injected {@link
 * RandomSource}, so that a fleet of clients does not move in lockstep (STYLE rule 5); it is a
 * {@code long} ({@link AtomicLong}), as in round robin, so it never wraps.
 *
 * <p>Thread-safety: immutable except the counter, which is atomic. {@link #pick()} takes no lock
 * and allocates nothing. Any window of {@code length} consecutive picks, from any threads, holds
 * each backend exactly as often as its share of the cycle.
 */
final class WeightedRoundRobinPicker<E> implements Picker<E> {

  private final Backend<E>[] table;
  private final int size;
  private final AtomicLong next;

  private WeightedRoundRobinPicker(Backend<E>[] table, int size, long offset) {
    this.table = table;
    this.size = size;
    this.next = new AtomicLong(offset);
  }

  static <E> Picker<E> over(List<Backend<E>> list, RandomSource random) {
    @SuppressWarnings("unchecked")
    Backend<E>[] backends = List.copyOf(list).toArray(Backend[]::new); // no nulls
    if (backends.length == 0) {
      return Picker.empty();
    }
    if (backends.length == 1) {
      return new SingletonPicker<>("weighted_round_robin", backends[0]);
    }
    int[] weights = new int[backends.length];
    for (int i = 0; i < backends.length; i++) {
      weights[i] = backends[i].weight();
    }
    int[] cycle = SmoothSchedule.of(weights);
    @SuppressWarnings("unchecked")
    Backend<E>[] table = new Backend[cycle.length];
    for (int s = 0; s < cycle.length; s++) {
      table[s] = backends[cycle[s]];
    }
    return new WeightedRoundRobinPicker<>(table, backends.length, random.nextInt(table.length));
  }

  @Override
  public Backend<E> pick() {
    Backend<E>[] t = table;
    return t[(int) (next.getAndIncrement() % t.length)];
  }

  @Override
  public int size() {
    return size;
  }

  /** The number of picks in one cycle. */
  int cycle() {
    return table.length;
  }

  @Override
  public String toString() {
    return "weighted_round_robin{size=" + size + ", cycle=" + table.length + "}";
  }
}
