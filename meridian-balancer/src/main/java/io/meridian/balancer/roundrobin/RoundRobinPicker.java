package io.meridian.balancer.roundrobin;

import io.meridian.balancer.Backend;
import io.meridian.balancer.Picker;
import io.meridian.balancer.RandomSource;
import io.meridian.balancer.SingletonPicker;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Round robin: the backends in turn, in the order given, ignoring weights.
 *
 * <p>Design note. As grpc-java's {@code RoundRobinLoadBalancer.ReadyPicker}: one shared counter,
 * {@code backend = backends[counter++ mod n]}. The counter starts at an offset in {@code [0, n)}
 * drawn from the injected {@link RandomSource}, so that a fleet of clients that all receive the
 * same endpoint list at the same moment do not send their first requests to the same backend in
 * lockstep (STYLE rule 5). It is a {@code long}: 2^63 picks never wrap, so the rotation never skips
 * (an {@code int} wraps after 2^32 picks and, unless n divides 2^32, jumps once).
 *
 * <p>All threads increment the one counter, so its cache line moves between cores on every pick:
 * the price of an exact rotation, which grpc pays too; {@code random} has no shared write.
 *
 * <p>Thread-safety: immutable except the counter, which is atomic. {@link #pick()} takes no lock
 * and allocates nothing.
 */
final class RoundRobinPicker<E> implements Picker<E> {

  private final Backend<E>[] backends;
  private final AtomicLong next;

  private RoundRobinPicker(Backend<E>[] backends, long offset) {
    this.backends = backends;
    this.next = new AtomicLong(offset);
  }

  static <E> Picker<E> over(List<Backend<E>> list, RandomSource random) {
    @SuppressWarnings("unchecked")
    Backend<E>[] backends = List.copyOf(list).toArray(Backend[]::new); // no nulls
    if (backends.length == 0) {
      return Picker.empty();
    }
    if (backends.length == 1) {
      return new SingletonPicker<>("round_robin", backends[0]);
    }
    return new RoundRobinPicker<>(backends, random.nextInt(backends.length));
  }

  @Override
  public Backend<E> pick() {
    Backend<E>[] b = backends;
    return b[(int) (next.getAndIncrement() % b.length)];
  }

  @Override
  public int size() {
    return backends.length;
  }

  @Override
  public String toString() {
    return "round_robin{size=" + backends.length + "}";
  }
}
