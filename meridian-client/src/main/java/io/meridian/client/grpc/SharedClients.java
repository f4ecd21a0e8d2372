package io.meridian.client.grpc;

import io.meridian.client.MeridianClient;
import java.net.URI;
import java.util.HashMap;
import java.util.Map;

/**
 * One {@link MeridianClient} per registry, shared by every resolver that points at it and closed
 * when the last one shuts down: a process with many channels keeps one watch, not one per channel.
 *
 * <p>Thread-safety: all methods synchronize on this; the client is created and closed outside no
 * other lock.
 */
final class SharedClients {

  static final SharedClients INSTANCE = new SharedClients();

  private final Map<URI, Entry> clients = new HashMap<>(); // guarded by this

  private static final class Entry {
    final MeridianClient client;
    int users;

    Entry(MeridianClient client) {
      this.client = client;
    }
  }

  synchronized MeridianClient acquire(URI registry) {
    Entry e = clients.computeIfAbsent(registry, r -> new Entry(MeridianClient.connect(r)));
    e.users++;
    return e.client;
  }

  void release(URI registry) {
    MeridianClient toClose = null;
    synchronized (this) {
      Entry e = clients.get(registry);
      if (e != null && --e.users == 0) {
        clients.remove(registry);
        toClose = e.client;
      }
    }
    if (toClose != null) {
      toClose.close();
    }
  }
}
