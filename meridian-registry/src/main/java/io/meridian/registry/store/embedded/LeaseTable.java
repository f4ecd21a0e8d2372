package io.meridian.registry.store.embedded;

import io.meridian.registry.store.Lease;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Leases: the writer's working table, the published view readers see, and an expiry heap.
 *
 * <p>The working table changes as the writer evaluates a batch (a lease granted earlier in a batch
 * can be used by a later transaction of the same batch); the published map changes only once the
 * batch is durable. Deadlines are ticker nanos, held in a volatile field of the shared {@link
 * Entry}, because keep-alives are not logged and take effect at once. Expiry uses a min-heap on
 * deadline with lazy re-insertion: a keep-alive only moves the deadline, and an entry popped with a
 * later deadline goes back in; so renewals, the hot path, never touch the heap (etcd's lessor does
 * the same).
 *
 * <p>Thread-safety: {@link #view} from any thread; everything else on the writer thread (or
 * recovery before it starts).
 */
final class LeaseTable {

  /** One lease. */
  static final class Entry {
    final long id;
    final long ttlNanos;

    /** Ticker nanos after which it expires; written by the writer thread. */
    volatile long deadline;

    /** Keys attached to it in the working state; writer thread only. */
    final Set<String> keys = new HashSet<>();

    Entry(long id, long ttlNanos, long deadline) {
      this.id = id;
      this.ttlNanos = ttlNanos;
      this.deadline = deadline;
    }

    Lease view(long now) {
      return new Lease(
          id, Duration.ofNanos(ttlNanos), Duration.ofNanos(Math.max(0, deadline - now)));
    }
  }

  private record Expiry(long deadline, Entry entry) {}

  private final Map<Long, Entry> working = new HashMap<>();
  private final ConcurrentHashMap<Long, Entry> published = new ConcurrentHashMap<>();
  private final PriorityQueue<Expiry> heap =
      new PriorityQueue<>((a, b) -> Long.compare(a.deadline, b.deadline));
  private long maxId;

  /** The lease in the working state, null if it does not exist there. */
  Entry get(long id) {
    return working.get(id);
  }

  /** Grants a new lease in the working state with a never-used id. */
  Entry grant(long ttlNanos, long now) {
    return add(++maxId, ttlNanos, now);
  }

  /** Re-creates a recovered lease with a fresh full TTL. */
  Entry restore(long id, long ttlNanos, long now) {
    observeId(id);
    return add(id, ttlNanos, now);
  }

  private Entry add(long id, long ttlNanos, long now) {
    Entry e = new Entry(id, ttlNanos, now + ttlNanos);
    working.put(id, e);
    heap.add(new Expiry(e.deadline, e));
    return e;
  }

  /** Removes it from the working state; returns it, or null if it did not exist. */
  Entry remove(long id) {
    return working.remove(id);
  }

  void attach(long lease, String key) {
    Entry e = lease == 0 ? null : working.get(lease);
    if (e != null) {
      e.keys.add(key);
    }
  }

  void detach(long lease, String key) {
    Entry e = lease == 0 ? null : working.get(lease);
    if (e != null) {
      e.keys.remove(key);
    }
  }

  void publishGranted(Entry e) {
    published.put(e.id, e);
  }

  void publishRevoked(long id) {
    published.remove(id);
  }

  /** Makes the whole working table visible; used once recovery is done. */
  void publishAll() {
    published.clear();
    published.putAll(working);
  }

  /** Pops up to {@code max} leases in the working state whose deadline has passed. */
  List<Entry> expired(long now, int max) {
    List<Entry> out = new ArrayList<>();
    while (out.size() < max && !heap.isEmpty() && heap.peek().deadline - now <= 0) {
      Entry e = heap.poll().entry;
      if (working.get(e.id) != e) {
        continue; // revoked meanwhile
      }
      long deadline = e.deadline;
      if (deadline - now > 0) {
        heap.add(new Expiry(deadline, e)); // kept alive since it was queued
      } else {
        out.add(e);
      }
    }
    return out;
  }

  Optional<Lease> view(long id, long now) {
    Entry e = published.get(id);
    return e == null ? Optional.empty() : Optional.of(e.view(now));
  }

  Collection<Entry> all() {
    return working.values();
  }

  long maxId() {
    return maxId;
  }

  void observeId(long id) {
    maxId = Math.max(maxId, id);
  }
}
