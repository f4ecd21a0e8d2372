package io.meridian.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;
import java.util.Map;

/**
 * {@code spec} of a {@link Service}. Field names and meanings are Kubernetes'; {@code
 * loadBalancing} and {@code healthCheck} are Meridian's.
 *
 * <p>{@code clusterIP: None} makes the service headless: no virtual IP, DNS answers with the ready
 * endpoints. {@code ipFamilies}, {@code ipFamilyPolicy}, {@code loadBalancerSourceRanges}, {@code
 * loadBalancerClass}, {@code allocateLoadBalancerNodePorts}, {@code healthCheckNodePort} and {@code
 * trafficDistribution} are accepted so Kubernetes manifests apply unchanged.
 */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public record ServiceSpec(
    ServiceType type,
    Map<String, String> selector,
    List<ServicePort> ports,
    String clusterIP,
    List<String> clusterIPs,
    List<String> ipFamilies,
    String ipFamilyPolicy,
    List<String> externalIPs,
    SessionAffinity sessionAffinity,
    SessionAffinityConfig sessionAffinityConfig,
    TrafficPolicy externalTrafficPolicy,
    TrafficPolicy internalTrafficPolicy,
    String externalName,
    String loadBalancerIP,
    List<String> loadBalancerSourceRanges,
    String loadBalancerClass,
    Boolean allocateLoadBalancerNodePorts,
    Integer healthCheckNodePort,
    Boolean publishNotReadyAddresses,
    String trafficDistribution,
    LoadBalancing loadBalancing,
    HealthCheck healthCheck) {

  /** The {@code clusterIP} value that makes a service headless. */
  public static final String HEADLESS = "None";

  public ServiceSpec {
    selector = selector == null ? null : Map.copyOf(selector);
    ports = ports == null ? List.of() : List.copyOf(ports);
    clusterIPs = clusterIPs == null ? List.of() : List.copyOf(clusterIPs);
    ipFamilies = ipFamilies == null ? List.of() : List.copyOf(ipFamilies);
    externalIPs = externalIPs == null ? List.of() : List.copyOf(externalIPs);
    loadBalancerSourceRanges =
        loadBalancerSourceRanges == null ? List.of() : List.copyOf(loadBalancerSourceRanges);
  }

  /** A ClusterIP service selecting {@code selector} on {@code ports}; everything else defaulted. */
  public static ServiceSpec of(
      ServiceType type, Map<String, String> selector, List<ServicePort> ports) {
    return new ServiceSpec(
        type, selector, ports, null, null, null, null, null, null, null, null, null, null, null,
        null, null, null, null, null, null, null, null);
  }

  /** {@code type}, with Kubernetes' default {@code ClusterIP} when absent. */
  public ServiceType effectiveType() {
    return type == null ? ServiceType.ClusterIP : type;
  }

  public boolean headless() {
    return HEADLESS.equals(clusterIP);
  }

  /** Whether endpoints are derived from a selector (false: the user writes them). */
  public boolean hasSelector() {
    return selector != null && !selector.isEmpty();
  }

  public Map<String, String> selectorOrEmpty() {
    return selector == null ? Map.of() : selector;
  }

  public ServiceSpec withClusterIP(String ip) {
    return new ServiceSpec(
        type,
        selector,
        ports,
        ip,
        ip == null ? List.of() : List.of(ip),
        ipFamilies,
        ipFamilyPolicy,
        externalIPs,
        sessionAffinity,
        sessionAffinityConfig,
        externalTrafficPolicy,
        internalTrafficPolicy,
        externalName,
        loadBalancerIP,
        loadBalancerSourceRanges,
        loadBalancerClass,
        allocateLoadBalancerNodePorts,
        healthCheckNodePort,
        publishNotReadyAddresses,
        trafficDistribution,
        loadBalancing,
        healthCheck);
  }

  public ServiceSpec withPorts(List<ServicePort> ports) {
    return new ServiceSpec(
        type,
        selector,
        ports,
        clusterIP,
        clusterIPs,
        ipFamilies,
        ipFamilyPolicy,
        externalIPs,
        sessionAffinity,
        sessionAffinityConfig,
        externalTrafficPolicy,
        internalTrafficPolicy,
        externalName,
        loadBalancerIP,
        loadBalancerSourceRanges,
        loadBalancerClass,
        allocateLoadBalancerNodePorts,
        healthCheckNodePort,
        publishNotReadyAddresses,
        trafficDistribution,
        loadBalancing,
        healthCheck);
  }

  public ServiceSpec withLoadBalancing(LoadBalancing loadBalancing) {
    return new ServiceSpec(
        type,
        selector,
        ports,
        clusterIP,
        clusterIPs,
        ipFamilies,
        ipFamilyPolicy,
        externalIPs,
        sessionAffinity,
        sessionAffinityConfig,
        externalTrafficPolicy,
        internalTrafficPolicy,
        externalName,
        loadBalancerIP,
        loadBalancerSourceRanges,
        loadBalancerClass,
        allocateLoadBalancerNodePorts,
        healthCheckNodePort,
        publishNotReadyAddresses,
        trafficDistribution,
        loadBalancing,
        healthCheck);
  }

  public ServiceSpec withType(ServiceType type) {
    return new ServiceSpec(
        type,
        selector,
        ports,
        clusterIP,
        clusterIPs,
        ipFamilies,
        ipFamilyPolicy,
        externalIPs,
        sessionAffinity,
        sessionAffinityConfig,
        externalTrafficPolicy,
        internalTrafficPolicy,
        externalName,
        loadBalancerIP,
        loadBalancerSourceRanges,
        loadBalancerClass,
        allocateLoadBalancerNodePorts,
        healthCheckNodePort,
        publishNotReadyAddresses,
        trafficDistribution,
        loadBalancing,
        healthCheck);
  }

  /** {@code sessionAffinity}, with Kubernetes' default {@code None}. */
  public SessionAffinity effectiveSessionAffinity() {
    return sessionAffinity == null ? SessionAffinity.None : sessionAffinity;
  }

  public enum SessionAffinity {
    None,
    ClientIP
  }

  public enum TrafficPolicy {
    Cluster,
    Local
  }

  /** {@code sessionAffinityConfig.clientIP.timeoutSeconds} (Kubernetes default 10800). */
  @JsonInclude(JsonInclude.Include.NON_EMPTY)
  public record SessionAffinityConfig(ClientIPConfig clientIP) {}

  @JsonInclude(JsonInclude.Include.NON_EMPTY)
  public record ClientIPConfig(Integer timeoutSeconds) {}
}
