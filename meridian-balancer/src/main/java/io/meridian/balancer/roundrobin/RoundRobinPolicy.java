package io.meridian.balancer.roundrobin;

import io.meridian.balancer.Backend;
import io.meridian.balancer.Picker;
import io.meridian.balancer.Policy;
import io.meridian.balancer.RandomSource;
import java.util.List;

/** The {@code round_robin} policy; it has no configuration. Stateless. */
final class RoundRobinPolicy implements Policy {

  static final RoundRobinPolicy INSTANCE = new RoundRobinPolicy();

  private RoundRobinPolicy() {}

  @Override
  public String name() {
    return RoundRobinProvider.NAME;
  }

  @Override
  public <E> Picker<E> picker(List<Backend<E>> backends, RandomSource random) {
    return RoundRobinPicker.over(backends, random);
  }

  @Override
  public String toString() {
    return RoundRobinProvider.NAME;
  }
}
