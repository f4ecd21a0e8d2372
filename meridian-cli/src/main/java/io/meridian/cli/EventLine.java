package io.meridian.cli;

import io.meridian.api.Endpoints;
import io.meridian.api.Instance;
import io.meridian.api.Kind;
import io.meridian.api.Namespace;
import io.meridian.api.Node;
import io.meridian.api.Resource;
import io.meridian.api.Service;
import io.meridian.api.ServiceType;
import java.util.ArrayList;
import java.util.List;

/**
 * One line of {@code watch}: {@code ADDED service/web 127.96.0.10 80/TCP}, with the namespace
 * before the name when watching all namespaces. Pure.
 */
final class EventLine {

  private EventLine() {}

  static String of(Kind kind, String type, Resource r, boolean withNamespace) {
    StringBuilder sb = new StringBuilder(String.format("%-8s ", type));
    if (withNamespace && r.metadata().namespace() != null) {
      sb.append(r.metadata().namespace()).append(' ');
    }
    sb.append(WireFormat.ref(kind, r.metadata().name()));
    String summary = summary(r);
    if (!summary.isEmpty()) {
      sb.append(' ').append(summary);
    }
    return sb.toString();
  }

  /** What changed watchers most want to see of each kind. */
  static String summary(Resource r) {
    List<String> parts = new ArrayList<>();
    switch (r) {
      case Service s -> {
        if (s.spec().effectiveType() == ServiceType.ExternalName) {
          parts.add(ResourceTables.orNone(s.spec().externalName()));
        } else {
          parts.add(ResourceTables.clusterIP(s));
          parts.add(ResourceTables.ports(s.spec()));
          if (s.spec().effectiveType() == ServiceType.LoadBalancer) {
            parts.add("ingress " + ResourceTables.externalIP(s));
          }
        }
      }
      case Instance i -> {
        parts.add(ResourceTables.orNone(i.spec() == null ? null : i.spec().address()));
        parts.add(ResourceTables.instancePorts(i));
        String ready = ResourceTables.ready(i);
        parts.add(ready.equals("true") ? "ready" : ready.equals("false") ? "not-ready" : ready);
      }
      case Endpoints e -> parts.add(ResourceTables.endpointList(e));
      case Node n -> {
        parts.add(n.spec() == null ? ResourceTables.NONE : String.join(",", n.spec().addresses()));
        parts.add(ResourceTables.nodeStatus(n));
      }
      case Namespace n ->
          parts.add(n.metadata().deletionTimestamp() == null ? "Active" : "Terminating");
    }
    return String.join(" ", parts);
  }
}
