package io.meridian.balancer;

import java.util.Map;
import java.util.ServiceLoader;
import java.util.TreeMap;

/**
 * Every policy on the class path, by name: {@code round_robin}, {@code weighted_round_robin},
 * {@code random}, {@code least_request}, {@code ring_hash}, {@code maglev}, and any added through
 * {@link PolicyProvider}.
 *
 * <p>Thread-safety: the provider table is built once, then read-only.
 */
public final class Policies {

  private static final Map<String, PolicyProvider> PROVIDERS = load();

  private Policies() {}

  private static Map<String, PolicyProvider> load() {
    Map<String, PolicyProvider> m = new TreeMap<>();
    for (PolicyProvider p :
        ServiceLoader.load(PolicyProvider.class, Policies.class.getClassLoader())) {
      m.putIfAbsent(p.name(), p);
    }
    return Map.copyOf(m);
  }

  /** The names of every known policy, sorted. */
  public static java.util.Set<String> names() {
    return new java.util.TreeSet<>(PROVIDERS.keySet());
  }

  /**
   * The policy {@code name} configured with {@code config}.
   *
   * @throws IllegalArgumentException for an unknown name (listing the known ones) or bad config
   */
  public static Policy create(String name, Map<String, ?> config) {
    PolicyProvider p = PROVIDERS.get(name);
    if (p == null) {
      throw new IllegalArgumentException(
          "unknown load-balancing policy \"" + name + "\"; known: " + String.join(", ", names()));
    }
    return p.create(config == null ? Map.of() : config);
  }

  /** The policy {@code name} with its defaults. */
  public static Policy create(String name) {
    return create(name, Map.of());
  }
}
