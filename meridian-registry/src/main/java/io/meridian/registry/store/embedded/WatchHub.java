package io.meridian.registry.store.embedded;

import io.meridian.registry.store.CompactedException;
import io.meridian.registry.store.Event;
import io.meridian.registry.store.Watch;
import io.meridian.registry.store.WatchListener;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Delivers history to watches on one notifier thread.
 *
 * <p>There are no per-watch queues: the {@link History} ring is the only buffer, and every watch is
 * a cursor into it. Each round copies, under the history lock, the events after the lowest cursor
 * (at most {@link #ROUND_EVENTS}, whole revisions), then, without any lock, gives each watch the
 * events at or after its own cursor that match its prefix, in one {@code onEvents} call, and moves
 * its cursor and {@code progressRevision} to the end of the copy, matched or not. Because a watch
 * starts as a cursor into the same history the writer appends to, registering while writes race
 * cannot cause a gap or a duplicate. Memory stays bounded however slow a listener is: a watch whose
 * cursor falls below the compaction watermark (the ring dropped revisions it had not yet seen) is
 * ended with {@code onClosed(true)}, like etcd's compacted watch cancel. A listener that throws is
 * logged and ended with {@code onClosed(false)}.
 *
 * <p>Thread-safety: {@link #register}, {@link #wake}, {@link #forget} and {@link #stop} from any
 * thread; {@code pending} and {@code stopping} are guarded by {@code signal}; the watcher list is
 * copy-on-write; rounds run only on the notifier thread.
 */
final class WatchHub {

  private static final Logger log = LoggerFactory.getLogger(WatchHub.class);

  /** Events copied per round: bounds the copy a far-behind watch causes, amortizes the lock. */
  static final int ROUND_EVENTS = 8192;

  private static final long JOIN_MILLIS = 10_000;

  private final History history;
  private final CopyOnWriteArrayList<Watcher> watchers = new CopyOnWriteArrayList<>();
  private final Object signal = new Object();
  private boolean pending;
  private boolean stopping;
  private volatile boolean closed;
  private volatile boolean aborted;
  private volatile Thread thread;

  WatchHub(History history) {
    this.history = history;
  }

  void start(ThreadFactory threads) {
    Thread t = threads.newThread(this::run);
    t.setName("meridian-store-notifier");
    thread = t;
    t.start();
  }

  /**
   * Registers a watch.
   *
   * @param currentRevision the store's published revision; a watch with {@code startRevision <= 0}
   *     starts right after it (the key space is published a moment before the history, so this is
   *     what a caller that just listed at that revision expects)
   */
  Watch register(String prefix, long startRevision, long currentRevision, WatchListener listener)
      throws CompactedException {
    if (closed) {
      throw new IllegalStateException("store closed");
    }
    long next = history.startCursor(startRevision > 0 ? startRevision : currentRevision + 1);
    Watcher w = new Watcher(this, prefix, listener, next, Math.min(next - 1, history.revision()));
    watchers.add(w);
    if (closed) { // raced with stop(): the final sweep may have missed it
      watchers.remove(w);
      w.end(false);
      throw new IllegalStateException("store closed");
    }
    wake();
    return w;
  }

  void forget(Watcher w) {
    watchers.remove(w);
  }

  /** Called after every publish: there may be new events or a new watermark. */
  void wake() {
    synchronized (signal) {
      pending = true;
      signal.notifyAll();
    }
  }

  /** Delivers what is already published, ends every watch with onClosed(false), and stops. */
  void stop() {
    closed = true;
    synchronized (signal) {
      stopping = true;
      signal.notifyAll();
    }
    join();
  }

  /** Stops at once, telling no listener (crash simulation). */
  void abort() {
    closed = true;
    aborted = true;
    Thread t = thread;
    if (t != null) {
      t.interrupt();
    }
    join();
  }

  private void join() {
    Thread t = thread;
    if (t == null || t == Thread.currentThread()) {
      return;
    }
    try {
      t.join(JOIN_MILLIS);
      if (t.isAlive()) {
        log.warn("watch notifier did not stop within {} ms (a listener is blocking)", JOIN_MILLIS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void run() {
    try {
      while (!aborted) {
        boolean stop;
        synchronized (signal) {
          while (!pending && !stopping) {
            signal.wait();
          }
          pending = false;
          stop = stopping;
        }
        while (!aborted && round()) {
          // keep going until every watch has caught up
        }
        if (stop) {
          break;
        }
      }
    } catch (InterruptedException e) {
      return; // aborted
    } catch (RuntimeException | Error e) {
      closed = true;
      log.error("watch notifier failed; ending all watches", e);
    }
    if (!aborted) {
      for (Watcher w : watchers) {
        w.end(false);
      }
    }
    watchers.clear();
  }

  /** One delivery round; returns whether some watch still has events to catch up on. */
  private boolean round() {
    long min = Long.MAX_VALUE;
    for (Watcher w : watchers) {
      if (!w.isClosed()) {
        min = Math.min(min, w.next);
      }
    }
    if (min == Long.MAX_VALUE) {
      return false;
    }
    History.Slice slice = history.read(min, ROUND_EVENTS);
    List<Event> events = slice.events();
    for (Watcher w : watchers) {
      if (w.isClosed()) {
        watchers.remove(w);
      } else if (w.next <= slice.compacted()) {
        watchers.remove(w);
        w.end(true);
      } else if (w.next <= slice.through()) {
        List<Event> mine = select(events, w.next, w.prefix);
        if (mine.isEmpty() || deliver(w, mine)) {
          w.advance(slice.through());
        }
      }
    }
    return slice.through() < slice.revision();
  }

  private boolean deliver(Watcher w, List<Event> events) {
    try {
      return w.deliver(events);
    } catch (RuntimeException | Error e) {
      log.warn("watch listener for '{}' threw; closing the watch", w.prefix, e);
      watchers.remove(w);
      w.end(false);
      return false;
    }
  }

  private static List<Event> select(List<Event> events, long from, String prefix) {
    int lo = 0;
    int hi = events.size();
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      if (events.get(mid).revision() < from) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    List<Event> out = null;
    for (int i = lo; i < events.size(); i++) {
      Event e = events.get(i);
      if (e.kv().key().startsWith(prefix)) {
        if (out == null) {
          out = new ArrayList<>();
        }
        out.add(e);
      }
    }
    return out == null ? List.of() : Collections.unmodifiableList(out);
  }
}
