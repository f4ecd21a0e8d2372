package io.meridian.client;

import io.meridian.api.Endpoints;
import io.meridian.api.Kind;
import io.meridian.api.Node;
import io.meridian.api.Service;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Everything a data plane needs, at one moment: services with their endpoints, and nodes; plus
 * which services changed since the previous snapshot, so that a consumer re-renders only those.
 *
 * <p>Snapshots come from a {@link ClusterWatch} (or, in tests of consumers, from {@link #of} and
 * {@link SnapshotBuilder}). Consecutive snapshots share the parts that did not change (see {@link
 * ShardedMap}), so holding many of them is cheap.
 *
 * <p>Thread-safety: immutable; safe from any thread. The maps and sets it returns are unmodifiable.
 */
public final class ClusterSnapshot {

  private final long sequence;
  private final long servicesRevision;
  private final long endpointsRevision;
  private final long nodesRevision;
  private final ShardedMap<ServiceKey, ServiceEntry> services;
  private final ShardedMap<String, Node> nodes;
  private final Set<ServiceKey> changed;
  private final boolean nodesChanged;

  ClusterSnapshot(
      long sequence,
      long servicesRevision,
      long endpointsRevision,
      long nodesRevision,
      ShardedMap<ServiceKey, ServiceEntry> services,
      ShardedMap<String, Node> nodes,
      Set<ServiceKey> changed,
      boolean nodesChanged) {
    this.sequence = sequence;
    this.servicesRevision = servicesRevision;
    this.endpointsRevision = endpointsRevision;
    this.nodesRevision = nodesRevision;
    this.services = services;
    this.nodes = nodes;
    this.changed = Set.copyOf(changed);
    this.nodesChanged = nodesChanged;
  }

  /**
   * A first snapshot (everything changed, revision 0) of the given objects; for tests of consumers.
   * Endpoints without a matching service are kept aside as the watch keeps them.
   */
  public static ClusterSnapshot of(
      Collection<Service> services, Collection<Endpoints> endpoints, Collection<Node> nodes) {
    SnapshotBuilder b = new SnapshotBuilder();
    b.relist(Kind.SERVICE, services, 0);
    b.relist(Kind.ENDPOINTS, endpoints, 0);
    b.relist(Kind.NODE, nodes, 0);
    return b.build().orElseThrow();
  }

  /**
   * 1 for the first snapshot of a watch, then one more for each snapshot it publishes. A consumer
   * that reads {@link ClusterWatch#current()} instead of listening sees a gap when it missed a
   * snapshot, and must then re-render everything rather than only {@link #changed()}.
   */
  public long sequence() {
    return sequence;
  }

  /**
   * The store revision this snapshot reflects for {@code kind} ({@link Kind#SERVICE}, {@link
   * Kind#ENDPOINTS} or {@link Kind#NODE}): every change to that kind up to it is included. Each
   * kind is watched separately, so the three may differ.
   */
  public long revision(Kind kind) {
    return switch (kind) {
      case SERVICE -> servicesRevision;
      case ENDPOINTS -> endpointsRevision;
      case NODE -> nodesRevision;
      default -> throw new IllegalArgumentException("a snapshot holds no " + kind.plural());
    };
  }

  /** The lowest of the three revisions: up to it, every change of every kind is included. */
  public long revision() {
    return Math.min(servicesRevision, Math.min(endpointsRevision, nodesRevision));
  }

  /** Every service with its endpoints, by key. */
  public Map<ServiceKey, ServiceEntry> services() {
    return services;
  }

  public Optional<ServiceEntry> service(ServiceKey key) {
    return Optional.ofNullable(services.get(key));
  }

  public Optional<ServiceEntry> service(String namespace, String name) {
    return service(new ServiceKey(namespace, name));
  }

  /** The endpoints of a service; empty when it has none or does not exist. */
  public List<Endpoints.Endpoint> endpoints(String namespace, String name) {
    ServiceEntry e = services.get(new ServiceKey(namespace, name));
    return e == null ? List.of() : e.endpoints().endpoints();
  }

  /** Every node, by name. */
  public Map<String, Node> nodes() {
    return nodes;
  }

  public Optional<Node> node(String name) {
    return Optional.ofNullable(nodes.get(name));
  }

  /**
   * The services whose Service or Endpoints were added, modified or removed since the previous
   * snapshot (every service for the first). A removed service is in this set and absent from {@link
   * #services()}.
   */
  public Set<ServiceKey> changed() {
    return changed;
  }

  /**
   * Whether any node was added, modified or removed since the previous snapshot (true for the
   * first).
   */
  public boolean nodesChanged() {
    return nodesChanged;
  }

  /** A one-line summary naming at most five changed services. */
  @Override
  public String toString() {
    List<ServiceKey> some = changed.stream().sorted().limit(5).toList();
    return "ClusterSnapshot{seq="
        + sequence
        + ", revisions="
        + servicesRevision
        + "/"
        + endpointsRevision
        + "/"
        + nodesRevision
        + ", services="
        + services.size()
        + ", nodes="
        + nodes.size()
        + ", changed="
        + changed.size()
        + (changed.isEmpty() ? "" : " " + some)
        + (changed.size() > some.size() ? "..." : "")
        + (nodesChanged ? ", nodesChanged" : "")
        + "}";
  }
}
