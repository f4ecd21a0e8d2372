package io.meridian.client;

import io.meridian.api.GoDuration;
import io.meridian.api.Instance;
import io.meridian.api.codec.Codec;
import io.meridian.client.internal.RegistryCalls;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This process's instance in the registry, kept alive by heartbeats until {@link #close()}
 * deregisters it. From {@link MeridianClient#register}.
 *
 * <h2>Design note</h2>
 *
 * <p>The instance is written with {@code spec.ttl}, which puts it on a lease: if the heartbeats
 * stop (the process died, the network split), the registry deletes it when the ttl runs out and
 * callers stop being sent to it. A heartbeat goes every ttl/3, so two may be lost before the lease
 * expires (Consul's and Eureka's rule of thumb), and never more often than every 100 ms. The next
 * heartbeat is scheduled when the previous one has been answered, so a slow registry is never sent
 * a pile of them. A heartbeat answered 404 means the lease had already expired (a long pause, a
 * registry restart past the ttl): the instance is written again. Other failures are logged and
 * retried at the next beat.
 *
 * <p>{@link #close()} stops the heartbeats, then deletes the instance; a deletion that fails is
 * logged and the lease ends it within the ttl.
 *
 * <p>Thread-safety: safe from any thread. Heartbeats run one at a time on the client's scheduler;
 * {@code timer} and {@code closing} are guarded by {@code this}.
 */
public final class Registration implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(Registration.class);
  static final Duration MIN_HEARTBEAT = Duration.ofMillis(100);

  private final Instance instance;
  private final Duration ttl;
  private final Duration every;
  private final RegistryCalls calls;
  private final ScheduledExecutorService scheduler;
  private final Consumer<Registration> onClosed;
  private final String path;
  private final byte[] body;
  private volatile long heartbeats;
  private volatile long reregistrations;

  private ScheduledFuture<?> timer; // guarded by this
  private CompletableFuture<Void> closing; // guarded by this

  Registration(
      Instance instance,
      Duration ttl,
      RegistryCalls calls,
      ScheduledExecutorService scheduler,
      Consumer<Registration> onClosed) {
    Objects.requireNonNull(instance, "instance");
    Objects.requireNonNull(instance.metadata(), "instance.metadata");
    Objects.requireNonNull(ttl, "ttl");
    if (ttl.compareTo(Duration.ofSeconds(1)) < 0) {
      throw new IllegalArgumentException("ttl must be at least 1s, got " + GoDuration.format(ttl));
    }
    String ns =
        instance.metadata().namespace() == null ? "default" : instance.metadata().namespace();
    this.instance =
        instance
            .withMetadata(instance.metadata().withNamespace(ns))
            .withSpec(instance.spec().withTtl(GoDuration.of(ttl)));
    this.ttl = ttl;
    Duration third = ttl.dividedBy(3);
    this.every = third.compareTo(MIN_HEARTBEAT) < 0 ? MIN_HEARTBEAT : third;
    this.calls = calls;
    this.scheduler = scheduler;
    this.onClosed = onClosed;
    this.path =
        "/api/v1/namespaces/"
            + encode(ns)
            + "/instances/"
            + encode(Objects.requireNonNull(instance.metadata().name(), "instance.metadata.name"));
    this.body = Codec.toJson(this.instance);
  }

  private static String encode(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }

  CompletableFuture<Registration> start() {
    return write()
        .thenApply(
            v -> {
              schedule();
              return this;
            });
  }

  private CompletableFuture<Void> write() {
    return calls
        .send("PUT", path, body)
        .thenApply(
            reply -> {
              if (!reply.ok()) {
                throw new MeridianException(
                    "registry refused instance " + ref() + ": " + reply.error(),
                    reply.status(),
                    null);
              }
              return null;
            });
  }

  private synchronized void schedule() {
    if (closing == null) {
      timer = scheduler.schedule(this::beat, every.toNanos(), TimeUnit.NANOSECONDS);
    }
  }

  private void beat() {
    synchronized (this) {
      if (closing != null) {
        return;
      }
    }
    calls
        .send("POST", path + "/heartbeat", null)
        .thenCompose(
            reply -> {
              if (reply.ok()) {
                heartbeats++;
                return CompletableFuture.completedFuture(null);
              }
              if (reply.status() == 404 && !isClosing()) {
                log.warn(
                    "{} had expired (no heartbeat within its ttl); registering it again", ref());
                reregistrations++;
                return write();
              }
              log.warn("heartbeat of {} failed: {}", ref(), reply.error());
              return CompletableFuture.completedFuture(null);
            })
        .whenComplete(
            (v, e) -> {
              if (e != null && !isClosing()) {
                log.warn("heartbeat of {} failed: {}", ref(), e.toString());
              }
              schedule();
            });
  }

  private synchronized boolean isClosing() {
    return closing != null;
  }

  /** The instance as registered (namespace and ttl filled in). */
  public Instance instance() {
    return instance;
  }

  public Duration ttl() {
    return ttl;
  }

  /** How often a heartbeat is sent. */
  public Duration heartbeatInterval() {
    return every;
  }

  /** Heartbeats the registry has acknowledged. */
  public long heartbeats() {
    return heartbeats;
  }

  /** How many times the instance was written again after its lease had expired. */
  public long reregistrations() {
    return reregistrations;
  }

  /**
   * Stops the heartbeats and deletes the instance; completes when the registry answered (a failure
   * is logged; the lease then ends it within the ttl). Idempotent.
   */
  public synchronized CompletableFuture<Void> closeAsync() {
    if (closing == null) {
      if (timer != null) {
        timer.cancel(false);
      }
      closing =
          calls
              .send("DELETE", path, null)
              .handle(
                  (reply, e) -> {
                    if (e != null) {
                      log.warn("could not deregister {}: {}; it expires within {}", ref(), e, ttl);
                    } else if (!reply.ok() && reply.status() != 404) {
                      log.warn("could not deregister {}: {}", ref(), reply.error());
                    }
                    onClosed.accept(this);
                    return null;
                  });
    }
    return closing;
  }

  /** {@link #closeAsync()}, waiting for the registry (bounded by the client's request timeout). */
  @Override
  public void close() {
    try {
      closeAsync().get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (java.util.concurrent.ExecutionException e) {
      // logged in closeAsync
    }
  }

  private String ref() {
    return "instance " + instance.metadata().namespace() + "/" + instance.metadata().name();
  }

  @Override
  public String toString() {
    return "Registration{" + ref().substring(9) + ", ttl " + GoDuration.format(ttl) + "}";
  }
}
