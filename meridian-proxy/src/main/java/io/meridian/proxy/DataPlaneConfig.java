package io.meridian.proxy;

import java.util.List;
import java.util.Objects;

/**
 * What a data-plane process serves, besides the snapshot: its role, the node it runs on and the
 * node's addresses (for NodePorts and traffic policy {@code Local}), and sidecar upstreams.
 *
 * @param role {@code AGENT} (ClusterIPs and NodePorts of every service) or {@code EDGE}
 *     (LoadBalancer ingress IPs)
 * @param node this node's name, as instances name it in {@code spec.node}
 * @param nodeAddresses the addresses NodePorts listen on
 * @param upstreams sidecar upstreams, served in either role
 * @param clusterIps whether ClusterIP listeners are rendered (false where they cannot be bound:
 *     then sidecar upstreams are the way in)
 */
public record DataPlaneConfig(
    Role role,
    String node,
    List<String> nodeAddresses,
    List<SidecarUpstream> upstreams,
    boolean clusterIps) {

  /** Which listeners a process renders. */
  public enum Role {
    AGENT,
    EDGE
  }

  public DataPlaneConfig {
    Objects.requireNonNull(role, "role");
    node = node == null ? "" : node;
    nodeAddresses = List.copyOf(nodeAddresses);
    upstreams = List.copyOf(upstreams);
  }
}
