package io.meridian.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.meridian.api.Service;
import io.meridian.api.ServicePort;
import io.meridian.api.ServiceSpec;
import io.meridian.api.ServiceType;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * What {@code apply} needs to act like {@code kubectl apply}: whether a manifest would change the
 * stored object ("unchanged" skips the write), and the allocations a replace must keep.
 *
 * <p>A manifest says what the user wants; the stored object also holds what the registry filled in.
 * So a field absent from the manifest is not a change when the registry allocates it ({@link
 * #ALLOCATED}: ClusterIP, node ports, ...) or when the stored value is the field's default ({@link
 * #DEFAULTS}: {@code type: ClusterIP}, {@code protocol: TCP}, ...). {@code targetPort} defaults to
 * its sibling {@code port}. Empty lists, maps and nulls count as absent. Pure and stateless.
 */
final class ApplyDiff {

  /** Fields the registry fills in when a manifest leaves them out. */
  static final Set<String> ALLOCATED =
      Set.of(
          "clusterIP",
          "clusterIPs",
          "ipFamilies",
          "ipFamilyPolicy",
          "nodePort",
          "healthCheckNodePort",
          "allocateLoadBalancerNodePorts",
          "sessionAffinityConfig");

  /** Fields whose absence means a known value. */
  static final Map<String, String> DEFAULTS =
      Map.of(
          "type", "ClusterIP",
          "protocol", "TCP",
          "sessionAffinity", "None",
          "externalTrafficPolicy", "Cluster",
          "internalTrafficPolicy", "Cluster",
          "weight", "1");

  private static final Set<String> IGNORED_TOP_LEVEL =
      Set.of("apiVersion", "kind", "metadata", "status");

  private ApplyDiff() {}

  /** Whether writing {@code manifest} over {@code stored} would change nothing a user wrote. */
  static boolean unchanged(JsonNode manifest, JsonNode stored) {
    JsonNode mm = manifest.path("metadata");
    JsonNode sm = stored.path("metadata");
    if (!sameMap(mm.path("labels"), sm.path("labels"))
        || !sameMap(mm.path("annotations"), sm.path("annotations"))) {
      return false;
    }
    for (String field : fieldNames(manifest, stored)) {
      if (!IGNORED_TOP_LEVEL.contains(field)
          && !same(field, manifest.get(field), stored.get(field), null)) {
        return false;
      }
    }
    return true;
  }

  /**
   * {@code desired} with the ClusterIP and node ports of {@code stored} where the manifest leaves
   * them out and its type still has them, so that a replace does not move a service's addresses.
   */
  static Service keepAllocations(Service desired, Service stored) {
    ServiceSpec d = desired.spec();
    ServiceSpec s = stored.spec();
    if (d == null || s == null) {
      return desired;
    }
    ServiceType type = d.effectiveType();
    if (type != ServiceType.ExternalName
        && blank(d.clusterIP())
        && !blank(s.clusterIP())
        && !s.headless()
        && s.effectiveType() != ServiceType.ExternalName) {
      d = d.withClusterIP(s.clusterIP());
    }
    if (type == ServiceType.NodePort || type == ServiceType.LoadBalancer) {
      List<ServicePort> ports = new ArrayList<>();
      for (ServicePort p : d.ports()) {
        ServicePort old = p.nodePort() == null ? match(p, s.ports()) : null;
        ports.add(old != null && old.nodePort() != null ? p.withNodePort(old.nodePort()) : p);
      }
      d = d.withPorts(ports);
    }
    return desired.withSpec(d);
  }

  /** The stored port that {@code p} is: same name when named, else same port and protocol. */
  private static ServicePort match(ServicePort p, List<ServicePort> stored) {
    for (ServicePort o : stored) {
      boolean same =
          blank(p.name())
              ? Objects.equals(p.port(), o.port()) && p.effectiveProtocol() == o.effectiveProtocol()
              : p.name().equals(o.name());
      if (same) {
        return o;
      }
    }
    return null;
  }

  private static boolean same(String field, JsonNode d, JsonNode s, JsonNode desiredParent) {
    d = present(d);
    s = present(s);
    if (d == null && s == null) {
      return true;
    }
    if (d == null) {
      if (ALLOCATED.contains(field)) {
        return true;
      }
      return isDefault(field, s, desiredParent);
    }
    if (s == null) {
      return isDefault(field, d, desiredParent);
    }
    if (d.isObject() && s.isObject()) {
      for (String f : fieldNames(d, s)) {
        if (!same(f, d.get(f), s.get(f), d)) {
          return false;
        }
      }
      return true;
    }
    if (d.isArray() && s.isArray()) {
      if (d.size() != s.size()) {
        return false;
      }
      for (int i = 0; i < d.size(); i++) {
        if (!same(field, d.get(i), s.get(i), desiredParent)) {
          return false;
        }
      }
      return true;
    }
    return d.isValueNode()
        && s.isValueNode()
        && d.isNumber() == s.isNumber()
        && d.asText().equals(s.asText());
  }

  private static boolean isDefault(String field, JsonNode value, JsonNode parent) {
    if (!value.isValueNode()) {
      return false;
    }
    if (field.equals("targetPort") && parent != null && parent.has("port")) {
      return value.asText().equals(parent.get("port").asText());
    }
    return value.asText().equals(DEFAULTS.get(field));
  }

  private static boolean sameMap(JsonNode a, JsonNode b) {
    JsonNode x = present(a);
    JsonNode y = present(b);
    return x == null ? y == null : x.equals(y);
  }

  /** {@code n}, or null when it is missing, null, or an empty list or map. */
  private static JsonNode present(JsonNode n) {
    if (n == null || n.isNull() || n.isMissingNode() || (n.isContainerNode() && n.isEmpty())) {
      return null;
    }
    return n;
  }

  private static Set<String> fieldNames(JsonNode a, JsonNode b) {
    Set<String> names = new LinkedHashSet<>();
    for (JsonNode n : new JsonNode[] {a, b}) {
      if (n != null && n.isObject()) {
        for (Iterator<String> it = n.fieldNames(); it.hasNext(); ) {
          names.add(it.next());
        }
      }
    }
    return names;
  }

  private static boolean blank(String s) {
    return s == null || s.isEmpty();
  }
}
