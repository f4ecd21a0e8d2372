package io.meridian.registry.health;

import io.meridian.api.HealthCheck;
import java.net.InetSocketAddress;
import java.util.concurrent.CompletableFuture;

/**
 * Probes one target once, the way a {@link HealthCheck} says.
 *
 * <p>Contract: the returned future never completes exceptionally (every failure is a {@link
 * ProbeResult} that did not pass) and completes within about {@link
 * HealthCheck#effectiveTimeout()}. It may complete on an I/O thread: dependents must not block.
 *
 * <p>Thread-safety: implementations are safe to call from any thread.
 *
 * @see Probers
 */
@FunctionalInterface
public interface Prober {

  /**
   * Starts one probe of {@code target}.
   *
   * @param target a resolved address (unresolved ones fail: a probe never does blocking DNS)
   * @param check what to probe and how long to wait; its {@code port} is already applied to {@code
   *     target}
   */
  CompletableFuture<ProbeResult> probe(InetSocketAddress target, HealthCheck check);
}
