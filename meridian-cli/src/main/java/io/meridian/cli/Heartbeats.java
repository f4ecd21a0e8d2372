package io.meridian.cli;

import io.meridian.api.GoDuration;
import io.meridian.api.Instance;
import io.meridian.api.Kind;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Keeps an ephemeral instance registered from the foreground: a heartbeat every ttl/3 (so two may
 * be lost before the lease runs out), the instance registered again when its lease had already
 * expired (404), and a deregistration from the shutdown hook when the process is interrupted.
 *
 * <p>Thread-safety: the loop runs on the calling thread; the shutdown hook stops it by interrupt
 * and waits (bounded) for it to leave the loop before deleting the instance, so no heartbeat or
 * re-registration follows the deletion. {@code stopping} is volatile.
 */
final class Heartbeats {

  private final RegistryClient registry;
  private final Instance instance;
  private final Duration every;
  private final PrintWriter out;
  private final PrintWriter err;
  private final String ref;
  private final CountDownLatch loopDone = new CountDownLatch(1);
  private volatile boolean stopping;

  Heartbeats(
      RegistryClient registry,
      Instance instance,
      GoDuration ttl,
      PrintWriter out,
      PrintWriter err) {
    this.registry = registry;
    this.instance = instance;
    Duration third = Duration.ofMillis(ttl.duration().dividedBy(3).toMillis());
    this.every =
        third.compareTo(RegisterCommand.MIN_HEARTBEAT) < 0 ? RegisterCommand.MIN_HEARTBEAT : third;
    this.out = out;
    this.err = err;
    this.ref = "instance/" + instance.metadata().name();
  }

  void runUntilInterrupted() {
    Thread loop = Thread.currentThread();
    Runtime.getRuntime().addShutdownHook(new Thread(() -> stop(loop), "meridian-deregister"));
    out.println(
        ref
            + " is ephemeral (ttl "
            + instance.spec().ttl()
            + "): sending a heartbeat every "
            + GoDuration.format(every)
            + "; Ctrl-C deregisters it");
    out.flush();
    try {
      loop();
    } finally {
      loopDone.countDown();
    }
  }

  private void loop() {
    String ns = instance.metadata().namespace();
    while (!stopping) {
      try {
        Thread.sleep(every.toMillis());
      } catch (InterruptedException e) {
        return;
      }
      if (stopping) {
        return;
      }
      try {
        registry.post(ApiPaths.heartbeat(ns, instance.metadata().name()), new byte[0]);
      } catch (ApiException e) {
        if (stopping) {
          return;
        }
        if (e.notFound()) {
          registry.put(
              ApiPaths.object(Kind.INSTANCE, ns, instance.metadata().name()),
              WireFormat.toJson(instance));
          warn(ref + " had expired (no heartbeat within its ttl); registered it again");
        } else {
          warn("heartbeat of " + ref + " failed: " + e.getMessage() + "; retrying");
        }
      } catch (CliException e) {
        if (stopping || Thread.currentThread().isInterrupted()) {
          return;
        }
        warn("heartbeat of " + ref + " failed: " + e.getMessage() + "; retrying");
      }
    }
  }

  private void stop(Thread loop) {
    stopping = true;
    loop.interrupt();
    try {
      loopDone.await(RegisterCommand.STOP_WAIT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    try {
      registry.delete(
          ApiPaths.object(
              Kind.INSTANCE, instance.metadata().namespace(), instance.metadata().name()));
      out.println(ref + " deregistered");
    } catch (RuntimeException e) {
      err.println(
          "warning: could not deregister "
              + ref
              + ": "
              + e.getMessage()
              + (instance.spec().ttl() == null
                  ? ""
                  : "; it expires after " + instance.spec().ttl()));
    }
    out.flush();
    err.flush();
  }

  private void warn(String message) {
    err.println("warning: " + message);
    err.flush();
  }
}
