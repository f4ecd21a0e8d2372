package io.meridian.proxy;

import io.meridian.api.Service;
import io.meridian.api.ServicePort;
import io.meridian.api.ServiceSpec;
import io.meridian.api.ServiceStatus;
import io.meridian.api.ServiceType;
import io.meridian.client.ClusterSnapshot;
import io.meridian.client.ServiceEntry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Renders the listeners a data-plane process should have from a registry snapshot: a pure function,
 * golden-tested, so that what the agent binds can be read off a file (kube-proxy's proxier renders
 * its rules the same way, from the service and endpoint maps alone).
 *
 * <p>Rules, after Kubernetes' Service semantics:
 *
 * <ul>
 *   <li>an agent listens on each ClusterIP (every entry of {@code clusterIPs}) and port of every
 *       ClusterIP, NodePort and LoadBalancer service, unless it is headless; {@code
 *       internalTrafficPolicy: Local} makes it send only to endpoints on its node;
 *   <li>an agent listens on each node address at each {@code nodePort} of NodePort and LoadBalancer
 *       services; {@code externalTrafficPolicy: Local} keeps that traffic on the node (and the
 *       client's address with it);
 *   <li>an edge listens on each ingress IP of LoadBalancer services, at each service port, with the
 *       external traffic policy;
 *   <li>both serve their sidecar upstreams; ExternalName and headless services get nothing;
 *   <li>{@code sessionAffinity: ClientIP} carries its timeout (Kubernetes' default 10,800 s).
 * </ul>
 *
 * Two listeners on one socket (a misconfiguration, say two services claiming one NodePort on a
 * manual allocation) keep the first in sorted order; the list is sorted and has unique keys.
 *
 * <p>Thread-safety: stateless.
 */
public final class ListenerRenderer {

  /** Kubernetes' default {@code sessionAffinityConfig.clientIP.timeoutSeconds}. */
  static final Duration DEFAULT_AFFINITY = Duration.ofSeconds(10_800);

  private ListenerRenderer() {}

  /** The listeners for {@code snapshot} (null: none but the sidecar upstreams), sorted. */
  public static List<Listener> render(ClusterSnapshot snapshot, DataPlaneConfig config) {
    List<Listener> out = new ArrayList<>();
    if (snapshot != null) {
      for (ServiceEntry e : snapshot.services().values()) {
        Service svc = e.service();
        ServiceSpec spec = svc.spec();
        ServiceType type = spec.effectiveType();
        if (type == ServiceType.ExternalName || spec.headless()) {
          continue;
        }
        Duration affinity = affinity(spec);
        boolean externalLocal = spec.externalTrafficPolicy() == ServiceSpec.TrafficPolicy.Local;
        boolean internalLocal = spec.internalTrafficPolicy() == ServiceSpec.TrafficPolicy.Local;
        for (ServicePort p : spec.ports()) {
          if (p.port() == null) {
            continue;
          }
          if (config.role() == DataPlaneConfig.Role.AGENT) {
            if (config.clusterIps()) {
              for (String ip : clusterIps(spec)) {
                out.add(
                    listener(
                        Listener.Kind.CLUSTER_IP, ip, p.port(), e, p, internalLocal, affinity));
              }
            }
            if ((type == ServiceType.NodePort || type == ServiceType.LoadBalancer)
                && p.nodePort() != null) {
              for (String a : config.nodeAddresses()) {
                out.add(
                    listener(
                        Listener.Kind.NODE_PORT, a, p.nodePort(), e, p, externalLocal, affinity));
              }
            }
          } else if (type == ServiceType.LoadBalancer) {
            for (String ip : ingressIps(svc)) {
              out.add(
                  listener(
                      Listener.Kind.LOAD_BALANCER, ip, p.port(), e, p, externalLocal, affinity));
            }
          }
        }
      }
    }
    for (SidecarUpstream u : config.upstreams()) {
      out.add(sidecar(snapshot, u));
    }
    out.sort(null);
    Set<String> keys = new HashSet<>();
    out.removeIf(l -> !keys.add(l.key()));
    return List.copyOf(out);
  }

  private static Listener listener(
      Listener.Kind kind,
      String address,
      int port,
      ServiceEntry e,
      ServicePort p,
      boolean localOnly,
      Duration affinity) {
    return new Listener(
        kind,
        address,
        port,
        p.effectiveProtocol(),
        p.appProtocol(),
        e.key(),
        p.name(),
        localOnly,
        affinity);
  }

  private static Listener sidecar(ClusterSnapshot snapshot, SidecarUpstream u) {
    ServiceEntry e = snapshot == null ? null : snapshot.service(u.service()).orElse(null);
    ServicePort p = e == null ? null : port(e.service().spec().ports(), u.port());
    if (p == null) {
      // not (yet) known: listen anyway, as TCP; connections are refused until it has endpoints
      return new Listener(
          Listener.Kind.SIDECAR,
          u.address(),
          u.localPort(),
          ServicePort.Protocol.TCP,
          "tcp",
          u.service(),
          u.port(),
          false,
          null);
    }
    return new Listener(
        Listener.Kind.SIDECAR,
        u.address(),
        u.localPort(),
        p.effectiveProtocol(),
        p.appProtocol(),
        u.service(),
        p.name(),
        false,
        affinity(e.service().spec()));
  }

  private static ServicePort port(List<ServicePort> ports, String port) {
    if (port.isEmpty()) {
      return ports.size() == 1 ? ports.get(0) : null;
    }
    for (ServicePort p : ports) {
      if (port.equals(p.name()) || port.equals(String.valueOf(p.port()))) {
        return p;
      }
    }
    return null;
  }

  private static List<String> clusterIps(ServiceSpec spec) {
    if (!spec.clusterIPs().isEmpty()) {
      return spec.clusterIPs();
    }
    return spec.clusterIP() == null || spec.clusterIP().isEmpty()
        ? List.of()
        : List.of(spec.clusterIP());
  }

  private static List<String> ingressIps(Service svc) {
    ServiceStatus st = svc.status();
    if (st == null || st.loadBalancer() == null || st.loadBalancer().ingress() == null) {
      return List.of();
    }
    List<String> ips = new ArrayList<>();
    for (ServiceStatus.Ingress i : st.loadBalancer().ingress()) {
      if (i.ip() != null && !i.ip().isEmpty()) {
        ips.add(i.ip());
      }
    }
    return ips;
  }

  private static Duration affinity(ServiceSpec spec) {
    if (spec.sessionAffinity() != ServiceSpec.SessionAffinity.ClientIP) {
      return null;
    }
    ServiceSpec.SessionAffinityConfig c = spec.sessionAffinityConfig();
    return c != null && c.clientIP() != null && c.clientIP().timeoutSeconds() != null
        ? Duration.ofSeconds(c.clientIP().timeoutSeconds())
        : DEFAULT_AFFINITY;
  }
}
