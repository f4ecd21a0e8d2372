package io.meridian.client;

import io.meridian.api.Endpoints;
import io.meridian.api.Kind;
import io.meridian.api.Node;
import io.meridian.api.Resource;
import io.meridian.api.Service;
import java.util.Collection;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Turns the list and watch results of the three resource streams (services, endpoints, nodes) into
 * a sequence of {@link ClusterSnapshot}s. Pure: no I/O, no time, no threads.
 *
 * <h2>Design note</h2>
 *
 * <p>A change tracker in the manner of kube-proxy's {@code ServiceChangeTracker}: watch events and
 * relists only update the raw state (the last Service and Endpoints per key, the last Node per
 * name) and mark the key dirty; {@link #build()} then reconciles each dirty key once, by stable
 * key: it derives the key's {@link ServiceEntry} from the raw state, compares it with the entry of
 * the previous snapshot, and records a change only when they differ, so no-op updates (the same
 * object relisted after a reconnect) reach no consumer. A burst of events between two builds
 * therefore costs one reconciliation per distinct key, however many events touched it.
 *
 * <p>Published maps are {@link ShardedMap}s edited copy-on-write, so a build that changes k of n
 * services copies about k shards of n/64 entries instead of n entries. The raw state is private,
 * mutable and never published.
 *
 * <p>Endpoints may arrive before their Service (they come on another stream) or outlive it; they
 * are kept in the raw state and joined when the Service exists. A relist replaces one kind's raw
 * state: whatever vanished from the list is deleted and reported changed, as after a 410 Gone.
 *
 * <p>Nothing is built before each of the three kinds has been listed once (a data plane must not
 * act on a partial view, kube-proxy's rule); the first snapshot reports every service changed.
 *
 * <p>Thread-safety: not thread-safe; confine to one thread or serial executor ({@link ClusterWatch}
 * uses its synchronization context). Snapshots it returns are immutable.
 */
public final class SnapshotBuilder {

  private final Map<ServiceKey, Service> services = new HashMap<>();
  private final Map<ServiceKey, Endpoints> endpoints = new HashMap<>();
  private final Map<String, Node> nodes = new HashMap<>();
  private final Set<ServiceKey> dirty = new HashSet<>();
  private final Set<String> dirtyNodes = new HashSet<>();
  private final Set<Kind> listed = EnumSet.noneOf(Kind.class);
  private final Map<Kind, Long> revisions = new HashMap<>();

  private final ShardedMap.Editor<ServiceKey, ServiceEntry> entries =
      ShardedMap.<ServiceKey, ServiceEntry>empty().edit();
  private final ShardedMap.Editor<String, Node> publishedNodes =
      ShardedMap.<String, Node>empty().edit();
  private long sequence;

  /** The three kinds a snapshot is made of. */
  public static final Set<Kind> KINDS = Set.of(Kind.SERVICE, Kind.ENDPOINTS, Kind.NODE);

  /** Replaces everything known of {@code kind} by {@code items}, listed at {@code revision}. */
  public void relist(Kind kind, Collection<? extends Resource> items, long revision) {
    requireSnapshotKind(kind);
    switch (kind) {
      case SERVICE -> replace(services, items, Service.class);
      case ENDPOINTS -> replace(endpoints, items, Endpoints.class);
      default -> {
        dirtyNodes.addAll(nodes.keySet());
        nodes.clear();
        for (Resource r : items) {
          Node n = cast(r, Node.class);
          nodes.put(n.metadata().name(), n);
          dirtyNodes.add(n.metadata().name());
        }
      }
    }
    listed.add(kind);
    revisions.put(kind, revision);
  }

  /** An ADDED or MODIFIED event: {@code object} is the new state. */
  public void upsert(Resource object) {
    switch (object) {
      case Service s -> put(services, s);
      case Endpoints e -> put(endpoints, e);
      case Node n -> {
        nodes.put(n.metadata().name(), n);
        dirtyNodes.add(n.metadata().name());
      }
      default -> throw new IllegalArgumentException("a snapshot holds no " + object.kind());
    }
    advance(object.kindInfo(), object.metadata().revision());
  }

  /** A DELETED event: {@code object} is the last state of what was deleted. */
  public void delete(Resource object) {
    switch (object) {
      case Service s -> remove(services, s);
      case Endpoints e -> remove(endpoints, e);
      case Node n -> {
        nodes.remove(n.metadata().name());
        dirtyNodes.add(n.metadata().name());
      }
      default -> throw new IllegalArgumentException("a snapshot holds no " + object.kind());
    }
    advance(object.kindInfo(), object.metadata().revision());
  }

  /** A BOOKMARK: {@code kind} is current up to {@code revision}. */
  public void bookmark(Kind kind, long revision) {
    requireSnapshotKind(kind);
    advance(kind, revision);
  }

  /** The revision {@code kind} is known current to (0 before its first list). */
  public long revision(Kind kind) {
    return revisions.getOrDefault(kind, 0L);
  }

  /** Whether all three kinds have been listed, so that {@link #build()} can produce snapshots. */
  public boolean synced() {
    return listed.size() == KINDS.size();
  }

  /** Whether something changed since the last build (or the first snapshot is due). */
  public boolean pending() {
    return synced() && (sequence == 0 || !dirty.isEmpty() || !dirtyNodes.isEmpty());
  }

  /**
   * A new snapshot holding every change since the last build; empty when nothing visible changed or
   * not every kind has been listed yet.
   */
  public Optional<ClusterSnapshot> build() {
    if (!synced()) {
      return Optional.empty();
    }
    boolean first = sequence == 0;
    Set<ServiceKey> changed = new HashSet<>();
    for (ServiceKey k : dirty) {
      Service s = services.get(k);
      ServiceEntry now =
          s == null
              ? null
              : new ServiceEntry(s, endpoints.getOrDefault(k, ServiceEntry.emptyEndpoints(k)));
      ServiceEntry before = entries.get(k);
      if (!Objects.equals(before, now)) {
        if (now == null) {
          entries.remove(k);
        } else {
          entries.put(k, now);
        }
        changed.add(k);
      }
    }
    boolean nodesChanged = first;
    for (String name : dirtyNodes) {
      Node now = nodes.get(name);
      if (!Objects.equals(publishedNodes.get(name), now)) {
        if (now == null) {
          publishedNodes.remove(name);
        } else {
          publishedNodes.put(name, now);
        }
        nodesChanged = true;
      }
    }
    dirty.clear();
    dirtyNodes.clear();
    if (!first && changed.isEmpty() && !nodesChanged) {
      return Optional.empty();
    }
    ShardedMap<ServiceKey, ServiceEntry> servicesMap = entries.build();
    if (first) {
      changed = servicesMap.keySet();
    }
    sequence++;
    return Optional.of(
        new ClusterSnapshot(
            sequence,
            revision(Kind.SERVICE),
            revision(Kind.ENDPOINTS),
            revision(Kind.NODE),
            servicesMap,
            publishedNodes.build(),
            changed,
            nodesChanged));
  }

  private <T extends Resource> void replace(
      Map<ServiceKey, T> state, Collection<? extends Resource> items, Class<T> type) {
    dirty.addAll(state.keySet());
    state.clear();
    for (Resource r : items) {
      T t = cast(r, type);
      ServiceKey k = ServiceKey.of(t);
      state.put(k, t);
      dirty.add(k);
    }
  }

  private <T extends Resource> void put(Map<ServiceKey, T> state, T object) {
    ServiceKey k = ServiceKey.of(object);
    state.put(k, object);
    dirty.add(k);
  }

  private <T extends Resource> void remove(Map<ServiceKey, T> state, T object) {
    ServiceKey k = ServiceKey.of(object);
    state.remove(k);
    dirty.add(k);
  }

  private void advance(Kind kind, long revision) {
    revisions.merge(kind, revision, Math::max);
  }

  private static <T> T cast(Resource r, Class<T> type) {
    if (!type.isInstance(r)) {
      throw new IllegalArgumentException(
          "expected a " + type.getSimpleName() + ", got a " + r.kind());
    }
    return type.cast(r);
  }

  private static void requireSnapshotKind(Kind kind) {
    if (!KINDS.contains(kind)) {
      throw new IllegalArgumentException("a snapshot holds no " + kind.plural());
    }
  }
}
