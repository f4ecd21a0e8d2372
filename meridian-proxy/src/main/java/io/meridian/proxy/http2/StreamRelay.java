package io.meridian.proxy.http2;

import io.meridian.balancer.Outcome;
import io.meridian.client.Endpoint;
import io.meridian.proxy.ProxySettings;
import io.meridian.proxy.Route;
import io.meridian.proxy.cluster.UpstreamCluster;
import io.meridian.proxy.http2.Http2Proxy.ClientAddress;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http2.DefaultHttp2DataFrame;
import io.netty.handler.codec.http2.DefaultHttp2HeadersFrame;
import io.netty.handler.codec.http2.DefaultHttp2ResetFrame;
import io.netty.handler.codec.http2.Http2DataFrame;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2GoAwayFrame;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2HeadersFrame;
import io.netty.handler.codec.http2.Http2ResetFrame;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.Http2StreamFrame;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.ScheduledFuture;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One client stream (one request, one gRPC call) and its trip upstream: pick an endpoint, borrow a
 * stream on a connection to it, copy HEADERS, DATA and trailers both ways, end the pick with the
 * answer's outcome.
 *
 * <ul>
 *   <li>Backpressure: a side whose peer stream is not writable stops being read, which holds back
 *       its WINDOW_UPDATEs; the sender stalls on HTTP/2 flow control.
 *   <li>Retry, on another endpoint within {@link ProxySettings#connectAttempts()}, while nothing
 *       went back to the client and the request so far is held (up to {@value #RETRY_BODY_LIMIT}
 *       bytes): after a failed connect; after the endpoint refused the stream (REFUSED_STREAM, or a
 *       GOAWAY that did not take it: it never saw the call, so even a non-idempotent call is safe);
 *       after the stream or connection was lost before any answer, within the cluster's retry
 *       budget. Not after the endpoint cancelled the stream (RST_STREAM CANCEL: a gRPC server does
 *       at the call's deadline), which is passed on.
 *   <li>The request timeout runs until the response headers arrive; a gRPC stream may then last.
 *   <li>A reset from either side is passed on; a stream lost mid-answer resets the client's.
 * </ul>
 *
 * <p>It is one class rather than two handlers because the two streams share one state machine (held
 * frames, the pick, the retry decision); the upstream side is the inner {@link Upstream}.
 *
 * <p>Thread-safety: the client stream, the upstream stream and the pool share one event loop; all
 * of it runs there.
 */
final class StreamRelay extends ChannelInboundHandlerAdapter implements UpstreamConnection.Waiter {

  private static final Logger log = LoggerFactory.getLogger(StreamRelay.class);

  /** The most request body held for a retry; past it, the request streams and is not retried. */
  static final int RETRY_BODY_LIMIT = 64 * 1024;

  private final Supplier<Route> routes;
  private final ProxySettings settings;
  private final Http2UpstreamPool pool;
  private final ClientAddress client;
  private final LongSupplier nanoTime;

  private Http2StreamChannel inbound;
  private Route route;
  private UpstreamCluster cluster;
  private Http2Headers request;
  private boolean requestHeadersEnd;
  private boolean grpc;
  private final ArrayDeque<Http2StreamFrame> held = new ArrayDeque<>(2); // frames with no stream
  private int heldBytes;
  private boolean replayable = true; // held is the whole request so far
  private boolean requestEnded;
  private int attempts;
  private Endpoint endpoint; // picked and not yet reported
  private UpstreamConnection connection;
  private Upstream upstream; // the current attempt's stream
  private boolean responseStarted;
  private boolean finalHeaders;
  private boolean responseEnded;
  private int status;
  private boolean done; // the outcome is reported and the client answered (or gone)
  private long startNanos;
  private ScheduledFuture<?> timeout;

  StreamRelay(
      Supplier<Route> routes,
      ProxySettings settings,
      Http2UpstreamPool pool,
      ClientAddress client,
      LongSupplier nanoTime) {
    this.routes = routes;
    this.settings = settings;
    this.pool = pool;
    this.client = client;
    this.nanoTime = nanoTime;
  }

  // ---- the client's stream --------------------------------------------------------------------

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    inbound = (Http2StreamChannel) ctx.channel();
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (msg instanceof Http2HeadersFrame h) {
      if (request == null) {
        onRequest(h);
      } else {
        relay(new DefaultHttp2HeadersFrame(h.headers(), h.isEndStream()), h.isEndStream());
      }
    } else if (msg instanceof Http2DataFrame d && request != null) {
      if (cluster != null) {
        cluster.stats().bytesSent.add(d.content().readableBytes());
      }
      relay(new DefaultHttp2DataFrame(d.content(), d.isEndStream()), d.isEndStream());
    } else {
      ReferenceCountUtil.release(msg);
    }
  }

  private void onRequest(Http2HeadersFrame h) {
    request = h.headers();
    requestHeadersEnd = h.isEndStream();
    requestEnded = requestHeadersEnd;
    grpc = LocalReply.isGrpc(request);
    CharSequence xff = request.get(LocalReply.X_FORWARDED_FOR);
    request.set(
        LocalReply.X_FORWARDED_FOR,
        xff == null || xff.length() == 0 ? client.text() : xff + ", " + client.text());
    route = routes.get();
    if (route == null) {
      reply(503, "no route", null);
      return;
    }
    cluster = route.cluster();
    startNanos = nanoTime.getAsLong();
    timeout =
        inbound
            .eventLoop()
            .schedule(this::timedOut, settings.requestTimeout().toMillis(), TimeUnit.MILLISECONDS);
    attempt(null);
  }

  /** Sends a request frame on, holding it (or a copy) while a retry may need it. */
  private void relay(Http2StreamFrame f, boolean end) {
    requestEnded |= end;
    Channel up = upstream == null ? null : upstream.channel;
    if (up == null && (done || request == null)) {
      ReferenceCountUtil.release(f);
      return;
    }
    if (replayable && f instanceof Http2DataFrame d) {
      heldBytes += d.content().readableBytes();
      replayable = heldBytes <= RETRY_BODY_LIMIT;
    }
    if (up == null) {
      held.add(f);
      if (!replayable) {
        inbound.config().setAutoRead(false); // too much to hold: wait for the stream, then stream
      }
      return;
    }
    if (replayable) {
      held.add(f);
      up.write(copy(f), up.voidPromise());
    } else {
      releaseHeld();
      up.write(f, up.voidPromise());
    }
    if (!up.isWritable()) {
      inbound.config().setAutoRead(false);
    }
  }

  @Override
  public void channelReadComplete(ChannelHandlerContext ctx) {
    if (upstream != null && upstream.channel != null) {
      upstream.channel.flush();
    }
  }

  @Override
  public void channelWritabilityChanged(ChannelHandlerContext ctx) {
    if (inbound.isWritable() && upstream != null && upstream.channel != null) {
      upstream.channel.config().setAutoRead(true);
    }
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
    if (evt instanceof Http2ResetFrame) {
      clientGone(); // the client cancelled
    }
    ReferenceCountUtil.release(evt);
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    clientGone();
    releaseHeld();
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    log.debug("h2 client stream {}: {}", inbound, cause.toString());
    ctx.close();
  }

  private void clientGone() {
    closeUpstream();
    end(null, 0);
  }

  // ---- attempts -------------------------------------------------------------------------------

  private void attempt(Endpoint exclude) {
    attempts++;
    Endpoint e = cluster.pick(client.ip(), route.listener().affinity(), exclude);
    if (e == null) {
      reply(503, cluster.problem(), null);
      return;
    }
    endpoint = e;
    pool.acquire(e, cluster, this);
  }

  /** From the pool: a stream may be opened on {@code c}. */
  @Override
  public void ready(UpstreamConnection c) {
    if (done) {
      c.giveBack();
      return;
    }
    connection = c;
    Upstream u = new Upstream();
    upstream = u;
    c.open(u, (Future<Http2StreamChannel> f) -> opened(u, f));
  }

  private void opened(Upstream u, Future<Http2StreamChannel> f) {
    if (!f.isSuccess()) {
      u.refused = true;
      upstreamLost(u);
      return;
    }
    Http2StreamChannel ch = f.getNow();
    if (done || u != upstream) {
      ch.close();
      return;
    }
    u.channel = ch;
    ch.write(new DefaultHttp2HeadersFrame(request, requestHeadersEnd))
        .addListener(
            w -> {
              if (!w.isSuccess()) {
                u.refused = true; // never sent: GOAWAY came first, or too many streams
                ch.close();
              }
            });
    for (Http2StreamFrame part : held) {
      ch.write(replayable ? copy(part) : part, ch.voidPromise());
    }
    if (!replayable) {
      held.clear(); // handed over
    }
    ch.flush();
    if (!requestEnded && ch.isWritable()) {
      inbound.config().setAutoRead(true);
    }
  }

  /** From the pool: no connection to {@link #endpoint}. */
  @Override
  public void failed(Throwable cause, boolean counted) {
    if (done) {
      return;
    }
    Endpoint failed = endpoint;
    endpoint = null;
    if (counted) {
      cluster.report(failed, Outcome.CONNECT_FAILURE, null);
    } else {
      cluster.release(failed);
    }
    if (attempts < settings.connectAttempts()) {
      cluster.stats().retries.increment();
      attempt(failed);
      return;
    }
    reply(503, "upstream connect error: " + failed + ": " + cause.getMessage(), null);
  }

  /** The upstream stream closed, or could not be opened. */
  private void upstreamLost(Upstream u) {
    if (u != upstream) {
      return;
    }
    upstream = null;
    if (done) {
      if (responseEnded && !requestEnded && inbound.isActive()) {
        // The endpoint answered in full and stopped reading: so does the client (RFC 9113 8.1).
        inbound.writeAndFlush(new DefaultHttp2ResetFrame(Http2Error.NO_ERROR));
      }
      return;
    }
    if (responseStarted) {
      end(Outcome.FAILURE, 0);
      inbound.writeAndFlush(
          new DefaultHttp2ResetFrame(u.reset != null ? u.reset : Http2Error.INTERNAL_ERROR));
      return;
    }
    if (u.reset == Http2Error.CANCEL) {
      // The endpoint gave up on the call before answering: a gRPC server does at the deadline it
      // read from grpc-timeout, so a retry would be too late as well, and it says nothing of the
      // endpoint's health (as a connect failure it would get a busy endpoint ejected). Passed on.
      end(Outcome.TIMEOUT, 0);
      inbound.writeAndFlush(new DefaultHttp2ResetFrame(Http2Error.CANCEL));
      return;
    }
    Endpoint failed = endpoint;
    endpoint = null;
    connection = null;
    if (u.refused) {
      cluster.release(failed); // it never saw the request
    } else {
      cluster.report(failed, Outcome.CONNECT_FAILURE, elapsed());
    }
    if (replayable
        && attempts < settings.connectAttempts()
        && (u.refused || cluster.retryBudget().tryWithdraw())) {
      log.debug("retrying {} after {} from {}", request.path(), u.why(), failed);
      cluster.stats().retries.increment();
      attempt(failed);
      return;
    }
    reply(502, "upstream " + failed + " " + u.why() + " before answering", null);
  }

  private void timedOut() {
    if (done || finalHeaders) {
      return;
    }
    reply(
        504,
        "upstream " + endpoint + " did not answer within " + settings.requestTimeout(),
        Outcome.TIMEOUT);
  }

  // ---- the answer -----------------------------------------------------------------------------

  private void fromUpstream(Object msg) {
    if (msg instanceof Http2HeadersFrame h) {
      responseStarted = true;
      releaseHeld();
      replayable = false;
      if (finalHeaders) {
        inbound.write(new DefaultHttp2HeadersFrame(h.headers(), h.isEndStream()));
        if (h.isEndStream()) {
          complete(h.headers());
        }
        return;
      }
      int st = LocalReply.status(h.headers());
      if (st >= 100 && st < 200) {
        inbound.write(new DefaultHttp2HeadersFrame(h.headers(), false)); // 100 Continue
        return;
      }
      finalHeaders = true;
      status = st;
      cancelTimeout();
      inbound.write(new DefaultHttp2HeadersFrame(h.headers(), h.isEndStream()));
      if (h.isEndStream()) {
        complete(h.headers()); // trailers-only
      }
    } else if (msg instanceof Http2DataFrame d) {
      cluster.stats().bytesReceived.add(d.content().readableBytes());
      inbound.write(new DefaultHttp2DataFrame(d.content(), d.isEndStream()), inbound.voidPromise());
      if (!inbound.isWritable() && upstream != null) {
        upstream.channel.config().setAutoRead(false);
      }
      if (d.isEndStream()) {
        complete(null);
      }
    } else {
      ReferenceCountUtil.release(msg);
    }
  }

  private void complete(Http2Headers trailers) {
    responseEnded = true;
    end(LocalReply.outcome(status, trailers), status); // first: the client may act on the answer
    inbound.flush();
  }

  /** Answers the client itself (nothing went back yet) and ends the exchange. */
  private void reply(int httpStatus, String message, Outcome outcome) {
    if (done) {
      return;
    }
    closeUpstream();
    end(outcome, httpStatus);
    responseStarted = true;
    responseEnded = true;
    LocalReply.send(inbound, grpc, httpStatus, message);
    if (!requestEnded) {
      inbound.writeAndFlush(new DefaultHttp2ResetFrame(Http2Error.NO_ERROR));
    }
  }

  /** Reports the pick (null outcome: released) and counts the answer; once. */
  private void end(Outcome outcome, int code) {
    if (done) {
      return;
    }
    done = true;
    cancelTimeout();
    releaseHeld();
    replayable = false;
    if (endpoint != null) {
      Endpoint e = endpoint;
      endpoint = null;
      if (outcome == null) {
        cluster.release(e);
      } else {
        cluster.report(e, outcome, elapsed());
      }
      if (connection != null && !cluster.accepts(e)) {
        connection.drain(); // no new streams to a draining endpoint; closes when idle
      }
    }
    if (cluster != null) {
      cluster.stats().response(code);
      cluster.retryBudget().deposit();
    }
  }

  private void closeUpstream() {
    Upstream u = upstream;
    upstream = null;
    if (u != null && u.channel != null) {
      u.channel.close(); // RST_STREAM(CANCEL) unless the stream ended both ways
    }
  }

  private void cancelTimeout() {
    if (timeout != null) {
      timeout.cancel(false);
      timeout = null;
    }
  }

  private Duration elapsed() {
    return Duration.ofNanos(nanoTime.getAsLong() - startNanos);
  }

  private void releaseHeld() {
    Http2StreamFrame f;
    while ((f = held.poll()) != null) {
      ReferenceCountUtil.release(f);
    }
  }

  private static Http2StreamFrame copy(Http2StreamFrame f) {
    if (f instanceof Http2DataFrame d) {
      return new DefaultHttp2DataFrame(d.content().retainedDuplicate(), d.isEndStream());
    }
    Http2HeadersFrame h = (Http2HeadersFrame) f;
    return new DefaultHttp2HeadersFrame(h.headers(), h.isEndStream());
  }

  // ---- the upstream stream --------------------------------------------------------------------

  /** The handler of one attempt's upstream stream; events of a superseded attempt are dropped. */
  private final class Upstream extends ChannelInboundHandlerAdapter {
    Http2StreamChannel channel; // null until opened
    boolean refused; // the endpoint did not take the stream
    Http2Error reset; // the endpoint's RST_STREAM code

    String why() {
      return refused
          ? "refused the stream"
          : reset != null ? "reset the stream (" + reset + ")" : "lost the stream";
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      if (this != upstream) {
        ReferenceCountUtil.release(msg);
        return;
      }
      fromUpstream(msg);
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
      if (this == upstream) {
        inbound.flush();
      }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
      if (this == upstream && ctx.channel().isWritable() && !requestEnded) {
        inbound.config().setAutoRead(true);
      }
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
      if (evt instanceof Http2ResetFrame r) {
        reset = Http2Error.valueOf(r.errorCode());
        refused |= reset == Http2Error.REFUSED_STREAM && !responseStarted;
        ctx.close();
      } else if (evt instanceof Http2GoAwayFrame) {
        refused = true; // its id is above the GOAWAY's last stream: never processed
      }
      ReferenceCountUtil.release(evt);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
      upstreamLost(this);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      log.debug("h2 upstream stream {}: {}", ctx.channel(), cause.toString());
      ctx.close();
    }
  }
}
