package io.meridian.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.Map;

/**
 * {@code spec} of an {@link Instance}.
 *
 * @param address an IPv4 or IPv6 address the instance is reached at
 * @param ports named ports ({@code http: 8080}); a service's {@code targetPort} names one of them
 * @param node the node (host) it runs on, for {@code externalTrafficPolicy: Local}
 * @param zone its zone, for zone-aware balancing
 * @param hostname its DNS hostname under a headless service
 * @param weight 1..1000 (default 1), for weighted policies
 * @param ttl when set, the instance is ephemeral and disappears this long after its last heartbeat
 * @param healthCheck when set on a persistent instance, the registry probes it
 */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public record InstanceSpec(
    String address,
    Map<String, Integer> ports,
    String node,
    String zone,
    String hostname,
    Integer weight,
    GoDuration ttl,
    HealthCheck healthCheck) {

  public static final int DEFAULT_WEIGHT = 1;

  public InstanceSpec {
    ports =
        ports == null
            ? Map.of()
            : java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(ports));
  }

  public static InstanceSpec of(String address, Map<String, Integer> ports) {
    return new InstanceSpec(address, ports, null, null, null, null, null, null);
  }

  public int effectiveWeight() {
    return weight == null ? DEFAULT_WEIGHT : weight;
  }

  public boolean ephemeral() {
    return ttl != null;
  }

  public InstanceSpec withTtl(GoDuration ttl) {
    return new InstanceSpec(address, ports, node, zone, hostname, weight, ttl, healthCheck);
  }
}
