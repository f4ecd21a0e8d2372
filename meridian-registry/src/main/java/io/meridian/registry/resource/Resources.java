package io.meridian.registry.resource;

import io.meridian.api.Conditions;
import io.meridian.api.FieldError;
import io.meridian.api.Instance;
import io.meridian.api.InstanceStatus;
import io.meridian.api.Kind;
import io.meridian.api.Namespace;
import io.meridian.api.ObjectMeta;
import io.meridian.api.Resource;
import io.meridian.api.Service;
import io.meridian.registry.store.Compare;
import io.meridian.registry.store.Event;
import io.meridian.registry.store.KeyValue;
import io.meridian.registry.store.Lease;
import io.meridian.registry.store.Op;
import io.meridian.registry.store.RangeResult;
import io.meridian.registry.store.Store;
import io.meridian.registry.store.Txn;
import io.meridian.registry.store.TxnResult;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Predicate;

/**
 * The registry's typed view of the store: what the API and the controllers read and write.
 *
 * <p>Every write is one store transaction guarded by comparisons: the object's own revision (absent
 * on create, unchanged since it was read otherwise, which gives optimistic concurrency when the
 * caller sent a resourceVersion and a safe retry when it did not), plus whatever the kind needs
 * (allocation claims for services, see {@link ServiceAllocations}). A retry re-reads and re-plans;
 * it is bounded, and only happens when another writer raced this one.
 *
 * <p>Ephemeral instances ({@code spec.ttl}) are attached to a store lease; heartbeats keep it
 * alive; its expiry deletes the instance. Graceful deletion marks an instance terminating and
 * leaves the removal to {@code GracefulDeletionController}.
 *
 * <p>Thread-safety: safe from any thread; it keeps no mutable state of its own beyond the
 * allocators' bitmaps (each thread-safe).
 */
public final class Resources {

  private static final int MAX_ATTEMPTS = 8;

  private final Store store;
  private final StoredResources codec;
  private final ServiceAllocations allocations;
  private final Clock clock;

  public Resources(Store store, ServiceAllocations allocations, Clock clock) {
    this.store = store;
    this.codec = new StoredResources();
    this.allocations = allocations;
    this.clock = clock;
  }

  public Store store() {
    return store;
  }

  public StoredResources codec() {
    return codec;
  }

  /** A list and the revision it was taken at. */
  public record ListResult(long revision, List<Resource> items) {}

  /** What a write did: the object as stored, and whether it was created. */
  public record WriteResult(Resource resource, boolean created) {}

  public Optional<Resource> get(Kind kind, String namespace, String name) {
    return store.get(Keys.key(kind, namespace, name)).map(codec::decode);
  }

  public Optional<KeyValue> getRaw(Kind kind, String namespace, String name) {
    return store.get(Keys.key(kind, namespace, name));
  }

  public ListResult list(Kind kind, String namespace, Predicate<Resource> filter) {
    RangeResult r = store.range(Keys.prefix(kind, namespace));
    List<Resource> items = new ArrayList<>(r.kvs().size());
    for (KeyValue kv : r.kvs()) {
      Resource res = codec.decode(kv);
      if (filter.test(res)) {
        items.add(res);
      }
    }
    return new ListResult(r.revision(), items);
  }

  /**
   * Creates ({@code createOnly}) or creates-or-replaces {@code resource}. The namespace of a
   * namespaced resource must already be set; it is created implicitly when missing.
   */
  public CompletableFuture<WriteResult> write(Resource resource, boolean createOnly) {
    return attempt(resource, createOnly, 1);
  }

  private CompletableFuture<WriteResult> attempt(Resource in, boolean createOnly, int attempt) {
    Kind kind = in.kindInfo();
    ObjectMeta meta = in.metadata();
    String key = Keys.key(kind, meta.namespace(), meta.name());
    KeyValue existing = store.get(key).orElse(null);
    if (createOnly && existing != null) {
      return CompletableFuture.failedFuture(
          ApiException.alreadyExists(describe(kind, meta.namespace(), meta.name())));
    }
    String wantRv = meta.resourceVersion();
    boolean preconditioned = wantRv != null && !wantRv.isEmpty();
    if (preconditioned) {
      if (existing == null) {
        return CompletableFuture.failedFuture(
            ApiException.conflict(
                describe(kind, meta.namespace(), meta.name())
                    + " does not exist, but the request names resourceVersion "
                    + wantRv));
      }
      if (!Long.toString(existing.modRevision()).equals(wantRv)) {
        return CompletableFuture.failedFuture(staleConflict(kind, meta, existing));
      }
    }
    Resource previous = existing == null ? null : codec.decode(existing);
    Resource stamped = in.withMetadata(systemFields(meta, previous));

    Plan plan;
    try {
      plan =
          switch (kind) {
            case SERVICE -> allocations.plan((Service) stamped, (Service) previous);
            case INSTANCE -> Plan.of(instanceForWrite((Instance) stamped, (Instance) previous));
            case ENDPOINTS -> Plan.of(checkManualEndpoints(stamped));
            default -> Plan.of(stamped);
          };
    } catch (ApiException e) {
      return CompletableFuture.failedFuture(e);
    }

    CompletableFuture<Long> lease = leaseFor(plan.resource(), existing, previous);
    return lease.thenCompose(
        leaseId -> {
          List<Compare> compares = new ArrayList<>(plan.compares());
          compares.add(
              existing == null
                  ? Compare.absent(key)
                  : Compare.modRevision(key, existing.modRevision()));
          List<Op> ops = new ArrayList<>();
          ops.add(Op.put(key, codec.encode(plan.resource()), leaseId));
          ops.addAll(plan.ops());
          namespaceOp(kind, meta.namespace()).ifPresent(ops::add);
          return store
              .txn(Txn.of(compares, ops))
              .thenCompose(
                  result -> {
                    if (result.succeeded()) {
                      if (existing != null
                          && existing.lease() != 0
                          && existing.lease() != leaseId) {
                        store.revokeLease(existing.lease());
                      }
                      KeyValue written = putOf(result, key);
                      return CompletableFuture.completedFuture(
                          new WriteResult(codec.decode(written), existing == null));
                    }
                    if (leaseId != 0 && (existing == null || existing.lease() != leaseId)) {
                      store.revokeLease(leaseId);
                    }
                    ApiException why = allocations.explainFailure(plan);
                    if (why != null) {
                      return CompletableFuture.failedFuture(why);
                    }
                    if (preconditioned) {
                      KeyValue now = store.get(key).orElse(null);
                      return CompletableFuture.failedFuture(
                          now == null
                              ? ApiException.conflict(
                                  describe(kind, meta.namespace(), meta.name())
                                      + " was deleted meanwhile")
                              : staleConflict(kind, meta, now));
                    }
                    if (attempt >= MAX_ATTEMPTS) {
                      return CompletableFuture.failedFuture(
                          ApiException.conflict(
                              "too many concurrent writes to "
                                  + describe(kind, meta.namespace(), meta.name())
                                  + "; try again"));
                    }
                    return attempt(in, createOnly, attempt + 1);
                  });
        });
  }

  /** The instance as it will be stored: status kept where the registry owns it. */
  private Instance instanceForWrite(Instance in, Instance previous) {
    InstanceStatus status = in.status();
    boolean checked = in.spec().healthCheck() != null && !in.spec().ephemeral();
    if (previous != null && previous.metadata().deletionTimestamp() != null) {
      // A deletion in progress cannot be undone by a replace, as in Kubernetes.
      in =
          in.withMetadata(
              in.metadata()
                  .withDeletion(
                      previous.metadata().deletionTimestamp(),
                      previous.metadata().deletionGracePeriodSeconds()));
      return in.withStatus(previous.status());
    }
    if (checked) {
      if (previous != null && previous.status() != null && previous.spec().healthCheck() != null) {
        status = previous.status();
      } else {
        status =
            new InstanceStatus(Conditions.NOT_READY, "waiting for the first health check", null);
      }
    }
    return in.withStatus(status);
  }

  private Resource checkManualEndpoints(Resource endpoints) {
    ObjectMeta m = endpoints.metadata();
    Optional<Resource> svc = get(Kind.SERVICE, m.namespace(), m.name());
    if (svc.isPresent() && ((Service) svc.get()).spec().hasSelector()) {
      throw ApiException.conflict(
          "endpoints of service "
              + m.namespace()
              + "/"
              + m.name()
              + " are derived from its selector by the registry; remove spec.selector to manage"
              + " them by hand");
    }
    return endpoints;
  }

  /** The lease id the object must be attached to (0 for none), granting one if needed. */
  private CompletableFuture<Long> leaseFor(Resource r, KeyValue existing, Resource previous) {
    Duration ttl = ttlOf(r);
    if (ttl == null) {
      return CompletableFuture.completedFuture(0L);
    }
    if (existing != null
        && existing.lease() != 0
        && ttl.equals(ttlOf(previous))
        && store.lease(existing.lease()).isPresent()) {
      long id = existing.lease();
      return store
          .keepAlive(id)
          .thenCompose(l -> l.isPresent() ? CompletableFuture.completedFuture(id) : grant(ttl));
    }
    return grant(ttl);
  }

  /** The {@code spec.ttl} of an ephemeral instance or node, null for anything else. */
  private static Duration ttlOf(Resource r) {
    if (r instanceof Instance i && i.spec() != null && i.spec().ttl() != null) {
      return i.spec().ttl().duration();
    }
    if (r instanceof io.meridian.api.Node n && n.spec() != null && n.spec().ttl() != null) {
      return n.spec().ttl().duration();
    }
    return null;
  }

  private CompletableFuture<Long> grant(Duration ttl) {
    return store.grantLease(ttl).thenApply(Lease::id);
  }

  private Optional<Op> namespaceOp(Kind kind, String namespace) {
    if (!kind.namespaced() || namespace == null) {
      return Optional.empty();
    }
    String nsKey = Keys.key(Kind.NAMESPACE, null, namespace);
    if (store.get(nsKey).isPresent()) {
      return Optional.empty();
    }
    Namespace ns = new Namespace(null, null, systemFields(ObjectMeta.of(null, namespace), null));
    return Optional.of(Op.put(nsKey, codec.encode(ns)));
  }

  private ObjectMeta systemFields(ObjectMeta meta, Resource previous) {
    ObjectMeta m = meta.withResourceVersion(null);
    if (previous != null) {
      ObjectMeta p = previous.metadata();
      return m.withSystemFields(p.uid(), p.creationTimestamp(), p.generation())
          .withDeletion(p.deletionTimestamp(), p.deletionGracePeriodSeconds());
    }
    return m.withSystemFields(UUID.randomUUID().toString(), now(), 1L).withDeletion(null, null);
  }

  private String now() {
    return DateTimeFormatter.ISO_INSTANT.format(clock.instant().truncatedTo(ChronoUnit.SECONDS));
  }

  /**
   * Deletes an object. For an instance with {@code gracePeriodSeconds > 0} it is marked terminating
   * instead and removed once the grace period ends. Answers the object's last state.
   */
  public CompletableFuture<Resource> delete(
      Kind kind, String namespace, String name, long gracePeriodSeconds, String expectedRv) {
    String key = Keys.key(kind, namespace, name);
    KeyValue existing = store.get(key).orElse(null);
    if (existing == null) {
      return CompletableFuture.failedFuture(ApiException.notFound(describe(kind, namespace, name)));
    }
    if (expectedRv != null
        && !expectedRv.isEmpty()
        && !Long.toString(existing.modRevision()).equals(expectedRv)) {
      return CompletableFuture.failedFuture(
          staleConflict(kind, ObjectMeta.of(namespace, name), existing));
    }
    Resource previous = codec.decode(existing);
    if (kind == Kind.NAMESPACE && Namespace.DEFAULT.equals(name)) {
      return CompletableFuture.failedFuture(
          ApiException.invalid(
              "namespace default cannot be deleted",
              new FieldError("metadata.name", "is default")));
    }
    if (kind == Kind.INSTANCE && gracePeriodSeconds > 0) {
      return terminate((Instance) previous, existing, gracePeriodSeconds);
    }
    List<Op> ops = new ArrayList<>();
    ops.add(Op.delete(key));
    if (kind == Kind.SERVICE) {
      ops.addAll(allocations.release((Service) previous));
      ops.add(Op.delete(Keys.key(Kind.ENDPOINTS, namespace, name)));
    }
    if (kind == Kind.NAMESPACE) {
      for (Kind k : Kind.values()) {
        if (k.namespaced()) {
          for (KeyValue kv : store.range(Keys.prefix(k, name)).kvs()) {
            ops.add(Op.delete(kv.key()));
            if (k == Kind.SERVICE) {
              ops.addAll(allocations.release((Service) codec.decode(kv)));
            }
          }
        }
      }
    }
    return store
        .txn(Txn.of(List.of(Compare.modRevision(key, existing.modRevision())), ops))
        .thenCompose(
            r -> {
              if (!r.succeeded()) {
                return delete(kind, namespace, name, gracePeriodSeconds, expectedRv);
              }
              if (existing.lease() != 0) {
                store.revokeLease(existing.lease());
              }
              return CompletableFuture.completedFuture(codec.decode(existing, r.revision()));
            });
  }

  private CompletableFuture<Resource> terminate(Instance previous, KeyValue existing, long grace) {
    if (previous.metadata().deletionTimestamp() != null) {
      return CompletableFuture.completedFuture(previous);
    }
    Instant deadline = clock.instant().plusSeconds(grace);
    Instance terminating =
        previous
            .withMetadata(
                previous
                    .metadata()
                    .withResourceVersion(null)
                    .withDeletion(DateTimeFormatter.ISO_INSTANT.format(deadline), grace))
            .withStatus(
                new InstanceStatus(
                    previous.conditions().terminate(),
                    "terminating: removed at " + DateTimeFormatter.ISO_INSTANT.format(deadline),
                    previous.status() == null ? null : previous.status().lastProbeTime()));
    String key = existing.key();
    return store
        .txn(
            Txn.of(
                List.of(Compare.modRevision(key, existing.modRevision())),
                List.of(Op.put(key, codec.encode(terminating), existing.lease()))))
        .thenCompose(
            r -> {
              if (!r.succeeded()) {
                ObjectMeta m = previous.metadata();
                return delete(Kind.INSTANCE, m.namespace(), m.name(), grace, null);
              }
              return CompletableFuture.completedFuture(codec.decode(putOf(r, key)));
            });
  }

  /** Renews an ephemeral instance's (or node's) lease; answers the lease. */
  public CompletableFuture<Lease> heartbeat(Kind kind, String namespace, String name) {
    KeyValue kv = store.get(Keys.key(kind, namespace, name)).orElse(null);
    if (kv == null) {
      return CompletableFuture.failedFuture(ApiException.notFound(describe(kind, namespace, name)));
    }
    if (kv.lease() == 0) {
      return CompletableFuture.failedFuture(
          ApiException.conflict(
              describe(kind, namespace, name)
                  + " is persistent (it has no spec.ttl), so it takes no heartbeats"));
    }
    return store
        .keepAlive(kv.lease())
        .thenApply(
            l ->
                l.orElseThrow(
                    () ->
                        new CompletionException(
                            ApiException.notFound(
                                describe(kind, namespace, name) + " lease (expired)"))));
  }

  /**
   * Sets an instance's conditions (health checking, graceful deletion). A no-op when they already
   * are so, or when the instance is gone.
   */
  public CompletableFuture<Void> setConditions(
      String namespace, String name, Conditions conditions, String message) {
    String key = Keys.key(Kind.INSTANCE, namespace, name);
    KeyValue kv = store.get(key).orElse(null);
    if (kv == null) {
      return CompletableFuture.completedFuture(null);
    }
    Instance current = (Instance) codec.decode(kv);
    if (current.metadata().deletionTimestamp() != null) {
      conditions = conditions.terminate();
      message = current.status() == null ? message : current.status().message();
    }
    if (current.conditions().equals(conditions)
        && current.status() != null
        && Objects.equals(current.status().message(), message)) {
      return CompletableFuture.completedFuture(null);
    }
    Instance updated =
        current
            .withMetadata(current.metadata().withResourceVersion(null))
            .withStatus(new InstanceStatus(conditions, message, now()));
    Conditions c = conditions;
    String msg = message;
    return store
        .txn(
            Txn.of(
                List.of(Compare.modRevision(key, kv.modRevision())),
                List.of(Op.put(key, codec.encode(updated), kv.lease()))))
        .thenCompose(
            r ->
                r.succeeded()
                    ? CompletableFuture.completedFuture(null)
                    : setConditions(namespace, name, c, msg));
  }

  /** Removes an object if it is still at {@code modRevision} (graceful deletion's last step). */
  public CompletableFuture<Boolean> deleteIfUnchanged(String key, long modRevision) {
    return store
        .txn(Txn.of(List.of(Compare.modRevision(key, modRevision)), List.of(Op.delete(key))))
        .thenApply(TxnResult::succeeded);
  }

  private static KeyValue putOf(TxnResult result, String key) {
    for (Event e : result.events()) {
      if (e.type() == Event.Type.PUT && e.kv().key().equals(key)) {
        return e.kv();
      }
    }
    throw new IllegalStateException("transaction did not write " + key);
  }

  private static ApiException staleConflict(Kind kind, ObjectMeta meta, KeyValue now) {
    return ApiException.conflict(
        "Operation cannot be fulfilled on "
            + describe(kind, meta.namespace(), meta.name())
            + ": the object has been modified (resourceVersion is now "
            + now.modRevision()
            + "); read it again and apply your changes to the latest version");
  }

  public static String describe(Kind kind, String namespace, String name) {
    String k = kind.kindName().toLowerCase(java.util.Locale.ROOT);
    return kind.namespaced() ? k + " " + namespace + "/" + name : k + " " + name;
  }

  /** What a kind-specific step adds to a write: the final object, guards and extra ops. */
  public record Plan(
      Resource resource,
      List<Compare> compares,
      List<Op> ops,
      List<ServiceAllocations.Claim> claims) {
    public Plan {
      compares = List.copyOf(compares);
      ops = List.copyOf(ops);
      claims = List.copyOf(claims);
    }

    static Plan of(Resource r) {
      return new Plan(r, List.of(), List.of(), List.of());
    }
  }
}
