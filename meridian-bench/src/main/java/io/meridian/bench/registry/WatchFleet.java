package io.meridian.bench.registry;

import java.util.concurrent.CompletableFuture;

/**
 * Many watchers on one system plus the writer that changes what they watch. Change {@code i} writes
 * an object named {@code lat-<i>}; every watcher that sees an event for it reports the arrival to
 * {@link Arrivals}.
 *
 * <p>Thread-safety: {@link #open} and {@link #close} from one thread; {@link #change} from the
 * writer's thread; arrivals are reported from the fleet's own threads.
 */
interface WatchFleet extends AutoCloseable {

  /** Opens {@code arrivals.watchers()} watches starting after the current revision. */
  void open(Arrivals arrivals) throws Exception;

  /** Writes change {@code index}; completes when the system acknowledged it. */
  CompletableFuture<?> change(int index);

  /** The serving process, for its CPU time. */
  ProcessHandle server();

  /** How the watchers reach the server, for the report. */
  String transport();

  @Override
  void close();
}
