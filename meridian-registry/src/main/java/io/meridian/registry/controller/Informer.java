package io.meridian.registry.controller;

import io.meridian.registry.store.CompactedException;
import io.meridian.registry.store.Event;
import io.meridian.registry.store.KeyValue;
import io.meridian.registry.store.RangeResult;
import io.meridian.registry.store.Store;
import io.meridian.registry.store.Watch;
import io.meridian.registry.store.WatchListener;
import java.util.List;
import java.util.concurrent.Executor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Feeds a controller every key under a prefix: first the whole current state, then each change, on
 * the controller's serial executor, as Kubernetes informers do. If the store ever drops the watch
 * (history compacted under a slow consumer), it lists again and hands the controller a fresh full
 * state, so a controller only ever has to be level-triggered.
 *
 * <p>Thread-safety: start/close from any thread; handler calls are serial on {@code executor}.
 */
final class Informer implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(Informer.class);

  /** What a controller implements. All calls come on the informer's serial executor. */
  interface Handler {
    /** The complete current state (first sync, or after a re-list). */
    void onSync(List<KeyValue> all, long revision);

    /** Changes after the last sync or batch, oldest first. */
    void onEvents(List<Event> events);
  }

  private final Store store;
  private final String prefix;
  private final Executor executor;
  private final Handler handler;
  private volatile Watch watch;
  private volatile boolean closed;

  Informer(Store store, String prefix, Executor executor, Handler handler) {
    this.store = store;
    this.prefix = prefix;
    this.executor = executor;
    this.handler = handler;
  }

  void start() {
    executor.execute(this::sync);
  }

  private void sync() {
    if (closed) {
      return;
    }
    RangeResult r = store.range(prefix);
    handler.onSync(r.kvs(), r.revision());
    try {
      watch =
          store.watch(
              prefix,
              r.revision() + 1,
              new WatchListener() {
                @Override
                public void onEvents(List<Event> events) {
                  executor.execute(() -> handler.onEvents(events));
                }

                @Override
                public void onClosed(boolean compacted) {
                  if (compacted && !closed) {
                    log.warn("watch of {} fell behind; listing again", prefix);
                    executor.execute(Informer.this::sync);
                  }
                }
              });
    } catch (CompactedException e) {
      executor.execute(this::sync);
    }
  }

  @Override
  public void close() {
    closed = true;
    Watch w = watch;
    if (w != null) {
      w.close();
    }
  }
}
