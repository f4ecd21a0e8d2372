package io.meridian.registry.health;

import io.meridian.api.GoDuration;
import io.netty.channel.Channel;
import io.netty.channel.ConnectTimeoutException;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http2.Http2Exception;
import io.netty.util.concurrent.ScheduledFuture;
import java.io.IOException;
import java.net.ConnectException;
import java.nio.channels.ClosedChannelException;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One probe in progress: its outcome, its deadline and the connection it holds. The first outcome
 * wins ({@link #finish}); finishing cancels the deadline and closes the connection, so every path
 * that ends a probe releases its socket.
 *
 * <p>Thread-safety: safe from any thread. In practice everything runs on the connection's event
 * loop, except {@link #attach} which runs on the thread that starts the probe.
 */
final class ProbeAttempt {

  private final CompletableFuture<ProbeResult> result = new CompletableFuture<>();
  private final AtomicBoolean done = new AtomicBoolean();
  private final Duration timeout;
  private volatile Channel channel;
  private volatile ScheduledFuture<?> deadline;

  ProbeAttempt(Duration timeout) {
    this.timeout = timeout;
  }

  CompletableFuture<ProbeResult> result() {
    return result;
  }

  /** Fails the probe with "timeout after ..." when it is not finished within the timeout. */
  void armDeadline(EventLoop loop) {
    deadline =
        loop.schedule(
            () -> finish(ProbeResult.failed(timeoutDetail())),
            Math.max(0, timeout.toNanos()),
            TimeUnit.NANOSECONDS);
    if (done.get()) {
      deadline.cancel(false);
    }
  }

  /** Hands the probe's connection over, to be closed when the probe finishes. */
  void attach(Channel ch) {
    channel = ch;
    if (done.get()) {
      ch.close();
    }
  }

  /** Ends the probe with {@code outcome} unless it already ended; returns whether this call won. */
  boolean finish(ProbeResult outcome) {
    if (!done.compareAndSet(false, true)) {
      return false;
    }
    ScheduledFuture<?> d = deadline;
    if (d != null) {
      d.cancel(false);
    }
    Channel ch = channel;
    if (ch != null) {
      ch.close();
    }
    result.complete(outcome);
    return true;
  }

  boolean fail(Throwable cause) {
    return finish(ProbeResult.failed(describe(cause)));
  }

  boolean isDone() {
    return done.get();
  }

  String timeoutDetail() {
    return "timeout after " + GoDuration.format(timeout);
  }

  /** A short, stable description of why a connection failed, for {@code status.message}. */
  String describe(Throwable cause) {
    if (cause instanceof ConnectTimeoutException) {
      return timeoutDetail();
    }
    String message = cause.getMessage() == null ? "" : cause.getMessage();
    String lower = message.toLowerCase(Locale.ROOT);
    if (cause instanceof ConnectException) {
      if (lower.contains("refused")) {
        return "connection refused";
      }
      return "connect failed: " + message;
    }
    if (cause instanceof ClosedChannelException) {
      return "connection closed";
    }
    if (cause instanceof Http2Exception) {
      return "HTTP/2 error: " + message;
    }
    if (cause instanceof IOException && lower.contains("reset")) {
      return "connection reset";
    }
    return message.isEmpty() ? cause.getClass().getSimpleName() : message;
  }
}
