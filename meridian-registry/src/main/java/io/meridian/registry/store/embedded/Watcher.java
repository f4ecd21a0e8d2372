package io.meridian.registry.store.embedded;

import io.meridian.registry.store.Event;
import io.meridian.registry.store.Watch;
import io.meridian.registry.store.WatchListener;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One registered watch: a prefix, a listener and a cursor into the history.
 *
 * <p>Thread-safety: {@code next} is read and written only by the notifier thread (it is set before
 * the watcher is published through the hub's copy-on-write list). {@code progress} is volatile.
 * {@code closed} is written under this object's monitor, which is also held while the listener
 * runs; that is deliberate (the one place a lock is held while calling out): it is what lets {@link
 * #close()} promise that no call starts after it returns. Only {@code close()} contends for it, and
 * a listener may call {@code close()} from inside a callback (monitors re-enter).
 */
final class Watcher implements Watch {

  private static final Logger log = LoggerFactory.getLogger(Watcher.class);

  private final WatchHub hub;
  final String prefix;
  private final WatchListener listener;

  /** The first revision not yet scanned; notifier thread only. */
  long next;

  private volatile long progress;
  private volatile boolean closed;

  Watcher(WatchHub hub, String prefix, WatchListener listener, long next, long progress) {
    this.hub = hub;
    this.prefix = prefix;
    this.listener = listener;
    this.next = next;
    this.progress = progress;
  }

  @Override
  public long progressRevision() {
    return progress;
  }

  void advance(long through) {
    next = through + 1;
    if (through > progress) {
      progress = through;
    }
  }

  boolean isClosed() {
    return closed;
  }

  @Override
  public void close() {
    synchronized (this) {
      closed = true;
    }
    hub.forget(this);
  }

  /** Hands events to the listener unless closed; returns whether it did. Listener errors escape. */
  boolean deliver(List<Event> events) {
    synchronized (this) {
      if (closed) {
        return false;
      }
      listener.onEvents(events);
      return true;
    }
  }

  /** Ends the watch from the store's side, telling the listener once. */
  void end(boolean compacted) {
    synchronized (this) {
      if (closed) {
        return;
      }
      closed = true;
      try {
        listener.onClosed(compacted);
      } catch (RuntimeException e) {
        log.warn("watch listener for '{}' failed in onClosed", prefix, e);
      }
    }
  }

  @Override
  public String toString() {
    return "Watch[" + prefix + " next=" + next + "]";
  }
}
