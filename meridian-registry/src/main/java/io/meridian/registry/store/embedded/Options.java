package io.meridian.registry.store.embedded;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.ThreadFactory;
import java.util.function.LongSupplier;

/**
 * The validated configuration of one {@link EmbeddedStore}; see its builder for each field.
 *
 * <p>Thread-safety: immutable.
 */
record Options(
    Path dataDir,
    LongSupplier ticker,
    int historyLimit,
    long snapshotEvery,
    long segmentBytes,
    boolean fsync,
    Duration leaseCheckInterval,
    ThreadFactory threadFactory) {

  /** Small enough for tests that want many segments, large enough to hold a typical record. */
  static final long MIN_SEGMENT_BYTES = 512;

  Options {
    Objects.requireNonNull(dataDir, "dataDir");
    Objects.requireNonNull(ticker, "ticker");
    Objects.requireNonNull(leaseCheckInterval, "leaseCheckInterval");
    Objects.requireNonNull(threadFactory, "threadFactory");
    require(historyLimit >= 1, "historyLimit", historyLimit + " (must be >= 1)");
    require(snapshotEvery >= 1, "snapshotEvery", snapshotEvery + " (must be >= 1)");
    require(
        segmentBytes >= MIN_SEGMENT_BYTES,
        "segmentBytes",
        segmentBytes + " (must be >= " + MIN_SEGMENT_BYTES + ")");
    require(
        !leaseCheckInterval.isNegative() && !leaseCheckInterval.isZero(),
        "leaseCheckInterval",
        leaseCheckInterval + " (must be positive)");
  }

  private static void require(boolean ok, String field, String value) {
    if (!ok) {
      throw new IllegalArgumentException("invalid " + field + ": " + value);
    }
  }
}
