package io.meridian.registry.store;

import java.util.List;

/**
 * Receives a watch's events. Calls are serial for one watch, in revision order, on a store thread,
 * and must return quickly: hand the events to your own executor.
 */
public interface WatchListener {

  /** The events of one or more consecutive revisions, oldest first, never empty. */
  void onEvents(List<Event> events);

  /**
   * The watch ended from the store's side (store closed, or this watcher fell so far behind that
   * the history it needs was compacted); {@code compacted} tells the second case. No call follows.
   */
  default void onClosed(boolean compacted) {}
}
