package io.meridian.registry.controller;

import io.meridian.api.Instance;
import io.meridian.api.Kind;
import io.meridian.registry.resource.Keys;
import io.meridian.registry.resource.Resources;
import io.meridian.registry.store.Event;
import io.meridian.registry.store.KeyValue;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finishes graceful deletions: an instance whose {@code metadata.deletionTimestamp} is set is
 * removed at that time. Deadlines are kept in the stored object, so a restarted registry resumes
 * them (a deadline already past removes the instance at once).
 *
 * <p>Thread-safety: state confined to the single-threaded {@code executor}.
 */
public final class GracefulDeletionController implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(GracefulDeletionController.class);

  private final Resources resources;
  private final ScheduledExecutorService executor;
  private final Clock clock;
  private final Informer informer;
  private final Map<String, ScheduledFuture<?>> pending = new HashMap<>(); // confined

  public GracefulDeletionController(
      Resources resources, ScheduledExecutorService executor, Clock clock) {
    this.resources = resources;
    this.executor = executor;
    this.clock = clock;
    this.informer =
        new Informer(
            resources.store(),
            Keys.prefix(Kind.INSTANCE, null),
            executor,
            new Informer.Handler() {
              @Override
              public void onSync(List<KeyValue> all, long revision) {
                pending.values().forEach(f -> f.cancel(false));
                pending.clear();
                all.forEach(GracefulDeletionController.this::upsert);
              }

              @Override
              public void onEvents(List<Event> events) {
                for (Event e : events) {
                  if (e.type() == Event.Type.PUT) {
                    upsert(e.kv());
                  } else {
                    ScheduledFuture<?> f = pending.remove(e.kv().key());
                    if (f != null) {
                      f.cancel(false);
                    }
                  }
                }
              }
            });
  }

  public void start() {
    informer.start();
  }

  @Override
  public void close() {
    informer.close();
    executor.execute(
        () -> {
          pending.values().forEach(f -> f.cancel(false));
          pending.clear();
        });
  }

  private void upsert(KeyValue kv) {
    Instance i = (Instance) resources.codec().decode(kv);
    String ts = i.metadata().deletionTimestamp();
    if (ts == null || pending.containsKey(kv.key())) {
      return;
    }
    Instant deadline;
    try {
      deadline = Instant.parse(ts);
    } catch (DateTimeParseException e) {
      deadline = clock.instant();
    }
    long delay = Math.max(0, Duration.between(clock.instant(), deadline).toMillis());
    String key = kv.key();
    pending.put(key, executor.schedule(() -> remove(key), delay, TimeUnit.MILLISECONDS));
  }

  private void remove(String key) {
    pending.remove(key);
    KeyValue kv = resources.store().get(key).orElse(null);
    if (kv == null) {
      return;
    }
    resources
        .deleteIfUnchanged(key, kv.modRevision())
        .whenComplete(
            (ok, e) -> {
              if (e != null || !ok) {
                if (e != null) {
                  log.warn("could not remove terminated {}: {}", key, e.toString());
                }
                // changed meanwhile (a status write) or failed: try again shortly
                executor.schedule(() -> retry(key), 100, TimeUnit.MILLISECONDS);
              }
            });
  }

  private void retry(String key) {
    if (!pending.containsKey(key)) {
      pending.put(key, executor.schedule(() -> remove(key), 0, TimeUnit.MILLISECONDS));
    }
  }
}
