package io.meridian.bench.registry;

import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;

/**
 * When each watcher first saw each change: {@code at[watcher][index]} in ticker nanoseconds, 0
 * until seen. A second event for the same change and watcher counts as a duplicate, an event the
 * benchmark did not make as unknown, and a watch that ended or failed as an error.
 *
 * <p>Thread-safety: {@link #record} is called serially per watcher (one watch stream is read by one
 * thread at a time) and concurrently across watchers; each watcher owns its row. The per-change
 * counters are atomics incremented after the row is written, so a reader that saw a count also sees
 * the arrivals it counts.
 */
final class Arrivals {

  private final long[][] at;
  private final AtomicIntegerArray seen;
  private final AtomicLong duplicates = new AtomicLong();
  private final AtomicLong unknown = new AtomicLong();
  private final AtomicLong errors = new AtomicLong();
  private volatile String firstError;

  Arrivals(int watchers, int changes) {
    this.at = new long[watchers][changes];
    this.seen = new AtomicIntegerArray(changes);
  }

  int watchers() {
    return at.length;
  }

  int changes() {
    return seen.length();
  }

  void record(int watcher, int index, long nanos) {
    if (index < 0 || index >= seen.length()) {
      unknown.incrementAndGet();
      return;
    }
    long[] row = at[watcher];
    if (row[index] != 0) {
      duplicates.incrementAndGet();
      return;
    }
    row[index] = nanos;
    seen.incrementAndGet(index);
  }

  void error(String what) {
    if (firstError == null) {
      firstError = what;
    }
    errors.incrementAndGet();
  }

  /** How many watchers saw change {@code index}. */
  int seen(int index) {
    return seen.get(index);
  }

  /** How many (watcher, change) pairs in {@code [from, to)} were seen. */
  long seen(int from, int to) {
    long n = 0;
    for (int i = from; i < to; i++) {
      n += seen.get(i);
    }
    return n;
  }

  /**
   * Arrival of {@code index} at {@code watcher}, 0 if never. Call after {@link #seen} counted it.
   */
  long at(int watcher, int index) {
    return at[watcher][index];
  }

  long duplicates() {
    return duplicates.get();
  }

  long unknown() {
    return unknown.get();
  }

  long errors() {
    return errors.get();
  }

  String firstError() {
    return firstError;
  }

  /** The change index in a name like {@code lat-123}, or -1. */
  static int indexOf(CharSequence s, int from) {
    int n = 0;
    int i = from;
    boolean any = false;
    while (i < s.length() && Character.isDigit(s.charAt(i)) && n < 100_000_000) {
      n = n * 10 + (s.charAt(i) - '0');
      i++;
      any = true;
    }
    return any ? n : -1;
  }
}
