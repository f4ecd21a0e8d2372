package io.meridian.balancer.ringhash;

import io.meridian.balancer.Backend;
import io.meridian.balancer.Picker;
import io.meridian.balancer.Policy;
import io.meridian.balancer.RandomSource;
import java.util.List;

/**
 * The {@code ring_hash} policy and its configuration, validated when built. Immutable.
 *
 * @param minRingSize the fewest points on a ring of two or more backends, 1..{@value
 *     #MAX_RING_SIZE} (default {@value #DEFAULT_MIN_RING_SIZE}, Envoy's; the heaviest backend gets
 *     half of it, see {@link RingHashPicker})
 * @param maxRingSize the most points, {@code minRingSize}..{@value #MAX_RING_SIZE} (default and
 *     limit {@value #MAX_RING_SIZE}, Envoy's 8M: 64 MiB of points)
 */
record RingHashPolicy(int minRingSize, int maxRingSize) implements Policy {

  static final int DEFAULT_MIN_RING_SIZE = 1024;
  static final int MAX_RING_SIZE = 8 * 1024 * 1024;

  RingHashPolicy {
    if (minRingSize < 1 || minRingSize > MAX_RING_SIZE) {
      throw new IllegalArgumentException(
          "minRingSize must be 1.." + MAX_RING_SIZE + ", got " + minRingSize);
    }
    if (maxRingSize < minRingSize || maxRingSize > MAX_RING_SIZE) {
      throw new IllegalArgumentException(
          "maxRingSize must be minRingSize ("
              + minRingSize
              + ").."
              + MAX_RING_SIZE
              + ", got "
              + maxRingSize);
    }
  }

  @Override
  public String name() {
    return RingHashProvider.NAME;
  }

  @Override
  public <E> Picker<E> picker(List<Backend<E>> backends, RandomSource random) {
    return RingHashPicker.over(backends, random, minRingSize, maxRingSize);
  }
}
