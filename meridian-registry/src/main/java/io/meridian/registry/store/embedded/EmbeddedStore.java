package io.meridian.registry.store.embedded;

import io.meridian.registry.store.CompactedException;
import io.meridian.registry.store.Compare;
import io.meridian.registry.store.KeyValue;
import io.meridian.registry.store.Lease;
import io.meridian.registry.store.Op;
import io.meridian.registry.store.RangeResult;
import io.meridian.registry.store.RecoveryReport;
import io.meridian.registry.store.Store;
import io.meridian.registry.store.Txn;
import io.meridian.registry.store.TxnResult;
import io.meridian.registry.store.Watch;
import io.meridian.registry.store.WatchListener;
import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The default {@link Store}: an in-memory key space made durable by a checksummed write-ahead log
 * and periodic snapshots in one data directory, with etcd's revision, lease and watch semantics.
 *
 * <h2>Design</h2>
 *
 * <p><b>Group commit.</b> Every write ({@code txn}, lease grant/keep-alive/revoke, {@code compact})
 * becomes a request on one queue, drained by a single writer thread ({@link CommitLoop}) up to
 * 1,024 at a time. The writer evaluates them in order against the published state plus the batch's
 * own earlier changes, appends their records to the log, forces the log once, and only then
 * publishes the batch (so nothing un-durable is ever visible), completes the futures on a
 * completion thread and wakes the watch notifier. One fsync per batch is what makes throughput grow
 * with concurrency: the more writers wait, the more each fsync carries. A future that completed
 * normally is on disk; after an I/O error the store refuses further writes.
 *
 * <p><b>Log format.</b> {@code wal/<16 hex first record index>.wal} segments of framed records,
 * {@code [u32 length][u32 CRC32C][payload]}; the payload is a type byte, a log index that rises by
 * one per record, and the full content ({@link WalRecord}): a transaction's events (PUT with the
 * new key-value, DELETE with the previous one), lease grants (id, TTL), lease revokes and expiries
 * (with the deletions they caused), compactions. Keep-alives are not logged; on restart every lease
 * gets its full TTL again, as in etcd. Segments roll at {@code segmentBytes}.
 *
 * <p><b>Snapshots</b> ({@link Snapshotter}) are taken every {@code snapshotEvery} records on a
 * background thread from an image captured by the writer; the newest two are kept. A segment is
 * deleted only when both kept snapshots cover all of it and the history ring no longer holds any of
 * its events, so both a fallback to the older snapshot and the watch history survive restarts.
 *
 * <p><b>Recovery</b> ({@link Recovery}) loads the newest snapshot whose CRC checks, replays the log
 * (records the snapshot covers only refill the history), and stops at the first record that is
 * torn, fails its CRC, does not parse or does not continue the index/revision sequence; the segment
 * is truncated before it and later segments deleted. {@link #recovery()} says where and why, and
 * the same is logged at WARN.
 *
 * <p><b>History and watches.</b> The last {@code historyLimit} events (whole revisions) are kept in
 * a ring ({@link History}); what falls out, or is compacted, raises {@link #compactedRevision()}.
 * Watches are cursors into that ring served by one notifier thread ({@link WatchHub}); a watch that
 * falls behind the ring ends with {@code onClosed(true)}.
 *
 * <p><b>Time</b> is the injected ticker: lease deadlines and expiry checks (every {@code
 * leaseCheckInterval}) use nothing else.
 *
 * <p>Thread-safety: safe for use from any thread. Reads never block on writes for longer than a
 * publish; writes complete on the store's completion thread, listeners run on its notifier thread,
 * and neither must block.
 */
public final class EmbeddedStore implements Store {

  private static final Logger log = LoggerFactory.getLogger(EmbeddedStore.class);
  private static final long JOIN_MILLIS = 30_000;

  private enum Phase {
    NEW,
    STARTING,
    RUNNING,
    CLOSED
  }

  private final Options options;
  private final LongSupplier ticker;
  private final AtomicReference<Phase> phase = new AtomicReference<>(Phase.NEW);
  private final CompletableFuture<Void> started = new CompletableFuture<>();
  private final LinkedBlockingQueue<Request> queue = new LinkedBlockingQueue<>();
  private final KvState kv = new KvState();
  private final LeaseTable leases = new LeaseTable();
  private final History history;
  private final WatchHub hub;

  // Set by the writer thread during start; read by close() after joining it, or after `started`.
  private volatile Thread writer;
  private volatile RecoveryReport report;
  private volatile CommitLoop loop;
  private volatile WalWriter wal;
  private volatile ExecutorService completer;
  private volatile Thread completerThread;
  private volatile ExecutorService snapshots;
  private volatile DirLock dirLock;

  private EmbeddedStore(Options options) {
    this.options = options;
    this.ticker = options.ticker();
    this.history = new History(options.historyLimit());
    this.hub = new WatchHub(history);
  }

  /** A builder for a store kept in {@code dataDir} (created on start if missing). */
  public static Builder builder(Path dataDir) {
    return new Builder(dataDir);
  }

  /**
   * Configures an {@link EmbeddedStore}. Does no I/O.
   *
   * <p>Thread-safety: not thread-safe; build on one thread.
   */
  public static final class Builder {
    private final Path dataDir;
    private LongSupplier ticker = System::nanoTime;
    private int historyLimit = 100_000;
    private long snapshotEvery = 50_000;
    private long segmentBytes = 64L << 20;
    private boolean fsync = true;
    private Duration leaseCheckInterval = Duration.ofMillis(100);
    private ThreadFactory threadFactory = Thread.ofPlatform().daemon().factory();

    private Builder(Path dataDir) {
      this.dataDir = Objects.requireNonNull(dataDir, "dataDir");
    }

    /** Measures lease time with {@code clock.instant()}. */
    public Builder clock(Clock clock) {
      Objects.requireNonNull(clock, "clock");
      return ticker(
          () -> {
            Instant now = clock.instant();
            return now.getEpochSecond() * 1_000_000_000L + now.getNano();
          });
    }

    /** Measures lease time with a nanosecond ticker (default {@code System::nanoTime}). */
    public Builder ticker(LongSupplier nanoTicker) {
      this.ticker = Objects.requireNonNull(nanoTicker, "nanoTicker");
      return this;
    }

    /** Events kept for watches to resume from (default 100,000). */
    public Builder historyLimit(int events) {
      this.historyLimit = events;
      return this;
    }

    /** Log records between snapshots (default 50,000). */
    public Builder snapshotEvery(long records) {
      this.snapshotEvery = records;
      return this;
    }

    /** Size at which the log moves to a new segment file (default 64 MiB, at least 512). */
    public Builder segmentBytes(long bytes) {
      this.segmentBytes = bytes;
      return this;
    }

    /** Whether writes are forced to disk before they are acknowledged (default true). */
    public Builder fsync(boolean fsync) {
      this.fsync = fsync;
      return this;
    }

    /** How often lease deadlines are checked (default 100 ms). */
    public Builder leaseCheckInterval(Duration interval) {
      this.leaseCheckInterval = Objects.requireNonNull(interval, "interval");
      return this;
    }

    /** Makes the store's threads (default: daemon platform threads); they are renamed. */
    public Builder threadFactory(ThreadFactory factory) {
      this.threadFactory = Objects.requireNonNull(factory, "factory");
      return this;
    }

    /**
     * @throws IllegalArgumentException naming the field if a value is out of range
     */
    public EmbeddedStore build() {
      return new EmbeddedStore(
          new Options(
              dataDir,
              ticker,
              historyLimit,
              snapshotEvery,
              segmentBytes,
              fsync,
              leaseCheckInterval,
              threadFactory));
    }
  }

  // ---- lifecycle ----

  @Override
  public CompletableFuture<Void> start() {
    if (!phase.compareAndSet(Phase.NEW, Phase.STARTING)) {
      return started.isDone() || phase.get() != Phase.CLOSED
          ? started
          : CompletableFuture.failedFuture(new IllegalStateException("store closed"));
    }
    Thread t = newThread(this::runWriter, "writer");
    writer = t;
    t.start();
    return started;
  }

  private Thread newThread(Runnable body, String role) {
    Thread t = options.threadFactory().newThread(body);
    t.setName("meridian-store-" + role);
    return t;
  }

  private void runWriter() {
    CommitLoop commitLoop;
    try {
      commitLoop = open();
    } catch (Throwable e) {
      log.error("could not open the store in {}", options.dataDir(), e);
      phase.set(Phase.CLOSED);
      hub.stop();
      shutdown(completer, null);
      shutdown(snapshots, null);
      releaseResources();
      started.completeExceptionally(e);
      return;
    }
    if (!phase.compareAndSet(Phase.STARTING, Phase.RUNNING)) {
      started.completeExceptionally(new IllegalStateException("store closed"));
      return; // close() raced with start and cleans up
    }
    completer.execute(() -> started.complete(null));
    commitLoop.run();
  }

  private CommitLoop open() throws IOException {
    Path dataDir = options.dataDir();
    Files.createDirectories(dataDir);
    dirLock = DirLock.acquire(dataDir);
    Path walDir = Files.createDirectories(dataDir.resolve("wal"));
    Path snapDir = Files.createDirectories(dataDir.resolve("snap"));
    Snapshotter snapshotter = new Snapshotter(snapDir, options.fsync());
    Recovery.Result recovered =
        new Recovery(walDir, snapshotter, options.fsync(), kv, leases, history, ticker.getAsLong())
            .run();
    report = recovered.report();
    if (report.damage().isPresent()) {
      log.warn("recovered {} with damage: {} ({})", dataDir, report.damage().get(), report);
    } else {
      log.info("recovered {}: {}", dataDir, report);
    }
    wal =
        new WalWriter(
            walDir,
            options.segmentBytes(),
            options.fsync(),
            recovered.segments(),
            recovered.appendToLast());
    completer = Executors.newSingleThreadExecutor(r -> completerThread = newThread(r, "completer"));
    snapshots = Executors.newSingleThreadExecutor(r -> newThread(r, "snapshot"));
    hub.start(options.threadFactory());
    CommitLoop commitLoop =
        new CommitLoop(
            queue,
            kv,
            leases,
            history,
            wal,
            hub,
            snapshotter,
            completer,
            snapshots,
            ticker,
            options,
            recovered);
    loop = commitLoop;
    return commitLoop;
  }

  @Override
  public Optional<RecoveryReport> recovery() {
    return Optional.ofNullable(report);
  }

  /**
   * Stops accepting writes, fails queued ones with {@code IllegalStateException("store closed")},
   * lets the batch being written finish, delivers published events, ends every watch with {@code
   * onClosed(false)} and closes the files. Idempotent; later calls fail fast.
   */
  @Override
  public void close() {
    Phase previous = phase.getAndSet(Phase.CLOSED);
    if (previous == Phase.CLOSED) {
      return;
    }
    IllegalStateException closed = new IllegalStateException("store closed");
    if (previous == Phase.NEW) {
      started.completeExceptionally(closed);
      return;
    }
    failQueued();
    queue.add(new Request.Stop());
    join(writer);
    failQueued();
    closeQuietly(wal);
    hub.stop();
    shutdown(completer, completerThread);
    shutdown(snapshots, null);
    releaseResources();
    started.completeExceptionally(closed); // no-op if it had started
  }

  /**
   * Simulates a crash for tests: stops every thread without flushing, completing or notifying
   * anything, and closes the files as process death would. Acknowledged writes must be recovered
   * from disk by the next instance.
   */
  void crashForTest() {
    phase.set(Phase.CLOSED);
    CommitLoop l = loop;
    if (l != null) {
      l.abort();
    }
    Thread w = writer;
    if (w != null) {
      w.interrupt();
      join(w);
    }
    closeQuietly(wal);
    hub.abort();
    for (ExecutorService e : new ExecutorService[] {completer, snapshots}) {
      if (e != null) {
        e.shutdownNow();
        awaitQuietly(e);
      }
    }
    releaseResources();
  }

  private void failQueued() {
    IllegalStateException closed = new IllegalStateException("store closed");
    Request r;
    while ((r = queue.poll()) != null) {
      r.fail(closed);
    }
  }

  private void releaseResources() {
    closeQuietly(wal);
    closeQuietly(dirLock);
    dirLock = null;
  }

  private static void join(Thread t) {
    if (t == null || t == Thread.currentThread()) {
      return;
    }
    try {
      t.join(JOIN_MILLIS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Lets queued tasks finish; does not wait when called from {@code own}, its thread. */
  private static void shutdown(ExecutorService e, Thread own) {
    if (e != null) {
      e.shutdown();
      if (own != Thread.currentThread()) {
        awaitQuietly(e);
      }
    }
  }

  private static void awaitQuietly(ExecutorService e) {
    try {
      e.awaitTermination(JOIN_MILLIS, TimeUnit.MILLISECONDS);
    } catch (InterruptedException ex) {
      Thread.currentThread().interrupt();
    }
  }

  private static void closeQuietly(Closeable c) {
    if (c == null) {
      return;
    }
    try {
      c.close();
    } catch (IOException e) {
      log.warn("error while closing {}", c, e);
    }
  }

  // ---- reads ----

  private void checkRunning() {
    Phase p = phase.get();
    if (p != Phase.RUNNING) {
      throw notRunning(p);
    }
  }

  private static IllegalStateException notRunning(Phase p) {
    return new IllegalStateException(p == Phase.CLOSED ? "store closed" : "store not started");
  }

  /** Keeps answering after close with the last published value. */
  @Override
  public long currentRevision() {
    return kv.revision();
  }

  /** Keeps answering after close with the last published value. */
  @Override
  public long compactedRevision() {
    return history.compactedRevision();
  }

  @Override
  public Optional<KeyValue> get(String key) {
    Objects.requireNonNull(key, "key");
    checkRunning();
    return Optional.ofNullable(kv.get(key));
  }

  @Override
  public RangeResult range(String prefix) {
    Objects.requireNonNull(prefix, "prefix");
    checkRunning();
    return kv.range(prefix);
  }

  @Override
  public Optional<Lease> lease(long leaseId) {
    checkRunning();
    return leases.view(leaseId, ticker.getAsLong());
  }

  @Override
  public Watch watch(String prefix, long startRevision, WatchListener listener)
      throws CompactedException {
    Objects.requireNonNull(prefix, "prefix");
    Objects.requireNonNull(listener, "listener");
    checkRunning();
    return hub.register(prefix, startRevision, kv.revision(), listener);
  }

  // ---- writes ----

  /**
   * {@inheritDoc}
   *
   * <p>Fails with {@link IllegalArgumentException} for an empty key, a key that is not valid
   * Unicode, the same key twice in one branch (as etcd), or a put with a lease that does not exist
   * when the transaction runs ({@code "lease N not found"}).
   */
  @Override
  public CompletableFuture<TxnResult> txn(Txn txn) {
    Objects.requireNonNull(txn, "txn");
    String invalid = invalid(txn);
    if (invalid != null) {
      return CompletableFuture.failedFuture(new IllegalArgumentException(invalid));
    }
    CompletableFuture<TxnResult> f = new CompletableFuture<>();
    return submit(new Request.TxnRequest(txn, f), f);
  }

  @Override
  public CompletableFuture<Lease> grantLease(Duration ttl) {
    Objects.requireNonNull(ttl, "ttl");
    if (ttl.isNegative() || ttl.isZero() || ttl.compareTo(Duration.ofDays(365 * 100)) > 0) {
      return CompletableFuture.failedFuture(new IllegalArgumentException("invalid ttl " + ttl));
    }
    CompletableFuture<Lease> f = new CompletableFuture<>();
    return submit(new Request.GrantRequest(ttl.toNanos(), f), f);
  }

  @Override
  public CompletableFuture<Optional<Lease>> keepAlive(long leaseId) {
    CompletableFuture<Optional<Lease>> f = new CompletableFuture<>();
    return submit(new Request.KeepAliveRequest(leaseId, f), f);
  }

  @Override
  public CompletableFuture<Boolean> revokeLease(long leaseId) {
    CompletableFuture<Boolean> f = new CompletableFuture<>();
    return submit(new Request.RevokeRequest(leaseId, f), f);
  }

  /**
   * {@inheritDoc}
   *
   * <p>Compacting at or below the current watermark does nothing; above the current revision it
   * fails with {@link IllegalArgumentException}.
   */
  @Override
  public CompletableFuture<Void> compact(long revision) {
    CompletableFuture<Void> f = new CompletableFuture<>();
    return submit(new Request.CompactRequest(revision, f), f);
  }

  private <T> CompletableFuture<T> submit(Request request, CompletableFuture<T> future) {
    Phase p = phase.get();
    if (p != Phase.RUNNING) {
      return CompletableFuture.failedFuture(notRunning(p));
    }
    Throwable failure = loop.failure();
    if (failure != null) {
      return CompletableFuture.failedFuture(new IllegalStateException("store failed", failure));
    }
    queue.add(request);
    if (phase.get() != Phase.RUNNING) {
      failQueued(); // close() may have drained the queue before we added to it
    }
    return future;
  }

  /** Why a transaction is malformed, or null. */
  static String invalid(Txn txn) {
    for (Compare c : txn.compares()) {
      String bad = invalidKey(c.key());
      if (bad != null) {
        return bad;
      }
    }
    for (List<Op> branch : List.of(txn.success(), txn.failure())) {
      Set<String> seen = new HashSet<>();
      for (Op op : branch) {
        String bad = invalidKey(op.key());
        if (bad != null) {
          return bad;
        }
        if (!seen.add(op.key())) {
          return "duplicate key '" + op.key() + "' in one txn branch";
        }
      }
    }
    return null;
  }

  private static String invalidKey(String key) {
    if (key == null || key.isEmpty()) {
      return "empty key";
    }
    for (int i = 0; i < key.length(); i++) {
      char c = key.charAt(i);
      if (Character.isHighSurrogate(c)
          && i + 1 < key.length()
          && Character.isLowSurrogate(key.charAt(i + 1))) {
        i++;
      } else if (Character.isSurrogate(c)) {
        return "key is not valid Unicode: '" + key + "'";
      }
    }
    return null;
  }
}
