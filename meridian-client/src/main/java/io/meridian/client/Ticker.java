package io.meridian.client;

/**
 * A source of monotonic nanoseconds, injected so that tests control time (Caffeine's {@code
 * Ticker}). Only differences between two readings mean anything.
 *
 * <p>Thread-safety: implementations must be safe from any thread.
 */
@FunctionalInterface
public interface Ticker {

  /** Nanoseconds since an arbitrary origin. */
  long read();

  /** {@link System#nanoTime()}. */
  static Ticker system() {
    return System::nanoTime;
  }
}
