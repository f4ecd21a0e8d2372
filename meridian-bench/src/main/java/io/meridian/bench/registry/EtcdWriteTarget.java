package io.meridian.bench.registry;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.KV;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;

/**
 * etcd through jetcd: one {@code put} per write, {@code clients} of them outstanding at once,
 * multiplexed by jetcd over one gRPC (HTTP/2) connection. etcd acknowledges a put after its raft
 * log entry is fsynced (a single member commits on its own).
 *
 * <p>Thread-safety: see {@link WriteTarget}; jetcd's KV client is thread-safe.
 */
final class EtcdWriteTarget implements WriteTarget {

  private final EtcdServer etcd;
  private volatile Client client;
  private volatile KV kv;
  private volatile ByteSequence[][] keys;
  private volatile ByteSequence[][] values;

  EtcdWriteTarget(EtcdServer etcd) {
    this.etcd = etcd;
  }

  @Override
  public void open(int clients) {
    ByteSequence[][] k = new ByteSequence[clients][Instances.KEYS_PER_CLIENT];
    ByteSequence[][] v = new ByteSequence[clients][Instances.KEYS_PER_CLIENT];
    for (int c = 0; c < clients; c++) {
      for (int i = 0; i < Instances.KEYS_PER_CLIENT; i++) {
        String name = Instances.name(c, i);
        k[c][i] = ByteSequence.from(Instances.STORE_PREFIX + name, StandardCharsets.UTF_8);
        v[c][i] = ByteSequence.from(Instances.storedValue(name));
      }
    }
    keys = k;
    values = v;
    Client c = etcd.newClient();
    client = c;
    kv = c.getKVClient();
  }

  @Override
  public CompletableFuture<?> write(int client, long seq) {
    int i = (int) (seq % Instances.KEYS_PER_CLIENT);
    return kv.put(keys[client][i], values[client][i]);
  }

  @Override
  public ProcessHandle server() {
    return etcd.process();
  }

  @Override
  public void close() {
    Client c = client;
    client = null;
    if (c != null) {
      c.close();
    }
  }
}
