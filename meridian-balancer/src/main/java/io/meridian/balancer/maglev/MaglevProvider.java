package io.meridian.balancer.maglev;

import io.meridian.balancer.Policy;
import io.meridian.balancer.PolicyConfig;
import io.meridian.balancer.PolicyProvider;
import java.util.Map;
import java.util.TreeMap;

/**
 * Provides {@code maglev}: Maglev hashing (see {@code MaglevPicker}). Key: {@code tableSize} (a
 * prime up to 5,000,011, default 65,537). Stateless.
 */
public final class MaglevProvider implements PolicyProvider {

  /** The policy name. */
  public static final String NAME = "maglev";

  /** For {@link java.util.ServiceLoader}. */
  public MaglevProvider() {}

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public Policy create(Map<String, ?> config) {
    int tableSize = MaglevPolicy.DEFAULT_TABLE_SIZE;
    for (Map.Entry<String, ?> e : new TreeMap<String, Object>(config).entrySet()) {
      switch (e.getKey()) {
        case "tableSize" -> tableSize = PolicyConfig.integer(e.getKey(), e.getValue());
        default -> throw PolicyConfig.unknownKey(NAME, e.getKey(), "tableSize");
      }
    }
    return new MaglevPolicy(tableSize);
  }
}
