package io.meridian.balancer.leastrequest;

import io.meridian.balancer.Policy;
import io.meridian.balancer.PolicyConfig;
import io.meridian.balancer.PolicyProvider;
import java.util.Map;
import java.util.TreeMap;

/**
 * Provides {@code least_request}: power of two choices on in-flight requests, weighted as Envoy
 * does (see {@code LeastRequestPicker}). Keys: {@code choiceCount} (integer 2..10, default 2) and
 * {@code activeRequestBias} (number >= 0, default 1.0). Stateless.
 */
public final class LeastRequestProvider implements PolicyProvider {

  /** The policy name. */
  public static final String NAME = "least_request";

  /** For {@link java.util.ServiceLoader}. */
  public LeastRequestProvider() {}

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public Policy create(Map<String, ?> config) {
    int choiceCount = LeastRequestPolicy.DEFAULT_CHOICES;
    double bias = LeastRequestPolicy.DEFAULT_BIAS;
    for (Map.Entry<String, ?> e : new TreeMap<String, Object>(config).entrySet()) {
      switch (e.getKey()) {
        case "choiceCount" -> choiceCount = PolicyConfig.integer(e.getKey(), e.getValue());
        case "activeRequestBias" -> bias = PolicyConfig.number(e.getKey(), e.getValue());
        default ->
            throw PolicyConfig.unknownKey(NAME, e.getKey(), "activeRequestBias, choiceCount");
      }
    }
    return new LeastRequestPolicy(choiceCount, bias);
  }
}
