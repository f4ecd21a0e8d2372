package io.meridian.registry.store.embedded;

import io.meridian.registry.store.Lease;
import io.meridian.registry.store.Txn;
import io.meridian.registry.store.TxnResult;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * Work for the writer thread. Public calls become requests carrying the caller's future; the
 * snapshot thread and {@code close()} post internal ones.
 *
 * <p>Thread-safety: immutable carriers; a future is completed exactly once, by whoever takes the
 * request off the queue (the writer, or {@code close()} draining it).
 */
sealed interface Request {

  /** Completes the caller's future exceptionally; no-op for internal requests. */
  void fail(Throwable cause);

  record TxnRequest(Txn txn, CompletableFuture<TxnResult> future) implements Request {
    @Override
    public void fail(Throwable cause) {
      future.completeExceptionally(cause);
    }
  }

  record GrantRequest(long ttlNanos, CompletableFuture<Lease> future) implements Request {
    @Override
    public void fail(Throwable cause) {
      future.completeExceptionally(cause);
    }
  }

  record KeepAliveRequest(long leaseId, CompletableFuture<Optional<Lease>> future)
      implements Request {
    @Override
    public void fail(Throwable cause) {
      future.completeExceptionally(cause);
    }
  }

  record RevokeRequest(long leaseId, CompletableFuture<Boolean> future) implements Request {
    @Override
    public void fail(Throwable cause) {
      future.completeExceptionally(cause);
    }
  }

  record CompactRequest(long revision, CompletableFuture<Void> future) implements Request {
    @Override
    public void fail(Throwable cause) {
      future.completeExceptionally(cause);
    }
  }

  /** The snapshot thread finished writing the snapshot of {@code index} ({@code error} if not). */
  record SnapshotDone(long index, long revision, Throwable error) implements Request {
    @Override
    public void fail(Throwable cause) {}
  }

  /** Posted by {@code close()}: the writer stops after the batch it is in. */
  record Stop() implements Request {
    @Override
    public void fail(Throwable cause) {}
  }
}
