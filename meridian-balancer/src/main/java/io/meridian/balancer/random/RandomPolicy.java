package io.meridian.balancer.random;

import io.meridian.balancer.Backend;
import io.meridian.balancer.Picker;
import io.meridian.balancer.Policy;
import io.meridian.balancer.RandomSource;
import java.util.List;

/** The {@code random} policy; it has no configuration. Stateless. */
final class RandomPolicy implements Policy {

  static final RandomPolicy INSTANCE = new RandomPolicy();

  private RandomPolicy() {}

  @Override
  public String name() {
    return RandomProvider.NAME;
  }

  @Override
  public <E> Picker<E> picker(List<Backend<E>> backends, RandomSource random) {
    return RandomPicker.over(backends, random);
  }

  @Override
  public String toString() {
    return RandomProvider.NAME;
  }
}
