package io.meridian.balancer.testing;

import io.meridian.balancer.Backend;
import io.meridian.balancer.Picker;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;

/** Counts picks per backend key. Single-threaded. */
public final class Tally {

  private final Map<String, Integer> counts = new HashMap<>();
  private int total;

  /** {@code picks} picks without affinity. */
  public static Tally picks(Picker<?> picker, int picks) {
    Tally t = new Tally();
    for (int i = 0; i < picks; i++) {
      t.add(picker.pick());
    }
    return t;
  }

  /** {@code picks} picks for the hashes {@code hashes} supplies. */
  public static Tally hashed(Picker<?> picker, int picks, LongSupplier hashes) {
    Tally t = new Tally();
    for (int i = 0; i < picks; i++) {
      t.add(picker.pick(hashes.getAsLong()));
    }
    return t;
  }

  public void add(Backend<?> b) {
    if (b == null) {
      throw new AssertionError("a pick answered null");
    }
    counts.merge(b.key(), 1, Integer::sum);
    total++;
  }

  public int count(String key) {
    return counts.getOrDefault(key, 0);
  }

  public double share(String key) {
    return (double) count(key) / total;
  }

  /**
   * The largest difference, in percentage points, between a backend's share of the picks and its
   * share of the total weight.
   */
  public double maxShareErrorPoints(List<? extends Backend<?>> backends) {
    long weight = backends.stream().mapToLong(Backend::weight).sum();
    double worst = 0;
    for (Backend<?> b : backends) {
      worst = Math.max(worst, Math.abs(share(b.key()) - (double) b.weight() / weight) * 100);
    }
    return worst;
  }

  /** Most picked over least picked, among {@code backends}. */
  public double maxOverMin(List<? extends Backend<?>> backends) {
    int max = 0;
    int min = Integer.MAX_VALUE;
    for (Backend<?> b : backends) {
      max = Math.max(max, count(b.key()));
      min = Math.min(min, count(b.key()));
    }
    return (double) max / min;
  }
}
