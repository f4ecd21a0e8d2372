package io.meridian.proxy.cluster;

import io.meridian.client.ServiceKey;
import java.util.Objects;

/**
 * What a cluster balances over: one port of one service, optionally only on this node.
 *
 * @param service the service
 * @param port the service port's name ("" when unnamed)
 * @param localOnly only endpoints on the data plane's node (traffic policy {@code Local})
 */
public record ClusterKey(ServiceKey service, String port, boolean localOnly) {

  public ClusterKey {
    Objects.requireNonNull(service, "service");
    port = port == null ? "" : port;
  }

  /** {@code default/web:http}, with {@code [local]} for a local-only cluster. */
  @Override
  public String toString() {
    return service + (port.isEmpty() ? "" : ":" + port) + (localOnly ? "[local]" : "");
  }
}
