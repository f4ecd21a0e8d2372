package io.meridian.balancer.random;

import io.meridian.balancer.Policy;
import io.meridian.balancer.PolicyConfig;
import io.meridian.balancer.PolicyProvider;
import java.util.Map;

/**
 * Provides {@code random}: weighted random choice, O(1) per pick (see {@link AliasTable}). Takes no
 * configuration keys. Stateless.
 */
public final class RandomProvider implements PolicyProvider {

  /** The policy name. */
  public static final String NAME = "random";

  /** For {@link java.util.ServiceLoader}. */
  public RandomProvider() {}

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public Policy create(Map<String, ?> config) {
    PolicyConfig.requireNone(NAME, config);
    return RandomPolicy.INSTANCE;
  }
}
