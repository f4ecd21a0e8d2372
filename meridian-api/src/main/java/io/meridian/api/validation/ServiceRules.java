package io.meridian.api.validation;

import io.meridian.api.IntOrString;
import io.meridian.api.LoadBalancing;
import io.meridian.api.ServicePort;
import io.meridian.api.ServiceSpec;
import io.meridian.api.ServiceType;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * The rules of a Service's {@code spec}: Kubernetes' own ({@code ValidateService} in {@code
 * pkg/apis/core/validation}) for the fields Kubernetes defines, so that a manifest valid there is
 * valid here, plus Meridian's {@code loadBalancing} and {@code healthCheck}.
 *
 * <p>Two places are stricter than Kubernetes because Meridian's data planes act on them: {@code
 * appProtocol} must be one they understand or a domain-prefixed name, and the node-port range is
 * left to the allocator (any 1..65535 passes here).
 *
 * <p>Thread-safety: stateless; safe from any thread.
 */
final class ServiceRules {

  static final Set<String> APP_PROTOCOLS = Set.of("tcp", "http", "h2c", "grpc", "tls");
  static final Set<String> HASH_POLICIES = Set.of("ring_hash", "maglev");
  static final Set<String> IP_FAMILIES = Set.of("IPv4", "IPv6");
  static final Set<String> IP_FAMILY_POLICIES =
      Set.of("SingleStack", "PreferDualStack", "RequireDualStack");
  static final int AFFINITY_TIMEOUT_MAX = 86_400;

  /** An HTTP header name: RFC 9110 §5.6.2 {@code token}. */
  private static final Pattern HEADER_NAME = Pattern.compile("[!#$%&'*+.^_`|~0-9A-Za-z-]+");

  private ServiceRules() {}

  static void spec(ServiceSpec spec, Problems p) {
    if (spec == null) {
      p.add("spec", "is required");
      return;
    }
    ServiceType type = spec.effectiveType();
    Validator.labels("spec.selector", spec.selector(), p);
    if (type == ServiceType.ExternalName) {
      externalName(spec.externalName(), p);
    } else if (spec.ports().isEmpty()) {
      p.add("spec.ports", "at least one port is required");
    }
    ports(spec.ports(), type, p);
    clusterIP(spec, type, p);
    for (int i = 0; i < spec.externalIPs().size(); i++) {
      Validator.hostAddress("spec.externalIPs[" + i + "]", spec.externalIPs().get(i), p);
    }
    if (spec.loadBalancerIP() != null && !spec.loadBalancerIP().isEmpty()) {
      Validator.hostAddress("spec.loadBalancerIP", spec.loadBalancerIP(), p);
    }
    for (int i = 0; i < spec.loadBalancerSourceRanges().size(); i++) {
      String range = spec.loadBalancerSourceRanges().get(i);
      if (!IpLiteral.isCidr(range)) {
        p.add(
            "spec.loadBalancerSourceRanges[" + i + "]",
            "must be an address range such as 10.0.0.0/8, got " + Names.quote(range));
      }
    }
    if (spec.healthCheckNodePort() != null && spec.healthCheckNodePort() != 0) {
      p.range("spec.healthCheckNodePort", spec.healthCheckNodePort(), 1, 65535);
    }
    sessionAffinity(spec, p);
    loadBalancing(spec.loadBalancing(), p);
    Validator.healthCheck("spec.healthCheck", spec.healthCheck(), null, p);
  }

  private static void externalName(String name, Problems p) {
    if (name == null || name.isEmpty()) {
      p.add("spec.externalName", "is required for ExternalName services");
      return;
    }
    // A fully qualified name may end with the root's '.'.
    String bare = name.endsWith(".") ? name.substring(0, name.length() - 1) : name;
    p.addIfAny("spec.externalName", Names.dns1123Subdomain(bare));
  }

  private static void ports(List<ServicePort> ports, ServiceType type, Problems p) {
    boolean many = ports.size() > 1;
    boolean nodePortsAllowed = type == ServiceType.NodePort || type == ServiceType.LoadBalancer;
    Set<String> names = new HashSet<>();
    Set<String> numbers = new HashSet<>();
    Set<String> nodePorts = new HashSet<>();
    for (int i = 0; i < ports.size(); i++) {
      String base = "spec.ports[" + i + "]";
      ServicePort port = ports.get(i);
      String name = port.name();
      if (name == null || name.isEmpty()) {
        if (many) {
          p.add(base + ".name", "is required when a service has more than one port");
        }
      } else {
        String problem = Names.dns1123Label(name);
        if (problem != null) {
          p.add(base + ".name", problem);
        } else if (!names.add(name)) {
          p.add(base + ".name", "duplicate name " + Names.quote(name));
        }
      }
      String protocol = port.effectiveProtocol().name();
      if (port.port() == null) {
        p.add(base + ".port", "is required");
      } else if (port.port() < 1 || port.port() > 65535) {
        p.range(base + ".port", port.port(), 1, 65535);
      } else if (!numbers.add(port.port() + "/" + protocol)) {
        p.add(base + ".port", "duplicate port " + port.port() + "/" + protocol);
      }
      targetPort(base + ".targetPort", port.targetPort(), p);
      Integer nodePort = port.nodePort();
      if (nodePort != null && nodePort != 0) {
        if (!nodePortsAllowed) {
          p.add(base + ".nodePort", "may only be set for NodePort and LoadBalancer services");
        } else if (nodePort < 1 || nodePort > 65535) {
          p.range(base + ".nodePort", nodePort, 1, 65535);
        } else if (!nodePorts.add(nodePort + "/" + protocol)) {
          p.add(base + ".nodePort", "duplicate node port " + nodePort + "/" + protocol);
        }
      }
      appProtocol(base + ".appProtocol", port.appProtocol(), p);
    }
  }

  private static void targetPort(String field, IntOrString target, Problems p) {
    if (target == null) {
      return;
    }
    if (target.isNumber()) {
      p.range(field, target.number(), 1, 65535);
    } else {
      p.addIfAny(field, Names.ianaServiceName(target.name()));
    }
  }

  private static void appProtocol(String field, String value, Problems p) {
    if (value == null || value.isEmpty() || APP_PROTOCOLS.contains(value)) {
      return;
    }
    if (value.indexOf('/') < 0 || Names.qualifiedKey(value) != null) {
      p.add(
          field,
          "must be one of tcp, http, h2c, grpc, tls, or a domain-prefixed name such as"
              + " example.com/proto, got "
              + Names.quote(value));
    }
  }

  private static void clusterIP(ServiceSpec spec, ServiceType type, Problems p) {
    String ip = spec.clusterIP();
    boolean set = ip != null && !ip.isEmpty();
    if (set && type == ServiceType.ExternalName) {
      p.add("spec.clusterIP", "may not be set for ExternalName services");
    } else if (set && spec.headless()) {
      if (type == ServiceType.NodePort || type == ServiceType.LoadBalancer) {
        p.add("spec.clusterIP", "may not be None for " + type + " services");
      }
    } else if (set) {
      byte[] bytes = IpLiteral.parse(ip);
      if (bytes == null) {
        p.add(
            "spec.clusterIP",
            "must be empty, None, or an IPv4 or IPv6 address, got " + Names.quote(ip));
      } else if (IpLiteral.isUnspecified(bytes)) {
        p.add("spec.clusterIP", "must not be the unspecified address " + ip);
      }
    }
    List<String> ips = spec.clusterIPs();
    if (ips.size() > 2) {
      p.add(
          "spec.clusterIPs",
          "may hold at most two addresses, one per IP family, got " + ips.size());
    }
    for (int i = 0; i < ips.size(); i++) {
      String v = ips.get(i);
      if (!"None".equals(v) && !IpLiteral.isIp(v)) {
        p.add(
            "spec.clusterIPs[" + i + "]",
            "must be None or an IPv4 or IPv6 address, got " + Names.quote(v));
      }
    }
    if (set && !ips.isEmpty() && !ips.get(0).equals(ip)) {
      p.add(
          "spec.clusterIPs[0]",
          "must equal spec.clusterIP " + Names.quote(ip) + ", got " + Names.quote(ips.get(0)));
    }
    List<String> families = spec.ipFamilies();
    for (int i = 0; i < families.size(); i++) {
      if (!IP_FAMILIES.contains(families.get(i))) {
        p.add(
            "spec.ipFamilies[" + i + "]",
            "must be IPv4 or IPv6, got " + Names.quote(families.get(i)));
      } else if (families.subList(0, i).contains(families.get(i))) {
        p.add("spec.ipFamilies[" + i + "]", "duplicate family " + families.get(i));
      }
    }
    String policy = spec.ipFamilyPolicy();
    if (policy != null && !policy.isEmpty() && !IP_FAMILY_POLICIES.contains(policy)) {
      p.add(
          "spec.ipFamilyPolicy",
          "must be one of SingleStack, PreferDualStack, RequireDualStack, got "
              + Names.quote(policy));
    }
  }

  private static void sessionAffinity(ServiceSpec spec, Problems p) {
    ServiceSpec.SessionAffinityConfig config = spec.sessionAffinityConfig();
    Integer timeout =
        config == null || config.clientIP() == null ? null : config.clientIP().timeoutSeconds();
    if (timeout == null) {
      return;
    }
    if (spec.effectiveSessionAffinity() != ServiceSpec.SessionAffinity.ClientIP) {
      p.add("spec.sessionAffinityConfig", "may only be set when sessionAffinity is ClientIP");
    }
    p.range("spec.sessionAffinityConfig.clientIP.timeoutSeconds", timeout, 1, AFFINITY_TIMEOUT_MAX);
  }

  private static void loadBalancing(LoadBalancing lb, Problems p) {
    if (lb == null) {
      return;
    }
    String policy = lb.policy();
    if (policy != null && !LoadBalancing.POLICIES.contains(policy)) {
      p.add(
          "spec.loadBalancing.policy",
          "must be one of "
              + String.join(", ", new TreeSet<>(LoadBalancing.POLICIES))
              + ", got "
              + Names.quote(policy));
    }
    String hashOn = lb.hashOn();
    if (hashOn == null || hashOn.isEmpty()) {
      return;
    }
    if (policy == null || !HASH_POLICIES.contains(policy)) {
      p.add(
          "spec.loadBalancing.hashOn",
          "may only be set for the ring_hash and maglev policies, got policy "
              + (policy == null ? "round_robin (the default)" : policy));
    } else if (!hashOn.equals("client_ip")
        && !(hashOn.startsWith("header:") && HEADER_NAME.matcher(hashOn.substring(7)).matches())) {
      p.add(
          "spec.loadBalancing.hashOn",
          "must be client_ip or header:NAME, got " + Names.quote(hashOn));
    }
  }
}
