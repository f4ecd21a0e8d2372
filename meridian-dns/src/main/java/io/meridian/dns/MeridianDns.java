package io.meridian.dns;

import io.meridian.client.ClusterSnapshot;
import io.meridian.client.ClusterWatch;
import io.meridian.client.SnapshotListener;
import java.net.URI;
import java.util.concurrent.CompletableFuture;

/**
 * {@code meridian dns}: a {@link DnsServer} kept in step with a registry through a {@link
 * ClusterWatch}. Each snapshot rebuilds the zone (on the watch's callback thread) and swaps it in;
 * until the first one arrives the server answers from an empty zone (NXDOMAIN inside the cluster
 * domain), and while the registry is unreachable it keeps answering from the last.
 *
 * <p>Thread-safety: {@link #start()} and {@link #close()} are called once each, in that order.
 */
public final class MeridianDns implements AutoCloseable {

  private final DnsServer server;
  private final ClusterWatch watch;
  private final SnapshotListener listener;

  public MeridianDns(URI registry, DnsConfig config) {
    this.server = new DnsServer(config);
    this.watch = ClusterWatch.builder(registry).build();
    this.listener = server::update;
  }

  /**
   * Binds the server and starts watching; completes when the server listens (not waiting for the
   * registry, which may come up later).
   */
  public CompletableFuture<MeridianDns> start() {
    return server
        .start()
        .thenApply(
            s -> {
              watch.addListener(listener);
              CompletableFuture<ClusterSnapshot> first = watch.start();
              first.exceptionally(e -> null);
              return this;
            });
  }

  public DnsServer server() {
    return server;
  }

  public ClusterWatch watch() {
    return watch;
  }

  @Override
  public void close() {
    watch.close();
    server.close();
  }
}
