package io.meridian.client;

import io.meridian.api.Conditions;
import io.meridian.api.Endpoints;
import io.meridian.api.LoadBalancing;
import io.meridian.api.Service;
import io.meridian.api.ServicePort;
import io.meridian.api.ServiceType;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * What a caller may send to for one port of one service, as of a snapshot: the endpoints to balance
 * over, the service's balancing settings, or why there is nothing. The one place that turns a
 * {@link ServiceEntry} into endpoints, shared by {@link ServiceBalancer} and the gRPC resolver.
 *
 * <p>Endpoints are those that map the port and are ready; when none is ready, those serving while
 * terminating (EndpointSlice's rule: a draining endpoint beats none). Two instances claiming the
 * same address and port are one endpoint (the first, in the registry's order), since a caller
 * cannot tell them apart. Immutable.
 *
 * @param endpoints what to balance over, in the registry's order
 * @param policy the service's {@code spec.loadBalancing.policy}, or null
 * @param hashOn the service's {@code spec.loadBalancing.hashOn}, or null
 * @param problem why {@code endpoints} is empty, for an error message; null when it is not
 */
public record PortEndpoints(
    List<Endpoint> endpoints, String policy, String hashOn, String problem) {

  public PortEndpoints {
    endpoints = List.copyOf(endpoints);
  }

  /**
   * Selects the endpoints of {@code entry} (null: the service does not exist) for {@code port}: a
   * service port's name or number, or null for the port named {@code preferred} (may be null) or
   * else the service's only port.
   */
  public static PortEndpoints select(
      ServiceKey service, ServiceEntry entry, String port, String preferred) {
    return select(service, entry, port, preferred, null);
  }

  /**
   * {@link #select(ServiceKey, ServiceEntry, String, String)} among the endpoints on node {@code
   * node} only (null: any node; "": endpoints that name no node): a traffic policy {@code Local}.
   * The draining fallback applies among those, and with none on the node there is nothing to pick,
   * as in Kubernetes (traffic is dropped rather than sent off the node).
   */
  public static PortEndpoints select(
      ServiceKey service, ServiceEntry entry, String port, String preferred, String node) {
    if (entry == null) {
      return new PortEndpoints(List.of(), null, null, "service " + service + " does not exist");
    }
    Service svc = entry.service();
    LoadBalancing lb = svc.spec().loadBalancing();
    String policy = lb == null ? null : lb.policy();
    String hashOn = lb == null ? null : lb.hashOn();
    if (svc.spec().effectiveType() == ServiceType.ExternalName) {
      return new PortEndpoints(
          List.of(),
          policy,
          hashOn,
          "service "
              + service
              + " is an ExternalName ("
              + svc.spec().externalName()
              + "): it has no endpoints to balance");
    }
    String portName = resolve(svc.spec().ports(), port, preferred);
    if (portName == null) {
      return new PortEndpoints(List.of(), policy, hashOn, portProblem(service, svc, port));
    }
    List<Endpoint> ready = new ArrayList<>();
    List<Endpoint> draining = new ArrayList<>();
    Set<String> addresses = new HashSet<>();
    int mapped = 0;
    for (Endpoints.Endpoint ep : entry.endpointList()) {
      int p = ep.port(portName);
      if (p < 1 || node != null && !node.equals(ep.node() == null ? "" : ep.node())) {
        continue; // not on this port, or not on the node asked for
      }
      if (!addresses.add(ep.address() + " " + p)) {
        continue; // a second instance claiming the same address and port
      }
      mapped++;
      Conditions c = ep.conditions();
      List<Endpoint> into = c.ready() ? ready : c.serving() && c.terminating() ? draining : null;
      if (into != null) {
        into.add(
            new Endpoint(
                ep.address(), p, ep.instance(), ep.zone(), ep.weight() == null ? 1 : ep.weight()));
      }
    }
    List<Endpoint> chosen = ready.isEmpty() ? draining : ready;
    String problem =
        chosen.isEmpty()
            ? "service "
                + service
                + " has no ready endpoint for port "
                + (portName.isEmpty() ? "(unnamed)" : portName)
                + (node == null ? "" : " on node " + node)
                + (mapped == 0 ? "" : " (" + mapped + " not ready)")
            : null;
    return new PortEndpoints(chosen, policy, hashOn, problem);
  }

  /**
   * The name ("" when unnamed) of the service port {@code port} means (a name or a number), or,
   * without one, of the port named {@code preferred} (may be null), else of the only port; null
   * when there is none.
   */
  static String resolve(List<ServicePort> ports, String port, String preferred) {
    if (port != null) {
      for (ServicePort p : ports) {
        if (port.equals(p.name()) || port.equals(String.valueOf(p.port()))) {
          return p.name() == null ? "" : p.name();
        }
      }
      return null;
    }
    if (preferred != null) {
      for (ServicePort p : ports) {
        if (preferred.equals(p.name())) {
          return preferred;
        }
      }
    }
    return ports.size() == 1 ? (ports.get(0).name() == null ? "" : ports.get(0).name()) : null;
  }

  private static String portProblem(ServiceKey service, Service svc, String port) {
    String names =
        svc.spec().ports().stream()
            .map(
                p ->
                    p.name() == null || p.name().isEmpty()
                        ? "(unnamed) " + p.port()
                        : p.name() + " " + p.port())
            .collect(Collectors.joining(", "));
    if (svc.spec().ports().isEmpty()) {
      return "service " + service + " has no ports";
    }
    if (port == null) {
      return "service " + service + " has several ports (" + names + "): name the one to use";
    }
    return "service " + service + " has no port \"" + port + "\"; its ports: " + names;
  }
}
