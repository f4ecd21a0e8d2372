package io.meridian.balancer;

import java.util.Map;

/**
 * Makes a {@link Policy} from its name and configuration. Found by {@link java.util.ServiceLoader},
 * so a jar on the class path can add a policy; Meridian's own are registered in {@code
 * META-INF/services/io.meridian.balancer.PolicyProvider}.
 */
public interface PolicyProvider {

  /** The policy name this provider answers to. */
  String name();

  /**
   * A policy configured from {@code config} (string keys; values as parsed from JSON/YAML: numbers,
   * strings, booleans).
   *
   * @throws IllegalArgumentException naming the bad key and why, e.g. {@code "tableSize must be a
   *     prime, got 65536"}
   */
  Policy create(Map<String, ?> config);
}
