package io.meridian.balancer;

import java.util.concurrent.ThreadLocalRandom;
import java.util.random.RandomGenerator;

/**
 * Randomness for pickers, injected so tests are deterministic (STYLE rule 18). The default draws
 * from {@link ThreadLocalRandom}: thread-safe, lock-free and allocation-free on the pick path.
 */
@FunctionalInterface
public interface RandomSource {

  /** A uniformly distributed int in {@code [0, bound)}; {@code bound > 0}. */
  int nextInt(int bound);

  /** A uniformly distributed long over all 64 bits (for hashing seeds and offsets). */
  default long nextLong() {
    return ((long) nextInt(1 << 16) << 48) | ((long) nextInt(1 << 24) << 24) | nextInt(1 << 24);
  }

  /** {@link ThreadLocalRandom}: for production pickers used from many threads. */
  static RandomSource threadLocal() {
    return ThreadLocalSource.INSTANCE;
  }

  /**
   * A seeded generator, for tests and single-threaded use only (a {@link RandomGenerator} is not
   * thread-safe).
   */
  static RandomSource of(RandomGenerator generator) {
    return new RandomSource() {
      @Override
      public int nextInt(int bound) {
        return generator.nextInt(bound);
      }

      @Override
      public long nextLong() {
        return generator.nextLong();
      }
    };
  }
}
