package io.meridian.balancer;

import java.util.concurrent.ThreadLocalRandom;

/** {@link RandomSource} over {@link ThreadLocalRandom}. Stateless. */
enum ThreadLocalSource implements RandomSource {
  INSTANCE;

  @Override
  public int nextInt(int bound) {
    return ThreadLocalRandom.current().nextInt(bound);
  }

  @Override
  public long nextLong() {
    return ThreadLocalRandom.current().nextLong();
  }
}
