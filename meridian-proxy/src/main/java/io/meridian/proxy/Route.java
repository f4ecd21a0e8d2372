package io.meridian.proxy;

import io.meridian.proxy.cluster.UpstreamCluster;
import java.util.Objects;

/**
 * Where a bound listener's traffic goes now: the listener as rendered and its cluster. Replaced
 * whole when a snapshot changes it, so a connection reads one consistent route when it starts.
 *
 * @param listener the rendered listener
 * @param cluster the upstream cluster it sends to
 * @param proxyProtocol the PROXY protocol version (1 or 2) to send to endpoints before relayed
 *     bytes (annotation {@value #PROXY_PROTOCOL_ANNOTATION}), or 0 for none
 */
public record Route(Listener listener, UpstreamCluster cluster, int proxyProtocol) {

  /** The Service annotation asking for a PROXY protocol header towards its endpoints. */
  public static final String PROXY_PROTOCOL_ANNOTATION = "meridian.io/proxy-protocol";

  public Route {
    Objects.requireNonNull(listener, "listener");
    Objects.requireNonNull(cluster, "cluster");
  }
}
