package io.meridian.balancer.weightedroundrobin;

import io.meridian.balancer.Policy;
import io.meridian.balancer.PolicyConfig;
import io.meridian.balancer.PolicyProvider;
import java.util.Map;

/**
 * Provides {@code weighted_round_robin}: nginx's smooth weighted round robin, precomputed (see
 * {@code SmoothSchedule}). Takes no configuration keys. Stateless.
 */
public final class WeightedRoundRobinProvider implements PolicyProvider {

  /** The policy name. */
  public static final String NAME = "weighted_round_robin";

  /** For {@link java.util.ServiceLoader}. */
  public WeightedRoundRobinProvider() {}

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public Policy create(Map<String, ?> config) {
    PolicyConfig.requireNone(NAME, config);
    return WeightedRoundRobinPolicy.INSTANCE;
  }
}
