package io.meridian.balancer.maglev;

import io.meridian.balancer.Backend;
import io.meridian.balancer.Picker;
import io.meridian.balancer.Policy;
import io.meridian.balancer.RandomSource;
import java.util.List;

/**
 * The {@code maglev} policy and its configuration, validated when built. Immutable.
 *
 * @param tableSize the lookup table's size M: a prime, at most {@value #MAX_TABLE_SIZE} (default
 *     {@value #DEFAULT_TABLE_SIZE}; see {@link MaglevPicker})
 */
record MaglevPolicy(int tableSize) implements Policy {

  static final int DEFAULT_TABLE_SIZE = 65_537;
  static final int MAX_TABLE_SIZE = 5_000_011;

  MaglevPolicy {
    if (tableSize < 2 || tableSize > MAX_TABLE_SIZE) {
      throw new IllegalArgumentException(
          "tableSize must be a prime up to " + MAX_TABLE_SIZE + ", got " + tableSize);
    }
    if (!isPrime(tableSize)) {
      throw new IllegalArgumentException("tableSize must be a prime, got " + tableSize);
    }
  }

  /** Trial division: at most sqrt(5,000,011) ≈ 2,236 steps, once per configuration. */
  static boolean isPrime(int n) {
    if (n < 2) {
      return false;
    }
    if (n % 2 == 0) {
      return n == 2;
    }
    for (int d = 3; (long) d * d <= n; d += 2) {
      if (n % d == 0) {
        return false;
      }
    }
    return true;
  }

  @Override
  public String name() {
    return MaglevProvider.NAME;
  }

  @Override
  public <E> Picker<E> picker(List<Backend<E>> backends, RandomSource random) {
    return MaglevPicker.over(backends, random, tableSize);
  }
}
