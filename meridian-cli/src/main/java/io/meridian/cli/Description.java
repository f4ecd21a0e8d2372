package io.meridian.cli;

import io.meridian.api.Endpoints;
import io.meridian.api.Instance;
import io.meridian.api.Namespace;
import io.meridian.api.Node;
import io.meridian.api.ObjectMeta;
import io.meridian.api.Service;
import io.meridian.api.ServicePort;
import io.meridian.api.ServiceSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The text of {@code describe}: {@code Key: value} lines with aligned values, kubectl's layout.
 * Pure; not thread-safe while being built.
 */
final class Description {

  private final List<String[]> lines = new ArrayList<>();

  private Description add(String key, Object value) {
    lines.add(
        new String[] {
          key, value == null || value.toString().isEmpty() ? ResourceTables.NONE : value.toString()
        });
    return this;
  }

  String render() {
    int width = lines.stream().mapToInt(l -> l[0].length()).max().orElse(0) + 2;
    StringBuilder sb = new StringBuilder();
    for (String[] l : lines) {
      if (l[0].isEmpty()) {
        sb.append(l[1]).append('\n');
      } else {
        sb.append(l[0])
            .append(':')
            .append(" ".repeat(width - l[0].length() - 1))
            .append(l[1])
            .append('\n');
      }
    }
    return sb.toString();
  }

  private Description meta(ObjectMeta m, boolean namespaced) {
    add("Name", m.name());
    if (namespaced) {
      add("Namespace", m.namespace());
    }
    add("Labels", ResourceTables.labels(m.labels()));
    add("Annotations", ResourceTables.labels(m.annotations()));
    add("Created", m.creationTimestamp());
    if (m.deletionTimestamp() != null) {
      add(
          "Terminating since",
          m.deletionTimestamp() + " (grace " + m.deletionGracePeriodSeconds() + "s)");
    }
    return this;
  }

  static Description of(Service s, Endpoints endpoints) {
    ServiceSpec spec = s.spec();
    Description d = new Description().meta(s.metadata(), true);
    d.add("Selector", ResourceTables.labels(spec.selector()));
    d.add("Type", spec.effectiveType());
    d.add("IP", ResourceTables.clusterIP(s));
    if (spec.externalName() != null) {
      d.add("External Name", spec.externalName());
    }
    if (s.status().ingressIP() != null
        || spec.effectiveType() == io.meridian.api.ServiceType.LoadBalancer) {
      d.add("LoadBalancer Ingress", ResourceTables.externalIP(s));
    }
    for (ServicePort p : spec.ports()) {
      d.add("Port", ResourceTables.portLabel(p));
      d.add("TargetPort", p.effectiveTargetPort() + "/" + p.effectiveProtocol());
      if (p.nodePort() != null) {
        d.add(
            "NodePort",
            ResourceTables.portName(p) + "  " + p.nodePort() + "/" + p.effectiveProtocol());
      }
      if (p.appProtocol() != null) {
        d.add("AppProtocol", p.appProtocol());
      }
    }
    d.add(
        "Endpoints",
        endpoints == null ? ResourceTables.NONE : ResourceTables.endpointList(endpoints));
    d.add("Session Affinity", spec.effectiveSessionAffinity());
    if (spec.externalTrafficPolicy() != null) {
      d.add("External Traffic Policy", spec.externalTrafficPolicy());
    }
    if (spec.loadBalancing() != null) {
      d.add(
          "Load Balancing",
          spec.loadBalancing().policy()
              + (spec.loadBalancing().hashOn() == null
                  ? ""
                  : " (hash on " + spec.loadBalancing().hashOn() + ")"));
    }
    if (spec.healthCheck() != null) {
      d.add(
          "Health Check",
          spec.healthCheck().type()
              + " every "
              + spec.healthCheck().effectiveInterval().toSeconds()
              + "s");
    }
    return d;
  }

  static Description of(Instance i) {
    Description d = new Description().meta(i.metadata(), true);
    if (i.spec() != null) {
      d.add("Address", i.spec().address());
      d.add("Ports", ResourceTables.instancePorts(i));
      d.add("Node", i.spec().node());
      d.add("Zone", i.spec().zone());
      d.add("Weight", i.spec().effectiveWeight());
      d.add(
          "TTL", i.spec().ttl() == null ? "<none> (persistent)" : i.spec().ttl() + " (ephemeral)");
      if (i.spec().healthCheck() != null) {
        d.add(
            "Health Check",
            i.spec().healthCheck().type()
                + " every "
                + i.spec().healthCheck().effectiveInterval().toSeconds()
                + "s");
      }
    }
    d.add("Ready", i.conditions().ready());
    d.add("Serving", i.conditions().serving());
    d.add("Terminating", i.conditions().terminating());
    if (i.status() != null && i.status().message() != null) {
      d.add("Message", i.status().message());
    }
    return d;
  }

  static Description of(Endpoints e) {
    Description d = new Description().meta(e.metadata(), true);
    d.add("Ready", ResourceTables.endpointList(e));
    if (e.endpoints().isEmpty()) {
      d.add("Endpoints", ResourceTables.NONE);
    }
    for (Endpoints.Endpoint ep : e.endpoints()) {
      Map<String, Object> ports = new TreeMap<>();
      ep.ports().forEach(p -> ports.put(p.name().isEmpty() ? "<unset>" : p.name(), p.port()));
      d.add(
          "Endpoint",
          ep.address()
              + " "
              + ports
              + " ready="
              + ep.conditions().ready()
              + " serving="
              + ep.conditions().serving()
              + " terminating="
              + ep.conditions().terminating()
              + (ep.instance() == null ? "" : " instance=" + ep.instance()));
    }
    return d;
  }

  static Description of(Node n) {
    Description d = new Description().meta(n.metadata(), false);
    d.add("Status", ResourceTables.nodeStatus(n));
    if (n.spec() != null) {
      d.add("Addresses", String.join(",", n.spec().addresses()));
      d.add("Zone", n.spec().zone());
      d.add("TTL", n.spec().ttl());
    }
    if (n.status() != null) {
      d.add("Agent Version", n.status().agentVersion());
    }
    return d;
  }

  static Description of(Namespace n) {
    return new Description()
        .meta(n.metadata(), false)
        .add("Status", n.metadata().deletionTimestamp() == null ? "Active" : "Terminating");
  }
}
