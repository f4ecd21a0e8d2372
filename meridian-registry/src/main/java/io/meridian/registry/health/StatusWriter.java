package io.meridian.registry.health;

import io.meridian.api.Conditions;
import java.util.concurrent.CompletableFuture;

/**
 * Writes the health controller's judgement into an instance's {@code status}.
 *
 * <p>Thread-safety: called from the controller's serial executor, one call at a time per instance;
 * implementations must not block (return a future instead).
 */
@FunctionalInterface
public interface StatusWriter {

  /**
   * Sets {@code status.conditions} (and {@code status.message}) of instance {@code namespace/name}.
   *
   * @param conditions {@link Conditions#READY} or {@link Conditions#NOT_READY}
   * @param message why it is not ready (the failed probe's detail); {@code null} when ready
   * @return completes when written; completing exceptionally makes the controller retry on the next
   *     probe result
   */
  CompletableFuture<?> write(String namespace, String name, Conditions conditions, String message);
}
