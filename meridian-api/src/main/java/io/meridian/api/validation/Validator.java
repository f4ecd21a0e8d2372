package io.meridian.api.validation;

import io.meridian.api.Endpoints;
import io.meridian.api.FieldError;
import io.meridian.api.GoDuration;
import io.meridian.api.HealthCheck;
import io.meridian.api.Instance;
import io.meridian.api.InstanceSpec;
import io.meridian.api.IntOrString;
import io.meridian.api.Kind;
import io.meridian.api.Namespace;
import io.meridian.api.Node;
import io.meridian.api.ObjectMeta;
import io.meridian.api.Resource;
import io.meridian.api.Service;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;

/**
 * Checks a decoded resource against the model's rules and returns every problem found, each naming
 * its field path. An empty list means valid.
 *
 * <p>Paths are rendered as the codec renders them: {@code spec.ports[0].port} for list elements,
 * {@code metadata.labels[app]} and {@code spec.ports[http]} for map entries. Names follow
 * Kubernetes: Service and Endpoints names are DNS-1035 labels, Namespace names DNS-1123 labels,
 * Instance and Node names DNS-1123 subdomains (see {@link Names}). Map entries are checked in key
 * order so the list of problems is the same on every run.
 *
 * <p>Thread-safety: stateless; safe from any thread.
 */
public final class Validator {

  /** Kubernetes' limit on the total size of an object's annotations. */
  static final int ANNOTATIONS_MAX_BYTES = 256 * 1024;

  static final int WEIGHT_MAX = 1000;
  static final Duration TTL_MIN = Duration.ofSeconds(1);
  static final Duration TTL_MAX = Duration.ofHours(24);
  static final Set<String> CHECK_TYPES = Set.of("tcp", "http", "grpc");

  private Validator() {}

  public static List<FieldError> validate(Resource resource) {
    Objects.requireNonNull(resource, "resource");
    Problems p = new Problems();
    Kind kind = resource.kindInfo();
    typeFields(resource, kind, p);
    metadata(resource.metadata(), kind, p);
    switch (resource) {
      case Service s -> ServiceRules.spec(s.spec(), p);
      case Instance i -> instance(i.spec(), p);
      case Node n -> node(n.spec(), p);
      case Endpoints e -> endpoints(e.endpoints(), p);
      case Namespace n -> {
        // A namespace has nothing but its name.
      }
    }
    return p.list();
  }

  private static void typeFields(Resource r, Kind kind, Problems p) {
    if (!kind.apiVersion().equals(r.apiVersion())) {
      p.add("apiVersion", "is " + r.apiVersion() + ", expected " + kind.apiVersion());
    }
    if (!kind.kindName().equals(r.kind())) {
      p.add("kind", "is " + r.kind() + ", expected " + kind.kindName());
    }
  }

  private static void metadata(ObjectMeta meta, Kind kind, Problems p) {
    if (meta == null || meta.name() == null || meta.name().isEmpty()) {
      p.add("metadata.name", "is required");
    } else {
      p.addIfAny(
          "metadata.name",
          switch (kind) {
            case SERVICE, ENDPOINTS -> Names.dns1035Label(meta.name());
            case NAMESPACE -> Names.dns1123Label(meta.name());
            case INSTANCE, NODE -> Names.dns1123Subdomain(meta.name());
          });
    }
    if (meta == null) {
      return;
    }
    if (meta.namespace() != null && !meta.namespace().isEmpty()) {
      p.addIfAny("metadata.namespace", Names.dns1123Label(meta.namespace()));
    }
    labels("metadata.labels", meta.labels(), p);
    long size = 0;
    for (Map.Entry<String, String> e : new TreeMap<>(meta.annotations()).entrySet()) {
      p.addIfAny("metadata.annotations[" + e.getKey() + "]", Names.qualifiedKey(e.getKey()));
      size += e.getKey().getBytes(StandardCharsets.UTF_8).length;
      size += e.getValue() == null ? 0 : e.getValue().getBytes(StandardCharsets.UTF_8).length;
    }
    if (size > ANNOTATIONS_MAX_BYTES) {
      p.add(
          "metadata.annotations",
          "must hold at most " + ANNOTATIONS_MAX_BYTES + " bytes in total, got " + size);
    }
  }

  /** Label-style map ({@code metadata.labels}, {@code spec.selector}): keys and values checked. */
  static void labels(String path, Map<String, String> labels, Problems p) {
    if (labels == null) {
      return;
    }
    for (Map.Entry<String, String> e : new TreeMap<>(labels).entrySet()) {
      String field = path + "[" + e.getKey() + "]";
      String keyProblem = Names.qualifiedKey(e.getKey());
      p.addIfAny(field, keyProblem);
      if (keyProblem == null) {
        p.addIfAny(
            field,
            e.getValue() == null ? "value must not be null" : Names.labelValue(e.getValue()));
      }
    }
  }

  private static void instance(InstanceSpec spec, Problems p) {
    if (spec == null) {
      p.add("spec", "is required");
      return;
    }
    hostAddress("spec.address", spec.address(), p);
    if (spec.ports().isEmpty()) {
      p.add("spec.ports", "at least one port is required");
    }
    for (Map.Entry<String, Integer> e : new TreeMap<>(spec.ports()).entrySet()) {
      String field = "spec.ports[" + e.getKey() + "]";
      String nameProblem = Names.ianaServiceName(e.getKey());
      if (nameProblem != null) {
        p.add(field, "name " + nameProblem);
      }
      if (e.getValue() == null) {
        p.add(field, "is required");
      } else {
        p.range(field, e.getValue(), 1, 65535);
      }
    }
    if (spec.weight() != null) {
      p.range("spec.weight", spec.weight(), 1, WEIGHT_MAX);
    }
    ttl("spec.ttl", spec.ttl(), p);
    if (spec.hostname() != null && !spec.hostname().isEmpty()) {
      p.addIfAny("spec.hostname", Names.dns1123Label(spec.hostname()));
    }
    if (spec.node() != null && !spec.node().isEmpty()) {
      p.addIfAny("spec.node", Names.dns1123Subdomain(spec.node()));
    }
    healthCheck("spec.healthCheck", spec.healthCheck(), spec.ports(), p);
  }

  private static void node(Node.NodeSpec spec, Problems p) {
    if (spec == null) {
      return;
    }
    for (int i = 0; i < spec.addresses().size(); i++) {
      hostAddress("spec.addresses[" + i + "]", spec.addresses().get(i), p);
    }
    ttl("spec.ttl", spec.ttl(), p);
  }

  private static void endpoints(List<Endpoints.Endpoint> endpoints, Problems p) {
    for (int i = 0; i < endpoints.size(); i++) {
      String base = "endpoints[" + i + "]";
      Endpoints.Endpoint ep = endpoints.get(i);
      hostAddress(base + ".address", ep.address(), p);
      for (int j = 0; j < ep.ports().size(); j++) {
        Endpoints.EndpointPort port = ep.ports().get(j);
        String portBase = base + ".ports[" + j + "]";
        if (!port.name().isEmpty()) {
          p.addIfAny(portBase + ".name", Names.dns1123Label(port.name()));
        }
        p.range(portBase + ".port", port.port(), 1, 65535);
      }
      if (ep.weight() != null) {
        p.range(base + ".weight", ep.weight(), 1, WEIGHT_MAX);
      }
      if (ep.instance() != null && !ep.instance().isEmpty()) {
        p.addIfAny(base + ".instance", Names.dns1123Subdomain(ep.instance()));
      }
      if (ep.hostname() != null && !ep.hostname().isEmpty()) {
        p.addIfAny(base + ".hostname", Names.dns1123Label(ep.hostname()));
      }
    }
  }

  /** The address of one host: an IP literal (never a hostname), not 0.0.0.0 or ::. */
  static void hostAddress(String field, String address, Problems p) {
    if (address == null || address.isEmpty()) {
      p.add(field, "is required");
      return;
    }
    byte[] bytes = IpLiteral.parse(address);
    if (bytes == null) {
      p.add(field, "must be an IPv4 or IPv6 address, got " + Names.quote(address));
    } else if (IpLiteral.isUnspecified(bytes)) {
      p.add(field, "must be the address of one host, not the unspecified address " + address);
    }
  }

  private static void ttl(String field, GoDuration ttl, Problems p) {
    if (ttl == null) {
      return;
    }
    Duration d = ttl.duration();
    if (d.compareTo(TTL_MIN) < 0 || d.compareTo(TTL_MAX) > 0) {
      p.add(field, "must be between 1s and 24h, got " + ttl);
    }
  }

  /**
   * {@code spec.healthCheck} of a Service ({@code ports} null: the instances are not known here) or
   * of an Instance (a named port must be one of its {@code ports}).
   */
  static void healthCheck(String path, HealthCheck hc, Map<String, Integer> ports, Problems p) {
    if (hc == null) {
      return;
    }
    if (hc.type() == null || hc.type().isEmpty()) {
      p.add(path + ".type", "is required: tcp, http or grpc");
    } else if (!CHECK_TYPES.contains(hc.type())) {
      p.add(path + ".type", "must be one of tcp, http, grpc, got " + Names.quote(hc.type()));
    }
    if ("http".equals(hc.type()) && hc.path() != null && !hc.path().startsWith("/")) {
      p.add(path + ".path", "must start with '/' for an http check, got " + Names.quote(hc.path()));
    }
    boolean intervalOk = positive(path + ".interval", hc.interval(), p);
    boolean timeoutOk = positive(path + ".timeout", hc.timeout(), p);
    if (intervalOk && timeoutOk && hc.effectiveTimeout().compareTo(hc.effectiveInterval()) > 0) {
      if (hc.timeout() != null) {
        p.add(
            path + ".timeout",
            "must not exceed the interval "
                + GoDuration.format(hc.effectiveInterval())
                + ", got "
                + hc.timeout());
      } else {
        p.add(
            path + ".interval",
            "must not be shorter than the default timeout "
                + GoDuration.format(hc.effectiveTimeout())
                + ", got "
                + hc.interval()
                + "; set a shorter timeout");
      }
    }
    if (hc.rise() != null) {
      p.range(path + ".rise", hc.rise(), 1, 100);
    }
    if (hc.fall() != null) {
      p.range(path + ".fall", hc.fall(), 1, 100);
    }
    IntOrString port = hc.port();
    if (port != null) {
      if (port.isNumber()) {
        p.range(path + ".port", port.number(), 1, 65535);
      } else {
        String problem = Names.ianaServiceName(port.name());
        if (problem != null) {
          p.add(path + ".port", problem);
        } else if (ports != null && !ports.containsKey(port.name())) {
          p.add(
              path + ".port",
              "names no port of this instance: "
                  + Names.quote(port.name())
                  + " is not one of "
                  + String.join(", ", new TreeMap<>(ports).keySet()));
        }
      }
    }
  }

  private static boolean positive(String field, GoDuration d, Problems p) {
    if (d != null && d.duration().isZero()) {
      p.add(field, "must be greater than 0s, got " + d);
      return false;
    }
    return true;
  }
}
