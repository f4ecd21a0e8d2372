package io.meridian.cli;

import java.util.concurrent.CompletableFuture;

/**
 * One long-running part of a {@code meridian} process (registry, and later agent, edge, DNS), as
 * {@link Foreground} runs it: started in order, announced, closed in reverse order.
 *
 * <p>Thread-safety: {@link #start} and {@link #close} may be called from different threads (close
 * from the shutdown hook); implementations say how they cope.
 */
interface Component extends AutoCloseable {

  /** A short name for messages: {@code registry}, {@code dns}. */
  String name();

  /** Where it was asked to listen, for error messages: {@code 127.0.0.1:7070}. */
  String bindAddress();

  /** The flag that moves it to another port, for the "address already in use" hint. */
  default String portFlag() {
    return "--port";
  }

  /** Starts; completes once it serves. Does not block. */
  CompletableFuture<Void> start();

  /** Where it listens, after start: {@code http://127.0.0.1:7070}. */
  String address();

  /** Stops and waits for it; never throws. */
  @Override
  void close();
}
