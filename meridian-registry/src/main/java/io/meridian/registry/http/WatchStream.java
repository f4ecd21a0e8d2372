package io.meridian.registry.http;

import io.meridian.api.ApiError;
import io.meridian.api.Kind;
import io.meridian.api.LabelSelector;
import io.meridian.api.Resource;
import io.meridian.api.codec.Codec;
import io.meridian.registry.resource.Keys;
import io.meridian.registry.resource.Resources;
import io.meridian.registry.store.CompactedException;
import io.meridian.registry.store.Event;
import io.meridian.registry.store.KeyValue;
import io.meridian.registry.store.Watch;
import io.meridian.registry.store.WatchListener;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http2.Http2StreamChannel;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One {@code ?watch=true} stream: newline-delimited JSON events for every change after the
 * requested resourceVersion, in order, then BOOKMARKs while idle, until the client goes away.
 *
 * <p>Without a resourceVersion (or with "0") it first sends the current objects as ADDED, as
 * Kubernetes does. A resourceVersion older than the retained history answers 410 Gone before any
 * event, and the client lists again. If this client reads so slowly that its unsent output passes
 * {@link #MAX_PENDING_BYTES}, it gets an ERROR 410 line and the stream ends: it can resume from its
 * last resourceVersion or relist, and it can no longer hold the registry's memory hostage.
 *
 * <p>Thread-safety: store callbacks hop to the channel's event loop; all writes happen there.
 */
final class WatchStream implements WatchListener {

  static final long MAX_PENDING_BYTES = 64L << 20;

  private final ChannelHandlerContext ctx;
  private final ApiContext api;
  private final Kind kind;
  private final LabelSelector selector;
  private final AtomicLong lastSent = new AtomicLong();
  private volatile Watch watch;
  private ScheduledFuture<?> bookmarks;
  private boolean ended;

  private WatchStream(
      ChannelHandlerContext ctx, ApiContext api, Kind kind, LabelSelector selector) {
    this.ctx = ctx;
    this.api = api;
    this.kind = kind;
    this.selector = selector;
  }

  static void start(
      ChannelHandlerContext ctx,
      ApiContext api,
      Kind kind,
      String namespace,
      String rv,
      LabelSelector selector) {
    boolean h2 = ctx.channel() instanceof Http2StreamChannel;
    WatchStream w = new WatchStream(ctx, api, kind, selector);
    Resources.ListResult initial = null;
    long from;
    if (rv == null || rv.isEmpty() || rv.equals("0")) {
      initial = api.resources().list(kind, namespace, r -> selector.matches(r.metadata().labels()));
      from = initial.revision() + 1;
    } else {
      try {
        from = Long.parseLong(rv) + 1;
      } catch (NumberFormatException e) {
        from = -1;
      }
      if (from < 1) {
        Responses.error(
            ctx,
            true,
            ApiError.of(
                400,
                "BadRequest",
                "resourceVersion must be a revision number, got \"" + rv + "\""));
        return;
      }
    }
    try {
      w.watch = api.resources().store().watch(Keys.prefix(kind, namespace), from, w);
    } catch (CompactedException e) {
      Responses.error(
          ctx,
          true,
          ApiError.of(
              410,
              "Gone",
              "too old resource version: " + rv + " (" + e.getMessage() + "); list again"));
      return;
    }
    api.metrics().watchOpened();
    api.watches().add(w);
    HttpResponse res = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
    res.headers().set(HttpHeaderNames.CONTENT_TYPE, "application/json");
    res.headers().set(HttpHeaderNames.CACHE_CONTROL, "no-cache");
    if (!h2) {
      HttpUtil.setTransferEncodingChunked(res, true);
    }
    ctx.write(res);
    if (initial != null) {
      CompositeByteBuf batch = Unpooled.compositeBuffer(Integer.MAX_VALUE);
      for (Resource r : initial.items()) {
        batch.addComponent(true, Unpooled.wrappedBuffer(EventLines.line("ADDED", Codec.toJson(r))));
      }
      w.lastSent.set(initial.revision());
      if (batch.isReadable()) {
        ctx.write(new DefaultHttpContent(batch));
      } else {
        batch.release();
      }
    }
    ctx.flush();
    ctx.channel().closeFuture().addListener(f -> w.stop());
    long every = api.bookmarkInterval().toMillis();
    w.bookmarks =
        ctx.executor().scheduleAtFixedRate(w::bookmark, every, every, TimeUnit.MILLISECONDS);
  }

  @Override
  public void onEvents(List<Event> events) {
    onLoop(() -> send(events));
  }

  private void send(List<Event> events) {
    if (ended) {
      return;
    }
    CompositeByteBuf batch = Unpooled.compositeBuffer(Integer.MAX_VALUE);
    int n = 0;
    for (Event e : events) {
      KeyValue subject = e.type() == Event.Type.DELETE ? e.prevKv() : e.kv();
      if (subject == null) {
        continue;
      }
      if (!selector.isEverything()
          && !selector.matches(api.resources().codec().decode(subject).metadata().labels())) {
        continue;
      }
      batch.addComponent(true, Unpooled.wrappedBuffer(api.lines().line(e)));
      n++;
    }
    lastSent.set(events.get(events.size() - 1).revision());
    if (n == 0) {
      batch.release();
      return;
    }
    api.metrics().eventsSent(n);
    ctx.writeAndFlush(new DefaultHttpContent(batch));
    if (ctx.channel().bytesBeforeWritable() > MAX_PENDING_BYTES) {
      end(
          ApiError.of(
              410,
              "Gone",
              "watch closed: the client reads too slowly; resume from the"
                  + " last resourceVersion or list again"));
    }
  }

  private void bookmark() {
    if (ended) {
      return;
    }
    Watch w = watch;
    long rev = Math.max(lastSent.get(), w == null ? 0 : w.progressRevision());
    lastSent.set(rev);
    Map<String, Object> object =
        Map.of(
            "kind",
            kind.kindName(),
            "apiVersion",
            kind.apiVersion(),
            "metadata",
            Map.of("resourceVersion", Long.toString(rev)));
    ByteBuf line = Unpooled.wrappedBuffer(EventLines.line("BOOKMARK", Codec.toJson(object)));
    ctx.writeAndFlush(new DefaultHttpContent(line));
  }

  @Override
  public void onClosed(boolean compacted) {
    onLoop(
        () ->
            end(
                compacted
                    ? ApiError.of(410, "Gone", "watch fell behind the retained history; list again")
                    : ApiError.of(503, "ServiceUnavailable", "the registry is shutting down")));
  }

  /** Ends the stream because the registry is stopping. */
  void shutdown() {
    onLoop(() -> end(ApiError.of(503, "ServiceUnavailable", "the registry is shutting down")));
  }

  private void onLoop(Runnable r) {
    try {
      ctx.executor().execute(r);
    } catch (java.util.concurrent.RejectedExecutionException e) {
      ctx.channel().close(); // the event loop is gone already; closing is all that is left
    }
  }

  /** Sends an ERROR line and ends the stream. */
  private void end(ApiError error) {
    if (ended) {
      return;
    }
    byte[] line = EventLines.line("ERROR", Codec.toJson(error));
    ctx.write(new DefaultHttpContent(Unpooled.wrappedBuffer(line)));
    ctx.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT).addListener(ChannelFutureListener.CLOSE);
    stop();
  }

  private void stop() {
    if (ended) {
      return;
    }
    ended = true;
    api.metrics().watchClosed();
    api.watches().remove(this);
    if (bookmarks != null) {
      bookmarks.cancel(false);
    }
    Watch w = watch;
    if (w != null) {
      w.close();
    }
  }
}
