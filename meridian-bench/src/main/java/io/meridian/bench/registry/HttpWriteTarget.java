package io.meridian.bench.registry;

import io.netty.handler.codec.http.HttpMethod;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Meridian as users see it: {@code PUT /api/v1/namespaces/default/instances/{name}} over keep-alive
 * HTTP/1.1, one connection per client. The registry answers 201/200 only after the write is
 * fsynced.
 *
 * <p>Thread-safety: see {@link WriteTarget}; the connection list is written by {@link #open} before
 * any write.
 */
final class HttpWriteTarget implements WriteTarget {

  private final ClientEventLoops loops;
  private final InetSocketAddress address;
  private final ProcessHandle server;
  private final List<HttpConnection> connections = new ArrayList<>();
  private volatile byte[][][] bodies;

  HttpWriteTarget(ClientEventLoops loops, InetSocketAddress address, ProcessHandle server) {
    this.loops = loops;
    this.address = address;
    this.server = server;
  }

  @Override
  public void open(int clients) throws Exception {
    byte[][][] b = new byte[clients][Instances.KEYS_PER_CLIENT][];
    for (int c = 0; c < clients; c++) {
      for (int k = 0; k < Instances.KEYS_PER_CLIENT; k++) {
        b[c][k] = Instances.putBody(Instances.name(c, k));
      }
      connections.add(HttpConnection.open(loops.bootstrap(), address));
    }
    bodies = b;
  }

  @Override
  public CompletableFuture<?> write(int client, long seq) {
    String name = Instances.name(client, seq);
    return connections
        .get(client)
        .request(
            HttpMethod.PUT,
            "/api/v1/namespaces/" + Instances.NAMESPACE + "/instances/" + name,
            bodies[client][(int) (seq % Instances.KEYS_PER_CLIENT)])
        .thenApply(
            r -> {
              if (r.status() != 200 && r.status() != 201) {
                throw new IllegalStateException("HTTP " + r.status() + ": " + r.body());
              }
              return r;
            });
  }

  @Override
  public ProcessHandle server() {
    return server;
  }

  @Override
  public void close() {
    connections.forEach(HttpConnection::close);
    connections.clear();
  }
}
