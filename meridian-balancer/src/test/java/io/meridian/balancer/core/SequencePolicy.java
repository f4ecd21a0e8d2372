package io.meridian.balancer.core;

import io.meridian.balancer.Backend;
import io.meridian.balancer.Picker;
import io.meridian.balancer.Policy;
import io.meridian.balancer.RandomSource;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A test-only policy: deterministic smooth weighted round robin (nginx's), laid out once as a table
 * of {@code sum(weights)} slots; each pick takes the next slot. One cycle of the table gives each
 * backend exactly its weight in picks, so tests can assert shares exactly.
 *
 * <p>Thread-safety: immutable; its pickers are thread-safe (an atomic position).
 */
final class SequencePolicy implements Policy {

  static final SequencePolicy INSTANCE = new SequencePolicy();

  @Override
  public String name() {
    return "test_sequence";
  }

  @Override
  public <E> Picker<E> picker(List<Backend<E>> backends, RandomSource random) {
    return new SequencePicker<>(backends);
  }

  /** The picker; {@link #backends()} shows what it was built over. */
  static final class SequencePicker<E> implements Picker<E> {
    private final List<Backend<E>> backends;
    private final Object[] table;
    private final AtomicInteger position = new AtomicInteger();

    SequencePicker(List<Backend<E>> backends) {
      this.backends = List.copyOf(backends);
      int total = 0;
      for (Backend<E> b : backends) {
        total += b.weight();
      }
      List<Backend<E>> slots = new ArrayList<>(total);
      long[] current = new long[backends.size()];
      for (int s = 0; s < total; s++) {
        int best = 0;
        for (int i = 0; i < current.length; i++) {
          current[i] += backends.get(i).weight();
          if (current[i] > current[best]) {
            best = i;
          }
        }
        current[best] -= total;
        slots.add(backends.get(best));
      }
      this.table = slots.toArray();
    }

    List<Backend<E>> backends() {
      return backends;
    }

    /** Slots in one cycle. */
    int cycle() {
      return table.length;
    }

    @Override
    @SuppressWarnings("unchecked")
    public Backend<E> pick() {
      return (Backend<E>) table[Math.floorMod(position.getAndIncrement(), table.length)];
    }

    @Override
    public int size() {
      return backends.size();
    }
  }
}
