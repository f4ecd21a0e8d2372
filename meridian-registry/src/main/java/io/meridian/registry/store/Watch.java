package io.meridian.registry.store;

/** A running watch. Closing it stops delivery; no listener call starts after close returns. */
public interface Watch extends AutoCloseable {

  /**
   * Every event at or below this revision that matches the watch has been handed to the listener;
   * used for progress notifications (BOOKMARKs). Never decreases.
   */
  long progressRevision();

  @Override
  void close();
}
