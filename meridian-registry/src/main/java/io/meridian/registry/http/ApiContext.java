package io.meridian.registry.http;

import io.meridian.registry.resource.Resources;
import java.time.Duration;
import java.util.function.BooleanSupplier;

/**
 * What every API handler shares: the resources, metrics, readiness and the watch settings.
 *
 * <p>Thread-safety: immutable holder of thread-safe parts.
 */
record ApiContext(
    Resources resources,
    ApiMetrics metrics,
    BooleanSupplier readiness,
    Duration bookmarkInterval,
    EventLines lines,
    java.util.Set<WatchStream> watches) {

  boolean ready() {
    return readiness.getAsBoolean();
  }
}
