package io.meridian.balancer.roundrobin;

import io.meridian.balancer.Policy;
import io.meridian.balancer.PolicyConfig;
import io.meridian.balancer.PolicyProvider;
import java.util.Map;

/**
 * Provides {@code round_robin}: the backends in turn, ignoring weights (see {@code
 * RoundRobinPicker}). Takes no configuration keys. Stateless.
 */
public final class RoundRobinProvider implements PolicyProvider {

  /** The policy name. */
  public static final String NAME = "round_robin";

  /** For {@link java.util.ServiceLoader}. */
  public RoundRobinProvider() {}

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public Policy create(Map<String, ?> config) {
    PolicyConfig.requireNone(NAME, config);
    return RoundRobinPolicy.INSTANCE;
  }
}
