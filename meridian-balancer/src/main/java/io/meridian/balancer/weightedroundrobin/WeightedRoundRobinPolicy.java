package io.meridian.balancer.weightedroundrobin;

import io.meridian.balancer.Backend;
import io.meridian.balancer.Picker;
import io.meridian.balancer.Policy;
import io.meridian.balancer.RandomSource;
import java.util.List;

/** The {@code weighted_round_robin} policy; it has no configuration. Stateless. */
final class WeightedRoundRobinPolicy implements Policy {

  static final WeightedRoundRobinPolicy INSTANCE = new WeightedRoundRobinPolicy();

  private WeightedRoundRobinPolicy() {}

  @Override
  public String name() {
    return WeightedRoundRobinProvider.NAME;
  }

  @Override
  public <E> Picker<E> picker(List<Backend<E>> backends, RandomSource random) {
    return WeightedRoundRobinPicker.over(backends, random);
  }

  @Override
  public String toString() {
    return WeightedRoundRobinProvider.NAME;
  }
}
