package io.meridian.client.internal;

import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;

/**
 * A {@link HttpResponse.BodySubscriber} that hands a streaming body to a {@link Handler} line by
 * line, without a thread of its own: the HTTP client's threads deliver chunks, and the next chunk
 * is requested only when the handler says it is done with the previous lines, so a slow consumer
 * slows the stream down instead of buffering it.
 *
 * <p>Thread-safety: the Flow protocol calls it serially; {@link #cancel()} and the {@code
 * requestMore} callback may be called from any thread.
 */
public final class LineSubscriber implements HttpResponse.BodySubscriber<Void> {

  /** Receives the lines; called serially. */
  public interface Handler {

    /**
     * Complete lines (at least one), oldest first. Call {@code requestMore} once they have been
     * dealt with, from any thread, to receive the next lines.
     */
    void onLines(List<byte[]> lines, Runnable requestMore);

    /**
     * The body ended: {@code error} is null when the server ended it cleanly; {@code
     * truncatedBytes} counts the bytes of an unterminated last line, which is dropped.
     */
    void onEnd(Throwable error, int truncatedBytes);
  }

  private final LineSplitter splitter;
  private final Handler handler;
  private final CompletableFuture<Void> body = new CompletableFuture<>();
  private volatile Flow.Subscription subscription;
  private volatile boolean cancelled;
  private boolean ended;

  public LineSubscriber(int maxLine, Handler handler) {
    this.splitter = new LineSplitter(maxLine);
    this.handler = handler;
  }

  /** Stops the stream: the connection is dropped and no handler call follows. */
  public void cancel() {
    cancelled = true;
    Flow.Subscription s = subscription;
    if (s != null) {
      s.cancel();
    }
    body.complete(null);
  }

  @Override
  public CompletionStage<Void> getBody() {
    return body;
  }

  @Override
  public void onSubscribe(Flow.Subscription s) {
    subscription = s;
    if (cancelled) {
      s.cancel();
      return;
    }
    s.request(1);
  }

  @Override
  public void onNext(List<ByteBuffer> chunks) {
    if (cancelled || ended) {
      return;
    }
    List<byte[]> lines = new ArrayList<>();
    try {
      for (ByteBuffer b : chunks) {
        lines.addAll(splitter.feed(b));
      }
    } catch (LineSplitter.LineTooLongException e) {
      subscription.cancel();
      end(e);
      return;
    }
    if (lines.isEmpty()) {
      subscription.request(1);
    } else {
      handler.onLines(lines, () -> subscription.request(1));
    }
  }

  @Override
  public void onError(Throwable error) {
    end(error);
  }

  @Override
  public void onComplete() {
    end(null);
  }

  private void end(Throwable error) {
    if (ended) {
      return;
    }
    ended = true;
    if (!cancelled) {
      handler.onEnd(error, splitter.pendingBytes());
    }
    if (error == null) {
      body.complete(null);
    } else {
      body.completeExceptionally(error);
    }
  }
}
