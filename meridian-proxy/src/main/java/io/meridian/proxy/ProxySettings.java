package io.meridian.proxy;

import java.time.Duration;
import java.util.Objects;

/**
 * Timeouts and limits of the data plane, with Envoy's and HAProxy's usual defaults. Immutable; the
 * withers return copies.
 *
 * @param connectTimeout how long a connection to an endpoint may take before the next is tried
 * @param connectAttempts how many endpoints a new connection or request may try (1: no retry)
 * @param tcpIdleTimeout a TCP relay with no byte either way for this long is closed
 * @param udpIdleTimeout a UDP flow with no datagram either way for this long is forgotten
 * @param httpIdleTimeout a keep-alive HTTP connection (client or pooled) idle this long is closed
 * @param requestTimeout a request with no complete response for this long gets 504
 * @param headerTimeout a client must send a request's headers within this (slow-request guard)
 * @param maxHeaderSize the largest request or response header block, in bytes
 * @param maxConnections open client connections per process, beyond which new ones are refused
 * @param maxRequestsPerCluster requests in flight to one cluster before new ones get 503
 * @param drainTimeout how long a removed listener's connections may live on
 */
public record ProxySettings(
    Duration connectTimeout,
    int connectAttempts,
    Duration tcpIdleTimeout,
    Duration udpIdleTimeout,
    Duration httpIdleTimeout,
    Duration requestTimeout,
    Duration headerTimeout,
    int maxHeaderSize,
    int maxConnections,
    int maxRequestsPerCluster,
    Duration drainTimeout) {

  public static final ProxySettings DEFAULTS =
      new ProxySettings(
          Duration.ofSeconds(1),
          3,
          Duration.ofHours(1),
          Duration.ofSeconds(60),
          Duration.ofSeconds(60),
          Duration.ofSeconds(15),
          Duration.ofSeconds(10),
          64 * 1024,
          100_000,
          10_000,
          Duration.ofSeconds(30));

  public ProxySettings {
    Objects.requireNonNull(connectTimeout, "connectTimeout");
    Objects.requireNonNull(tcpIdleTimeout, "tcpIdleTimeout");
    Objects.requireNonNull(udpIdleTimeout, "udpIdleTimeout");
    Objects.requireNonNull(httpIdleTimeout, "httpIdleTimeout");
    Objects.requireNonNull(requestTimeout, "requestTimeout");
    Objects.requireNonNull(headerTimeout, "headerTimeout");
    Objects.requireNonNull(drainTimeout, "drainTimeout");
    if (connectAttempts < 1) {
      throw new IllegalArgumentException("connectAttempts must be at least 1");
    }
    if (maxHeaderSize < 1024) {
      throw new IllegalArgumentException("maxHeaderSize must be at least 1024 bytes");
    }
  }

  public ProxySettings withRequestTimeout(Duration v) {
    return new ProxySettings(
        connectTimeout,
        connectAttempts,
        tcpIdleTimeout,
        udpIdleTimeout,
        httpIdleTimeout,
        v,
        headerTimeout,
        maxHeaderSize,
        maxConnections,
        maxRequestsPerCluster,
        drainTimeout);
  }

  public ProxySettings withUdpIdleTimeout(Duration v) {
    return new ProxySettings(
        connectTimeout,
        connectAttempts,
        tcpIdleTimeout,
        v,
        httpIdleTimeout,
        requestTimeout,
        headerTimeout,
        maxHeaderSize,
        maxConnections,
        maxRequestsPerCluster,
        drainTimeout);
  }

  public ProxySettings withMaxConnections(int v) {
    return new ProxySettings(
        connectTimeout,
        connectAttempts,
        tcpIdleTimeout,
        udpIdleTimeout,
        httpIdleTimeout,
        requestTimeout,
        headerTimeout,
        maxHeaderSize,
        v,
        maxRequestsPerCluster,
        drainTimeout);
  }

  public ProxySettings withConnectTimeout(Duration v) {
    return new ProxySettings(
        v,
        connectAttempts,
        tcpIdleTimeout,
        udpIdleTimeout,
        httpIdleTimeout,
        requestTimeout,
        headerTimeout,
        maxHeaderSize,
        maxConnections,
        maxRequestsPerCluster,
        drainTimeout);
  }
}
