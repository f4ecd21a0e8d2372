package io.meridian.bench.registry;

import java.util.concurrent.CompletableFuture;

/**
 * One system under test, seen as "a durable write of about 200 bytes".
 *
 * <p>Thread-safety: {@link #write} may be called from any thread, but never concurrently for the
 * same {@code client}: a client has at most one write outstanding, as a closed-loop user does.
 */
interface WriteTarget extends AutoCloseable {

  /** Prepares {@code clients} independent clients (connections, for the HTTP target). */
  void open(int clients) throws Exception;

  /**
   * Writes the {@code seq}-th value of {@code client}. The future completes when the system
   * acknowledged the write as durable, and fails when it refused or lost it.
   */
  CompletableFuture<?> write(int client, long seq);

  /** The process serving the writes, for its CPU time; the current one when in-process. */
  ProcessHandle server();

  @Override
  void close();
}
