package io.meridian.registry.store;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * A revisioned key-value store: the one place the registry keeps state.
 *
 * <p>The shape is etcd's v3 API on purpose, so that an etcd-backed implementation maps onto it one
 * to one: a single cluster-wide revision that every write increments once, per-key create/mod
 * revisions and versions, all-or-nothing transactions guarded by comparisons, leases whose expiry
 * deletes the keys attached to them, and prefix watches that resume from a revision until that
 * revision is compacted away.
 *
 * <p>Keys are strings (compared as UTF-8 bytes, as etcd does); values are byte arrays that neither
 * side mutates after handing them over.
 *
 * <p>Writes complete their future only once the write is durable (for the embedded store: fsynced
 * in the write-ahead log). A read issued after a write's future completed sees that write. Nothing
 * is visible to readers or watchers before it is durable.
 *
 * <p>Thread-safety: implementations are safe for use from any thread. Futures complete, and watch
 * listeners are called, on threads owned by the store; callers must not block in them.
 */
public interface Store extends AutoCloseable {

  /**
   * Opens the store (for the embedded store: recovers from its data dir). Must complete before any
   * other call. Completes exceptionally if the store cannot be opened at all; damage that recovery
   * can step over (a torn or corrupt log tail) is reported in {@link #recovery()} instead.
   */
  CompletableFuture<Void> start();

  /** What {@link #start()} found and did; empty for stores that have nothing to recover. */
  Optional<RecoveryReport> recovery();

  /** The revision of the last durable write (0 for an empty store). */
  long currentRevision();

  /** Revisions at or below this one can no longer be watched from (0 if nothing was compacted). */
  long compactedRevision();

  /** The current value of one key. */
  Optional<KeyValue> get(String key);

  /**
   * Every key that starts with {@code prefix}, sorted by key, together with the revision at which
   * this consistent view was taken.
   */
  RangeResult range(String prefix);

  /**
   * Evaluates every comparison against the current state; if all hold, applies {@code
   * txn.success()}, else {@code txn.failure()}, atomically and at one new revision. A transaction
   * whose chosen branch changes nothing does not create a revision.
   */
  CompletableFuture<TxnResult> txn(Txn txn);

  /** Grants a lease that lives for {@code ttl} unless kept alive. */
  CompletableFuture<Lease> grantLease(Duration ttl);

  /**
   * Restarts the lease's TTL. Completes with empty if the lease does not exist (never granted,
   * revoked, or already expired).
   */
  CompletableFuture<Optional<Lease>> keepAlive(long leaseId);

  /**
   * Revokes a lease, deleting every key attached to it at one revision. False if it did not exist.
   */
  CompletableFuture<Boolean> revokeLease(long leaseId);

  /** The lease with this id, if it exists, with its remaining time to live. */
  Optional<Lease> lease(long leaseId);

  /**
   * Watches every key that starts with {@code prefix}, delivering, in revision order and exactly
   * once each, every event whose revision is {@code >= startRevision} (etcd semantics: the start is
   * inclusive; {@code startRevision <= 0} means "from the next write on").
   *
   * @throws CompactedException if {@code startRevision} is not above {@link #compactedRevision()}
   *     while events at {@code startRevision} would be needed
   */
  Watch watch(String prefix, long startRevision, WatchListener listener) throws CompactedException;

  /** Discards history at and below {@code revision}; watches from there answer compacted. */
  CompletableFuture<Void> compact(long revision);

  /** Stops accepting writes, completes pending ones or fails them, closes files. Idempotent. */
  @Override
  void close();
}
