package io.meridian.bench.registry;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.Watch;
import io.etcd.jetcd.options.GetOption;
import io.etcd.jetcd.options.WatchOption;
import io.etcd.jetcd.watch.WatchEvent;
import io.etcd.jetcd.watch.WatchResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * Watchers on etcd through jetcd: one client (one gRPC connection), one prefix watch per watcher on
 * {@code /bench/watch/}, each starting at the revision after the current one so that none can miss
 * a change while the watches are being created. The writer puts {@code /bench/watch/lat-<i>}
 * through a second client (its own connection), as the Meridian writer uses its own connections.
 * Arrival time is taken when jetcd hands the response to the listener.
 *
 * <p>Thread-safety: see {@link WatchFleet}; jetcd calls one watcher's listener serially.
 */
final class EtcdWatchFleet implements WatchFleet {

  private static final String PREFIX = "/bench/watch/";
  private static final String NAME_MARK = PREFIX + "lat-";

  private final EtcdServer etcd;
  private final LongSupplier ticker;
  private final List<Watch.Watcher> watchers = new ArrayList<>();
  private volatile Client client;
  private volatile Client writer;
  private volatile boolean closing;

  EtcdWatchFleet(EtcdServer etcd, LongSupplier ticker) {
    this.etcd = etcd;
    this.ticker = ticker;
  }

  @Override
  public String transport() {
    return "jetcd: 1 gRPC connection, 1 watch stream per watcher";
  }

  @Override
  public void open(Arrivals arrivals) throws Exception {
    Client c = etcd.newClient();
    client = c;
    writer = etcd.newClient();
    ByteSequence prefix = bytes(PREFIX);
    long revision =
        c.getKVClient()
            .get(prefix, GetOption.builder().isPrefix(true).withCountOnly(true).build())
            .get(30, TimeUnit.SECONDS)
            .getHeader()
            .getRevision();
    WatchOption option = WatchOption.builder().isPrefix(true).withRevision(revision + 1).build();
    for (int w = 0; w < arrivals.watchers(); w++) {
      int id = w;
      Watch.Listener listener =
          Watch.listener(
              response -> onResponse(id, response, arrivals),
              error -> {
                if (!closing) {
                  arrivals.error("etcd watch failed: " + error);
                }
              },
              () -> {
                if (!closing) {
                  arrivals.error("etcd watch completed");
                }
              });
      synchronized (watchers) {
        watchers.add(c.getWatchClient().watch(prefix, option, listener));
      }
    }
  }

  private void onResponse(int id, WatchResponse response, Arrivals arrivals) {
    long now = ticker.getAsLong();
    for (WatchEvent e : response.getEvents()) {
      String key = e.getKeyValue().getKey().toString(StandardCharsets.UTF_8);
      arrivals.record(
          id, key.startsWith(NAME_MARK) ? Arrivals.indexOf(key, NAME_MARK.length()) : -1, now);
    }
  }

  @Override
  public CompletableFuture<?> change(int index) {
    String name = "lat-" + index;
    return writer
        .getKVClient()
        .put(bytes(PREFIX + name), ByteSequence.from(Instances.storedValue(name)));
  }

  @Override
  public ProcessHandle server() {
    return etcd.process();
  }

  @Override
  public void close() {
    closing = true;
    synchronized (watchers) {
      for (Watch.Watcher w : watchers) {
        w.close();
      }
      watchers.clear();
    }
    for (Client c : new Client[] {client, writer}) {
      if (c != null) {
        c.close();
      }
    }
    client = null;
    writer = null;
  }

  private static ByteSequence bytes(String s) {
    return ByteSequence.from(s, StandardCharsets.UTF_8);
  }
}
