package io.meridian.bench.registry;

import io.meridian.registry.store.Op;
import io.meridian.registry.store.Txn;
import io.meridian.registry.store.embedded.EmbeddedStore;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;

/**
 * Meridian's storage engine alone, in this process: an unconditional one-key {@code txn} on the
 * {@link EmbeddedStore} with fsync on, completing after the group commit forced the log. This is
 * the layer comparable to etcd's storage; HTTP, JSON and validation are not in it.
 *
 * <p>Thread-safety: see {@link WriteTarget}; the store is thread-safe.
 */
final class StoreWriteTarget implements WriteTarget {

  private final Path dataDir;
  private volatile EmbeddedStore store;
  private volatile byte[][][] values;

  StoreWriteTarget(Path dataDir) {
    this.dataDir = dataDir;
  }

  @Override
  public void open(int clients) throws Exception {
    byte[][][] v = new byte[clients][Instances.KEYS_PER_CLIENT][];
    for (int c = 0; c < clients; c++) {
      for (int k = 0; k < Instances.KEYS_PER_CLIENT; k++) {
        v[c][k] = Instances.storedValue(Instances.name(c, k));
      }
    }
    values = v;
    if (store == null) {
      EmbeddedStore s = EmbeddedStore.builder(dataDir).fsync(true).build();
      s.start().get();
      store = s;
    }
  }

  @Override
  public CompletableFuture<?> write(int client, long seq) {
    String key = Instances.STORE_PREFIX + Instances.name(client, seq);
    byte[] value = values[client][(int) (seq % Instances.KEYS_PER_CLIENT)];
    return store.txn(Txn.unconditional(Op.put(key, value)));
  }

  @Override
  public ProcessHandle server() {
    return ProcessHandle.current();
  }

  @Override
  public void close() {
    EmbeddedStore s = store;
    store = null;
    if (s != null) {
      s.close();
    }
  }
}
