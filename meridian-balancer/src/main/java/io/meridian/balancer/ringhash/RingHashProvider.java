package io.meridian.balancer.ringhash;

import io.meridian.balancer.Policy;
import io.meridian.balancer.PolicyConfig;
import io.meridian.balancer.PolicyProvider;
import java.util.Map;
import java.util.TreeMap;

/**
 * Provides {@code ring_hash}: Ketama-style consistent hashing (see {@code RingHashPicker}). Keys:
 * {@code minRingSize} (integer, default 1024) and {@code maxRingSize} (integer, default and limit
 * 8,388,608), as Envoy's. Stateless.
 */
public final class RingHashProvider implements PolicyProvider {

  /** The policy name. */
  public static final String NAME = "ring_hash";

  /** For {@link java.util.ServiceLoader}. */
  public RingHashProvider() {}

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public Policy create(Map<String, ?> config) {
    int minRingSize = RingHashPolicy.DEFAULT_MIN_RING_SIZE;
    int maxRingSize = RingHashPolicy.MAX_RING_SIZE;
    for (Map.Entry<String, ?> e : new TreeMap<String, Object>(config).entrySet()) {
      switch (e.getKey()) {
        case "minRingSize" -> minRingSize = PolicyConfig.integer(e.getKey(), e.getValue());
        case "maxRingSize" -> maxRingSize = PolicyConfig.integer(e.getKey(), e.getValue());
        default -> throw PolicyConfig.unknownKey(NAME, e.getKey(), "maxRingSize, minRingSize");
      }
    }
    return new RingHashPolicy(minRingSize, maxRingSize);
  }
}
