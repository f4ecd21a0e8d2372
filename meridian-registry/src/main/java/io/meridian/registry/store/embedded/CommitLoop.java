package io.meridian.registry.store.embedded;

import io.meridian.registry.store.Compare;
import io.meridian.registry.store.Event;
import io.meridian.registry.store.KeyValue;
import io.meridian.registry.store.Lease;
import io.meridian.registry.store.Op;
import io.meridian.registry.store.TxnResult;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The single writer: drains requests in batches, evaluates them in order, logs what they did,
 * fsyncs once per batch, then publishes and completes.
 *
 * <p>Evaluation works on the published state plus an overlay of this batch's changes, so a
 * transaction sees every earlier transaction of its batch; each one that changes something takes
 * the next revision. Leases change in the writer's working {@link LeaseTable} right away. Once the
 * batch's records are forced to disk the overlay is published in one step, the history gets the
 * events, the notifier is woken and the futures are completed on the completion executor (never
 * here, so a caller's callback cannot stall or deadlock the writer). An I/O error leaves the disk
 * in an unknown state, so the store then refuses all further writes (the fsync-gate rule: never
 * retry an fsync); reads keep serving the last published state.
 *
 * <p>Lease expiry is checked on every loop turn (at least every {@code leaseCheckInterval}) and
 * runs as a revoke inside the next batch, through the same log and fsync as any other write.
 *
 * <p>Thread-safety: everything runs on the writer thread, except {@link #abort} and {@link
 * #failure}, which are volatile flags read from any thread.
 */
final class CommitLoop implements Runnable {

  private static final Logger log = LoggerFactory.getLogger(CommitLoop.class);

  /** Requests per batch: big enough to amortize an fsync, small enough to bound latency. */
  static final int MAX_BATCH = 1024;

  /** Expiries per batch, so a mass expiry cannot starve other writes (etcd rate-limits too). */
  static final int MAX_EXPIRIES = 1024;

  private static final byte[] EMPTY = new byte[0];

  private final BlockingQueue<Request> queue;
  private final KvState kv;
  private final LeaseTable leases;
  private final History history;
  private final WalWriter wal;
  private final WatchHub hub;
  private final Snapshotter snapshotter;
  private final Executor completer;
  private final Executor snapshotThread;
  private final LongSupplier ticker;
  private final long pollNanos;
  private final long snapshotEvery;

  // writer-thread state
  private long revision;
  private long nextIndex;
  private long recordsSinceSnapshot;
  private long latestSnapshotIndex;
  private long latestSnapshotRevision;
  private long previousSnapshotIndex;
  private boolean snapshotRunning;
  private final Map<String, KeyValue> overlay = new HashMap<>();
  private final RecordBuffer scratch = new RecordBuffer(4096);
  private final List<Event> batchEvents = new ArrayList<>();
  private final List<Runnable> completions = new ArrayList<>();
  private final List<LeaseTable.Entry> granted = new ArrayList<>();
  private final List<Long> revoked = new ArrayList<>();
  private long compactTo;
  private boolean wrote;

  private volatile boolean aborted;
  private volatile Throwable failure;

  CommitLoop(
      BlockingQueue<Request> queue,
      KvState kv,
      LeaseTable leases,
      History history,
      WalWriter wal,
      WatchHub hub,
      Snapshotter snapshotter,
      Executor completer,
      Executor snapshotThread,
      LongSupplier ticker,
      Options options,
      Recovery.Result recovered) {
    this.queue = queue;
    this.kv = kv;
    this.leases = leases;
    this.history = history;
    this.wal = wal;
    this.hub = hub;
    this.snapshotter = snapshotter;
    this.completer = completer;
    this.snapshotThread = snapshotThread;
    this.ticker = ticker;
    this.pollNanos = options.leaseCheckInterval().toNanos();
    this.snapshotEvery = options.snapshotEvery();
    this.revision = recovered.revision();
    this.nextIndex = recovered.nextIndex();
    this.latestSnapshotIndex = recovered.snapshotIndex();
    this.latestSnapshotRevision = recovered.snapshotRevision();
    this.previousSnapshotIndex = recovered.olderSnapshotIndex();
    this.recordsSinceSnapshot = nextIndex - 1 - recovered.snapshotIndex();
  }

  /** Why the store stopped accepting writes, or null. */
  Throwable failure() {
    return failure;
  }

  /** Makes the loop exit at the next check without publishing or completing anything more. */
  void abort() {
    aborted = true;
  }

  @Override
  public void run() {
    List<Request> batch = new ArrayList<>(MAX_BATCH);
    try {
      while (!aborted) {
        Request first = queue.poll(pollNanos, TimeUnit.NANOSECONDS);
        batch.clear();
        if (first != null) {
          batch.add(first);
          queue.drainTo(batch, MAX_BATCH - 1);
        }
        try {
          if (!process(batch)) {
            return;
          }
        } catch (RuntimeException | Error e) {
          // a bug or a failing injected ticker: refuse further writes rather than hang callers
          fail(e, batch);
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt(); // crashForTest: just stop
    }
  }

  /** Returns false when the loop must stop. */
  private boolean process(List<Request> batch) {
    for (Request r : batch) {
      if (r instanceof Request.Stop) {
        IllegalStateException closed = new IllegalStateException("store closed");
        batch.forEach(other -> other.fail(closed));
        return false;
      }
    }
    if (failure != null) {
      IllegalStateException failed = new IllegalStateException("store failed", failure);
      batch.forEach(r -> r.fail(failed));
      return true;
    }
    try {
      long now = ticker.getAsLong();
      for (LeaseTable.Entry e : leases.expired(now, MAX_EXPIRIES)) {
        revoke(e);
      }
      for (Request r : batch) {
        evaluate(r, now);
      }
      if (wrote) {
        wal.sync();
      }
    } catch (IOException | RuntimeException e) {
      if (aborted) {
        return false;
      }
      fail(e, batch);
      return true;
    }
    if (aborted) {
      return false;
    }
    publish();
    return true;
  }

  private void fail(Throwable e, List<Request> batch) {
    failure = e;
    log.error("the store failed and accepts no more writes", e);
    IllegalStateException failed = new IllegalStateException("store failed", e);
    batch.forEach(r -> r.fail(failed));
    resetBatch();
  }

  private void evaluate(Request request, long now) throws IOException {
    switch (request) {
      case Request.TxnRequest t -> {
        try {
          TxnResult result = txn(t);
          completions.add(() -> t.future().complete(result));
        } catch (IllegalArgumentException e) {
          completions.add(() -> t.future().completeExceptionally(e));
        }
      }
      case Request.GrantRequest g -> {
        LeaseTable.Entry e = leases.grant(g.ttlNanos(), now);
        append(new WalRecord.Grant(nextIndex, e.id, e.ttlNanos));
        granted.add(e);
        Lease lease = e.view(now);
        completions.add(() -> g.future().complete(lease));
      }
      case Request.KeepAliveRequest k -> {
        LeaseTable.Entry e = leases.get(k.leaseId());
        Optional<Lease> result = Optional.empty();
        if (e != null && e.deadline - now <= 0) {
          revoke(e); // expired, just not collected yet: it cannot be renewed (as etcd)
        } else if (e != null) {
          e.deadline = now + e.ttlNanos;
          result = Optional.of(e.view(now));
        }
        Optional<Lease> r = result;
        completions.add(() -> k.future().complete(r));
      }
      case Request.RevokeRequest v -> {
        LeaseTable.Entry e = leases.get(v.leaseId());
        if (e != null) {
          revoke(e);
        }
        completions.add(() -> v.future().complete(e != null));
      }
      case Request.CompactRequest c -> compact(c);
      case Request.SnapshotDone d -> snapshotDone(d);
      case Request.Stop s -> throw new IllegalStateException("unreachable");
    }
  }

  private KeyValue lookup(String key) {
    return overlay.containsKey(key) ? overlay.get(key) : kv.get(key);
  }

  private TxnResult txn(Request.TxnRequest request) throws IOException {
    boolean succeeded = true;
    for (Compare c : request.txn().compares()) {
      if (!c.test(lookup(c.key()))) {
        succeeded = false;
        break;
      }
    }
    List<Op> ops = succeeded ? request.txn().success() : request.txn().failure();
    boolean changes = false;
    for (Op op : ops) {
      if (op instanceof Op.Put p) {
        if (p.lease() != 0 && leases.get(p.lease()) == null) {
          throw new IllegalArgumentException("lease " + p.lease() + " not found");
        }
        changes = true;
      } else if (lookup(op.key()) != null) {
        changes = true;
      }
    }
    if (!changes) {
      return new TxnResult(succeeded, revision, List.of());
    }
    long rev = ++revision;
    List<Event> events = new ArrayList<>(ops.size());
    for (Op op : ops) {
      String key = op.key();
      KeyValue prev = lookup(key);
      if (op instanceof Op.Put p) {
        KeyValue next =
            prev == null
                ? new KeyValue(key, p.value(), rev, rev, 1, p.lease())
                : new KeyValue(
                    key, p.value(), prev.createRevision(), rev, prev.version() + 1, p.lease());
        overlay.put(key, next);
        if (prev != null) {
          leases.detach(prev.lease(), key);
        }
        leases.attach(p.lease(), key);
        events.add(new Event(Event.Type.PUT, next, prev));
      } else if (prev != null) {
        overlay.put(key, null);
        leases.detach(prev.lease(), key);
        events.add(new Event(Event.Type.DELETE, tombstone(key, rev), prev));
      }
    }
    append(new WalRecord.Change(nextIndex, rev, List.copyOf(events)));
    batchEvents.addAll(events);
    return new TxnResult(succeeded, rev, events);
  }

  /** Revokes a lease in the working state, deleting its keys at one new revision. */
  private void revoke(LeaseTable.Entry lease) throws IOException {
    leases.remove(lease.id);
    List<String> keys = new ArrayList<>(lease.keys);
    keys.sort(KvState.KEY_ORDER);
    List<Event> events = new ArrayList<>(keys.size());
    long rev = 0;
    if (!keys.isEmpty()) {
      rev = ++revision;
      for (String key : keys) {
        KeyValue prev = lookup(key);
        overlay.put(key, null);
        events.add(new Event(Event.Type.DELETE, tombstone(key, rev), prev));
      }
    }
    append(new WalRecord.Revoke(nextIndex, lease.id, rev, List.copyOf(events)));
    batchEvents.addAll(events);
    revoked.add(lease.id);
  }

  private void compact(Request.CompactRequest c) throws IOException {
    if (c.revision() > revision) {
      IllegalArgumentException e =
          new IllegalArgumentException(
              "revision " + c.revision() + " is in the future (current " + revision + ")");
      completions.add(() -> c.future().completeExceptionally(e));
      return;
    }
    if (c.revision() > Math.max(compactTo, history.compactedRevision())) {
      append(new WalRecord.Compact(nextIndex, c.revision()));
      compactTo = c.revision();
    }
    completions.add(() -> c.future().complete(null));
  }

  private static KeyValue tombstone(String key, long rev) {
    return new KeyValue(key, EMPTY, 0, rev, 0, 0);
  }

  private void append(WalRecord record) throws IOException {
    scratch.clear();
    record.encode(scratch);
    wal.append(scratch, record.index(), record.revision());
    nextIndex++;
    recordsSinceSnapshot++;
    wrote = true;
  }

  private void publish() {
    if (!overlay.isEmpty() || revision != kv.revision()) {
      kv.publish(overlay, revision);
    }
    granted.forEach(leases::publishGranted);
    revoked.forEach(leases::publishRevoked);
    boolean wake = false;
    if (!batchEvents.isEmpty()) {
      history.append(batchEvents, revision);
      wake = true;
    }
    if (compactTo > 0) {
      history.compact(compactTo);
      wake = true;
    }
    if (wake) {
      hub.wake();
    }
    if (!completions.isEmpty()) {
      Runnable[] done = completions.toArray(Runnable[]::new);
      completer.execute(
          () -> {
            for (Runnable r : done) {
              r.run();
            }
          });
    }
    resetBatch();
    maybeSnapshot();
    trimLog();
  }

  private void resetBatch() {
    overlay.clear();
    batchEvents.clear();
    completions.clear();
    granted.clear();
    revoked.clear();
    compactTo = 0;
    wrote = false;
  }

  private void maybeSnapshot() {
    if (snapshotRunning
        || recordsSinceSnapshot < snapshotEvery
        || revision == latestSnapshotRevision) {
      return;
    }
    List<Snapshotter.LeaseImage> leaseImages = new ArrayList<>();
    for (LeaseTable.Entry e : leases.all()) {
      leaseImages.add(new Snapshotter.LeaseImage(e.id, e.ttlNanos));
    }
    Snapshotter.Image image =
        new Snapshotter.Image(
            nextIndex - 1,
            revision,
            history.compactedRevision(),
            leases.maxId(),
            leaseImages,
            kv.values());
    snapshotRunning = true;
    recordsSinceSnapshot = 0;
    snapshotThread.execute(
        () -> {
          Throwable error = null;
          try {
            snapshotter.write(image);
          } catch (IOException | RuntimeException e) {
            error = e;
          }
          queue.add(new Request.SnapshotDone(image.index(), image.revision(), error));
        });
  }

  private void snapshotDone(Request.SnapshotDone done) {
    snapshotRunning = false;
    if (done.error() != null) {
      if (!aborted) {
        log.warn("snapshot at revision {} failed; will retry", done.revision(), done.error());
      }
      return;
    }
    previousSnapshotIndex = latestSnapshotIndex;
    latestSnapshotIndex = done.index();
    latestSnapshotRevision = done.revision();
    log.debug("snapshot at revision {} (record {}) written", done.revision(), done.index());
  }

  /**
   * Deletes the oldest segments once both retained snapshots cover them (so falling back to the
   * older snapshot still finds its log) and the history ring no longer needs their events.
   */
  private void trimLog() {
    long covered = previousSnapshotIndex;
    long compacted = history.compactedRevision();
    try {
      int n = wal.trim(s -> s.lastIndex <= covered && s.maxRevision <= compacted);
      if (n > 0) {
        log.debug("deleted {} WAL segment(s)", n);
      }
    } catch (IOException e) {
      log.warn("could not delete an old WAL segment", e);
    }
  }
}
