package io.meridian.registry.http;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;

/**
 * The registry's Prometheus metrics: requests by method with latency, open watches, events sent,
 * the store revision.
 *
 * <p>Thread-safety: safe from any thread (Micrometer meters are).
 */
public final class ApiMetrics {

  private final PrometheusMeterRegistry registry =
      new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final ConcurrentHashMap<String, Timer> timers = new ConcurrentHashMap<>();
  private final AtomicInteger watches = new AtomicInteger();
  private final Counter watchEvents;

  public ApiMetrics(LongSupplier revision) {
    Gauge.builder("meridian_registry_watches", watches, AtomicInteger::get)
        .description("open watch streams")
        .register(registry);
    Gauge.builder("meridian_store_revision", revision::getAsLong)
        .description("the store's current revision")
        .register(registry);
    watchEvents =
        Counter.builder("meridian_registry_watch_events")
            .description("events written to watch streams")
            .register(registry);
  }

  void observe(String method, long nanos) {
    timers
        .computeIfAbsent(
            method,
            m ->
                Timer.builder("meridian_registry_requests")
                    .description("API requests by method")
                    .tag("method", m)
                    .register(registry))
        .record(nanos, TimeUnit.NANOSECONDS);
  }

  void watchOpened() {
    watches.incrementAndGet();
  }

  void watchClosed() {
    watches.decrementAndGet();
  }

  void eventsSent(int n) {
    watchEvents.increment(n);
  }

  public String scrape() {
    return registry.scrape();
  }
}
