package io.meridian.cli;

import io.meridian.api.Endpoints;
import io.meridian.api.Instance;
import io.meridian.api.Kind;
import io.meridian.api.Namespace;
import io.meridian.api.Node;
import io.meridian.api.Resource;
import io.meridian.api.Service;
import io.meridian.api.ServicePort;
import io.meridian.api.ServiceSpec;
import io.meridian.api.ServiceType;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The {@code get} tables, one set of columns per kind, kubectl's where kubectl has them. Pure: rows
 * depend only on the resources and {@code now}.
 */
final class ResourceTables {

  static final String NONE = "<none>";
  static final String PENDING = "<pending>";

  /** Endpoints listed before "+ N more..." in the ENDPOINTS column. */
  static final int ENDPOINTS_SHOWN = 3;

  private record Column<R>(String header, boolean wideOnly, Function<R, String> value) {}

  private final Instant now;

  ResourceTables(Instant now) {
    this.now = now;
  }

  /**
   * A table of {@code items} (all of {@code kind}), with the wide columns when {@code wide}, and a
   * NAMESPACE column first when {@code withNamespace} and the kind is namespaced.
   */
  Table table(Kind kind, List<? extends Resource> items, boolean wide, boolean withNamespace) {
    return switch (kind) {
      case SERVICE -> build(services(), cast(items, Service.class), wide, withNamespace);
      case INSTANCE -> build(instances(), cast(items, Instance.class), wide, withNamespace);
      case ENDPOINTS -> build(endpoints(), cast(items, Endpoints.class), wide, withNamespace);
      case NODE -> build(nodes(), cast(items, Node.class), wide, false);
      case NAMESPACE -> build(namespaces(), cast(items, Namespace.class), wide, false);
    };
  }

  private <R extends Resource> Table build(
      List<Column<R>> columns, List<R> items, boolean wide, boolean withNamespace) {
    List<Column<R>> shown = new ArrayList<>();
    if (withNamespace) {
      shown.add(new Column<>("NAMESPACE", false, r -> orNone(r.metadata().namespace())));
    }
    for (Column<R> c : columns) {
      if (wide || !c.wideOnly()) {
        shown.add(c);
      }
    }
    Table t = new Table(shown.stream().map(Column::header).toList());
    for (R item : items) {
      t.add(shown.stream().map(c -> c.value().apply(item)).toList());
    }
    return t;
  }

  private List<Column<Service>> services() {
    return List.of(
        new Column<>("NAME", false, s -> s.metadata().name()),
        new Column<>("TYPE", false, s -> s.spec().effectiveType().name()),
        new Column<>("CLUSTER-IP", false, ResourceTables::clusterIP),
        new Column<>("EXTERNAL-IP", false, ResourceTables::externalIP),
        new Column<>("PORT(S)", false, s -> ports(s.spec())),
        new Column<>("AGE", false, this::age),
        new Column<>("SELECTOR", true, s -> labels(s.spec().selector())));
  }

  private List<Column<Instance>> instances() {
    return List.of(
        new Column<>("NAME", false, i -> i.metadata().name()),
        new Column<>("ADDRESS", false, i -> orNone(i.spec() == null ? null : i.spec().address())),
        new Column<>("PORTS", false, ResourceTables::instancePorts),
        new Column<>("READY", false, ResourceTables::ready),
        new Column<>("AGE", false, this::age),
        new Column<>("NODE", true, i -> orNone(i.spec() == null ? null : i.spec().node())),
        new Column<>("ZONE", true, i -> orNone(i.spec() == null ? null : i.spec().zone())),
        new Column<>(
            "WEIGHT",
            true,
            i -> i.spec() == null ? NONE : String.valueOf(i.spec().effectiveWeight())),
        new Column<>(
            "TTL",
            true,
            i -> i.spec() == null || i.spec().ttl() == null ? NONE : i.spec().ttl().toString()));
  }

  private List<Column<Endpoints>> endpoints() {
    return List.of(
        new Column<>("NAME", false, e -> e.metadata().name()),
        new Column<>("ENDPOINTS", false, ResourceTables::endpointList),
        new Column<>("AGE", false, this::age));
  }

  private List<Column<Node>> nodes() {
    return List.of(
        new Column<>("NAME", false, n -> n.metadata().name()),
        new Column<>("STATUS", false, ResourceTables::nodeStatus),
        new Column<>(
            "ADDRESSES",
            false,
            n ->
                n.spec() == null || n.spec().addresses().isEmpty()
                    ? NONE
                    : String.join(",", n.spec().addresses())),
        new Column<>("AGE", false, this::age),
        new Column<>("ZONE", true, n -> orNone(n.spec() == null ? null : n.spec().zone())),
        new Column<>(
            "VERSION", true, n -> orNone(n.status() == null ? null : n.status().agentVersion())));
  }

  private List<Column<Namespace>> namespaces() {
    return List.of(
        new Column<>("NAME", false, n -> n.metadata().name()),
        new Column<>(
            "STATUS",
            false,
            n -> n.metadata().deletionTimestamp() == null ? "Active" : "Terminating"),
        new Column<>("AGE", false, this::age));
  }

  private String age(Resource r) {
    return Age.since(r.metadata().creationTimestamp(), now);
  }

  static String clusterIP(Service s) {
    if (s.spec().effectiveType() == ServiceType.ExternalName) {
      return NONE;
    }
    return orNone(s.spec().clusterIP());
  }

  static String externalIP(Service s) {
    ServiceSpec spec = s.spec();
    List<String> ips = new ArrayList<>();
    switch (spec.effectiveType()) {
      case ExternalName -> {
        return orNone(spec.externalName());
      }
      case LoadBalancer -> {
        if (s.status().loadBalancer() != null) {
          s.status()
              .loadBalancer()
              .ingress()
              .forEach(i -> ips.add(i.ip() != null ? i.ip() : i.hostname()));
        }
        ips.addAll(spec.externalIPs());
        if (ips.isEmpty()) {
          return PENDING;
        }
      }
      default -> ips.addAll(spec.externalIPs());
    }
    return ips.isEmpty() ? NONE : String.join(",", ips);
  }

  /** {@code 80/TCP}, or {@code 80:30080/TCP} with a node port; comma-separated. */
  static String ports(ServiceSpec spec) {
    if (spec.ports().isEmpty()) {
      return NONE;
    }
    return spec.ports().stream()
        .map(
            p ->
                p.port()
                    + (p.nodePort() == null ? "" : ":" + p.nodePort())
                    + "/"
                    + p.effectiveProtocol())
        .collect(Collectors.joining(","));
  }

  static String instancePorts(Instance i) {
    if (i.spec() == null || i.spec().ports().isEmpty()) {
      return NONE;
    }
    return i.spec().ports().entrySet().stream()
        .map(e -> e.getKey() + ":" + e.getValue())
        .collect(Collectors.joining(","));
  }

  static String ready(Instance i) {
    if (i.conditions().terminating()) {
      return "terminating";
    }
    return String.valueOf(i.conditions().ready());
  }

  /** Ready endpoints as {@code addr:port}, the first three, then {@code + N more...}. */
  static String endpointList(Endpoints e) {
    List<String> all = new ArrayList<>();
    for (Endpoints.Endpoint ep : e.endpoints()) {
      if (!ep.conditions().ready()) {
        continue;
      }
      String host =
          ep.address() != null && ep.address().contains(":")
              ? "[" + ep.address() + "]"
              : ep.address();
      if (ep.ports().isEmpty()) {
        all.add(host);
      }
      for (Endpoints.EndpointPort p : ep.ports()) {
        all.add(host + ":" + p.port());
      }
    }
    if (all.isEmpty()) {
      return NONE;
    }
    if (all.size() <= ENDPOINTS_SHOWN) {
      return String.join(",", all);
    }
    return String.join(",", all.subList(0, ENDPOINTS_SHOWN))
        + " + "
        + (all.size() - ENDPOINTS_SHOWN)
        + " more...";
  }

  static String nodeStatus(Node n) {
    if (n.status() == null || n.status().conditions() == null) {
      return "Unknown";
    }
    return n.status().conditions().ready() ? "Ready" : "NotReady";
  }

  /** {@code k=v,k2=v2} sorted by key, or {@code <none>}. */
  static String labels(Map<String, String> labels) {
    if (labels == null || labels.isEmpty()) {
      return NONE;
    }
    return new TreeMap<>(labels)
        .entrySet().stream()
            .map(e -> e.getKey() + "=" + e.getValue())
            .collect(Collectors.joining(","));
  }

  static String orNone(String s) {
    return s == null || s.isEmpty() ? NONE : s;
  }

  private static <R> List<R> cast(List<? extends Resource> items, Class<R> type) {
    return items.stream().map(type::cast).toList();
  }

  /** A service port as {@code describe} prints it: {@code http 80/TCP}. */
  static String portLabel(ServicePort p) {
    return portName(p) + "  " + p.port() + "/" + p.effectiveProtocol();
  }

  static String portName(ServicePort p) {
    return p.name() == null || p.name().isEmpty() ? "<unset>" : p.name();
  }
}
