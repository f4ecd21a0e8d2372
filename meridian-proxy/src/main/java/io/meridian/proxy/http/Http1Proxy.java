package io.meridian.proxy.http;

import io.meridian.balancer.Outcome;
import io.meridian.client.Endpoint;
import io.meridian.proxy.ProxySettings;
import io.meridian.proxy.Route;
import io.meridian.proxy.Transport;
import io.meridian.proxy.cluster.UpstreamCluster;
import io.meridian.proxy.tcp.ProxyHeaders;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.haproxy.HAProxyMessage;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.NetUtil;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An HTTP/1.1 reverse proxy for one client connection, balancing per request: each request picks an
 * endpoint and borrows a keep-alive connection to it from the event loop's {@link UpstreamPool};
 * bodies stream both ways with backpressure.
 *
 * <ul>
 *   <li>Requests are served one at a time per connection (a pipelined next request waits, held,
 *       until the response ends; reading pauses if many wait), so responses keep their order.
 *   <li>A failed connect is retried on another endpoint for any method. For idempotent requests
 *       whose body is still held (up to {@value #RETRY_BODY_LIMIT} bytes), a 502 or 503, or a
 *       pooled connection that closes before answering, is retried too — on another endpoint,
 *       before any response byte went to the client, within {@link ProxySettings#connectAttempts()}
 *       and the cluster's retry budget.
 *   <li>{@code X-Forwarded-For} gets the client's address appended, {@code X-Forwarded-Proto} is
 *       set when absent; hop-by-hop headers are not forwarded.
 *   <li>A request with no complete response within the request timeout gets 504; a client that does
 *       not send its first request's headers within the header timeout is closed.
 *   <li>A {@code 101 Switching Protocols} answer (WebSocket) turns both connections into a byte
 *       relay.
 * </ul>
 *
 * <p>Thread-safety: everything for one client connection, including its borrowed upstream
 * connection, runs on the client's event loop.
 */
public final class Http1Proxy extends ChannelInboundHandlerAdapter {

  private static final Logger log = LoggerFactory.getLogger(Http1Proxy.class);

  /** The most request body held for a retry; a larger body is streamed and not retried. */
  static final int RETRY_BODY_LIMIT = 64 * 1024;

  /** Messages of pipelined requests held before reading stops. */
  static final int MAX_PIPELINED = 64;

  private final Supplier<Route> routes;
  private final ProxySettings settings;
  private final UpstreamPool pool;

  private Channel inbound;
  private InetAddress clientIp;
  private String clientIpText;
  private Exchange current;
  private final ArrayDeque<Object> pipelined = new ArrayDeque<>(0);
  private boolean closeAfterResponse;
  private boolean closing; // the last answer went out; the connection closes
  private ScheduledFuture<?> headerTimer;
  private ScheduledFuture<?> requestTimer; // looks at the exchange in flight; see armRequestTimer
  private HttpVersion clientVersion = HttpVersion.HTTP_1_1; // of the request in flight

  private Http1Proxy(Supplier<Route> routes, ProxySettings settings, UpstreamPool pool) {
    this.routes = routes;
    this.settings = settings;
    this.pool = pool;
  }

  /** Sets up {@code ch}'s pipeline (after any PROXY protocol decoder) to proxy HTTP/1.1. */
  public static void init(
      SocketChannel ch, Supplier<Route> routes, ProxySettings settings, Transport transport) {
    UpstreamPool pool = UpstreamPool.of(ch.eventLoop(), transport, settings);
    ch.pipeline()
        .addLast(new HttpServerCodec(4096, settings.maxHeaderSize(), 8192))
        .addLast(
            new IdleStateHandler(
                0, 0, settings.httpIdleTimeout().toMillis(), TimeUnit.MILLISECONDS))
        .addLast(new Http1Proxy(routes, settings, pool));
  }

  // ---- the client side -----------------------------------------------------------------------

  @Override
  public void channelActive(ChannelHandlerContext ctx) {
    inbound = ctx.channel();
    InetSocketAddress remote = (InetSocketAddress) inbound.remoteAddress();
    setClient(remote.getAddress());
    armHeaderTimer();
    inbound.config().setAutoRead(true);
    ctx.fireChannelActive();
  }

  private void setClient(InetAddress a) {
    clientIp = a;
    clientIpText = a.getHostAddress();
  }

  /** A connection must send its first request's headers within the header timeout. */
  private void armHeaderTimer() {
    headerTimer =
        inbound
            .eventLoop()
            .schedule(
                () -> {
                  if (current == null) {
                    inbound.close(); // a slow client: no request headers in time
                  }
                },
                settings.headerTimeout().toMillis(),
                TimeUnit.MILLISECONDS);
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (msg instanceof HAProxyMessage m) {
      try {
        InetSocketAddress named = ProxyHeaders.source(m);
        if (named != null) {
          setClient(named.getAddress());
        }
      } finally {
        m.release();
      }
      return;
    }
    if (!pipelined.isEmpty() || (current != null && current.requestComplete)) {
      // The next request, sent before this one's answer (pipelining): it waits its turn.
      pipelined.add(msg);
      if (pipelined.size() == MAX_PIPELINED) {
        inbound.config().setAutoRead(false);
      }
      return;
    }
    dispatch(msg);
  }

  private void dispatch(Object msg) {
    if (closing) {
      ReferenceCountUtil.release(msg); // after the last answer of a closing connection
      return;
    }
    if (msg instanceof HttpRequest req) {
      onRequest(req);
    }
    if (msg instanceof HttpContent c) {
      onContent(c);
    } else if (!(msg instanceof HttpRequest)) {
      ReferenceCountUtil.release(msg);
    }
  }

  /** Hands on pipelined requests, until one is complete and waits for its answer. */
  private void drainPipelined() {
    Object m;
    while ((current == null || !current.requestComplete) && (m = pipelined.poll()) != null) {
      dispatch(m);
    }
    if (pipelined.size() < MAX_PIPELINED && !inbound.config().isAutoRead()) {
      inbound.config().setAutoRead(true);
    }
  }

  private void onRequest(HttpRequest req) {
    if (headerTimer != null) {
      headerTimer.cancel(false);
      headerTimer = null;
    }
    DecoderResult dr = req.decoderResult();
    if (dr.isFailure()) {
      boolean tooLong = dr.cause() instanceof TooLongFrameException;
      closeAfterResponse = true;
      sendError(
          tooLong
              ? HttpResponseStatus.REQUEST_HEADER_FIELDS_TOO_LARGE
              : HttpResponseStatus.BAD_REQUEST,
          tooLong
              ? "request header larger than " + settings.maxHeaderSize() + " bytes"
              : "malformed request: " + dr.cause().getMessage());
      return;
    }
    if (current != null) {
      // A pipelined request while one is in flight cannot happen (reads pause); be safe.
      closeAfterResponse = true;
      return;
    }
    Route route = routes.get();
    clientVersion = req.protocolVersion();
    if (!HttpUtil.isKeepAlive(req)) {
      closeAfterResponse = true;
    }
    Exchange x = new Exchange(route, prepare(req));
    current = x;
    x.start();
  }

  private void onContent(HttpContent c) {
    Exchange x = current;
    if (x == null) {
      c.release(); // the body of a request already answered (an error)
      return;
    }
    x.requestContent(c);
  }

  /** The request as sent upstream: forwarding headers set, hop-by-hop headers dropped. */
  private HttpRequest prepare(HttpRequest req) {
    HttpHeaders h = req.headers();
    boolean upgrade = h.containsValue(HttpHeaderNames.CONNECTION, HttpHeaderValues.UPGRADE, true);
    CharSequence upgradeTo = upgrade ? h.get(HttpHeaderNames.UPGRADE) : null;
    for (String name : hopByHop(h)) {
      h.remove(name);
    }
    h.remove(HttpHeaderNames.CONNECTION);
    h.remove("Keep-Alive");
    h.remove("Proxy-Connection");
    h.remove(HttpHeaderNames.UPGRADE);
    if (upgradeTo != null) {
      h.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.UPGRADE);
      h.set(HttpHeaderNames.UPGRADE, upgradeTo);
    }
    String xff = h.get("X-Forwarded-For");
    h.set(
        "X-Forwarded-For", xff == null || xff.isEmpty() ? clientIpText : xff + ", " + clientIpText);
    if (!h.contains("X-Forwarded-Proto")) {
      h.set("X-Forwarded-Proto", "http");
    }
    if (!h.contains(HttpHeaderNames.HOST)) {
      // HTTP/1.0 may leave it out; the HTTP/1.1 request sent upstream must have one.
      h.set(
          HttpHeaderNames.HOST,
          NetUtil.toSocketAddressString((InetSocketAddress) inbound.localAddress()));
    }
    req.setProtocolVersion(HttpVersion.HTTP_1_1);
    return req;
  }

  private static List<String> hopByHop(HttpHeaders h) {
    List<String> out = new ArrayList<>(0);
    for (String v : h.getAll(HttpHeaderNames.CONNECTION)) {
      for (String t : v.split(",")) {
        String name = t.trim();
        if (!name.isEmpty()
            && !name.equalsIgnoreCase("close")
            && !name.equalsIgnoreCase("keep-alive")
            && !name.equalsIgnoreCase("upgrade")) {
          out.add(name);
        }
      }
    }
    return out;
  }

  @Override
  public void channelWritabilityChanged(ChannelHandlerContext ctx) {
    Exchange x = current;
    if (x != null && x.upstream != null && inbound.isWritable()) {
      x.upstream.config().setAutoRead(true);
    }
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
    if (evt instanceof IdleStateEvent) {
      if (current == null) {
        inbound.close(); // an idle keep-alive client
      }
      return;
    }
    ctx.fireUserEventTriggered(evt);
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    if (headerTimer != null) {
      headerTimer.cancel(false);
    }
    if (requestTimer != null) {
      requestTimer.cancel(false);
    }
    Exchange x = current;
    if (x != null) {
      x.abort(Outcome.TIMEOUT); // the client closed
    }
    Object m;
    while ((m = pipelined.poll()) != null) {
      ReferenceCountUtil.release(m);
    }
    ctx.fireChannelInactive();
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    log.debug("client connection {}: {}", inbound, cause.toString());
    inbound.close();
  }

  private void sendError(HttpResponseStatus status, String text) {
    FullHttpResponse r =
        new DefaultFullHttpResponse(
            HttpVersion.HTTP_1_1,
            status,
            Unpooled.copiedBuffer(text + "\n", StandardCharsets.UTF_8));
    r.headers()
        .set(HttpHeaderNames.CONTENT_TYPE, "text/plain; charset=utf-8")
        .setInt(HttpHeaderNames.CONTENT_LENGTH, r.content().readableBytes())
        .set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
    closeAfterResponse = true;
    closing = true;
    inbound.writeAndFlush(r).addListener(ChannelFutureListener.CLOSE);
  }

  /**
   * Makes sure a timer will look at the exchange in flight by its deadline. One timer per
   * connection, re-armed lazily when it fires early, so a request costs no timer of its own (rather
   * than one scheduled and cancelled for every request).
   */
  private void armRequestTimer() {
    if (requestTimer == null) {
      requestTimer =
          inbound
              .eventLoop()
              .schedule(
                  this::requestTimerFired,
                  settings.requestTimeout().toNanos(),
                  TimeUnit.NANOSECONDS);
    }
  }

  private void requestTimerFired() {
    requestTimer = null;
    Exchange x = current;
    if (x == null || x.ended || !inbound.isActive()) {
      return;
    }
    long left = x.deadlineNanos - System.nanoTime();
    if (left <= 0) {
      x.timedOut();
    } else {
      requestTimer =
          inbound.eventLoop().schedule(this::requestTimerFired, left, TimeUnit.NANOSECONDS);
    }
  }

  /** The exchange ended: take the next request, or close as asked. */
  private void finished(Exchange x) {
    if (current != x) {
      return;
    }
    current = null;
    if (closeAfterResponse) {
      closing = true;
      inbound.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
      return;
    }
    // Between kept-alive requests the idle timeout applies, not the header timeout. Reading
    // never stopped (toggling it costs two epoll_ctl calls a request); a request that came
    // early waits in pipelined.
    drainPipelined();
  }

  // ---- one request and its response -----------------------------------------------------------

  /** One request's trip: pick, borrow, send, relay the answer, retry when allowed. */
  final class Exchange implements UpstreamPool.Receiver {
    final Route route;
    final UpstreamCluster cluster;
    final HttpRequest request;
    final boolean idempotent;
    final long startNanos = System.nanoTime();
    final List<HttpContent> held = new ArrayList<>(); // body kept for a retry, or until connected
    int heldBytes;
    boolean bodyTooLargeToRetry;
    boolean requestComplete; // the client's LastHttpContent arrived
    int attempts;
    Endpoint endpoint;
    Channel upstream;
    boolean reused;
    boolean responseStarted;
    boolean informational; // a 1xx (not 101) answer is being passed on; the real one follows
    boolean upgraded; // answered 101: the connections become a byte relay
    boolean upstreamWantsClose;
    int status;
    boolean ended; // the pick was reported or released: nothing may end it again
    long deadlineNanos;

    Exchange(Route route, HttpRequest request) {
      this.route = route;
      this.cluster = route == null ? null : route.cluster();
      this.request = request;
      HttpMethod m = request.method();
      this.idempotent =
          m == HttpMethod.GET
              || m == HttpMethod.HEAD
              || m == HttpMethod.OPTIONS
              || m == HttpMethod.PUT
              || m == HttpMethod.DELETE
              || m == HttpMethod.TRACE;
    }

    void start() {
      if (route == null) {
        fail(HttpResponseStatus.SERVICE_UNAVAILABLE, "no route", null);
        return;
      }
      deadlineNanos = startNanos + settings.requestTimeout().toNanos();
      armRequestTimer();
      attempt(null);
    }

    private void attempt(Endpoint exclude) {
      attempts++;
      Endpoint e = cluster.pick(clientIp, route.listener().affinity(), exclude);
      if (e == null) {
        fail(HttpResponseStatus.SERVICE_UNAVAILABLE, cluster.problem(), null);
        return;
      }
      endpoint = e;
      pool.acquire(e, this);
    }

    /** From the pool: a connection to {@link #endpoint}, new or reused. */
    @Override
    public void connected(Channel ch, boolean wasReused) {
      if (ended) {
        pool.release(endpoint, ch, false); // the pick itself was ended with the exchange
        return;
      }
      upstream = ch;
      reused = wasReused;
      // The request line and headers are not reference counted: a retry sends them again.
      ch.write(request, ch.voidPromise());
      for (HttpContent c : held) {
        ch.write(c.retainedDuplicate(), ch.voidPromise());
      }
      if (!canRetry()) {
        releaseHeld();
      }
      ch.flush();
      if (!ch.isWritable()) {
        inbound.config().setAutoRead(false);
      } else if (!requestComplete) {
        inbound.config().setAutoRead(true); // reads may have paused while connecting
      }
    }

    /** From the pool: no connection to {@link #endpoint}. */
    @Override
    public void connectFailed(Throwable cause) {
      if (ended) {
        return; // the pick was ended with the exchange
      }
      cluster.stats().connectFailures.increment();
      cluster.report(endpoint, Outcome.CONNECT_FAILURE, null);
      Endpoint failed = endpoint;
      endpoint = null;
      // Nothing was sent, and the body so far is held: any method may go elsewhere.
      if (attempts < settings.connectAttempts()) {
        cluster.stats().retries.increment();
        attempt(failed);
        return;
      }
      fail(
          HttpResponseStatus.SERVICE_UNAVAILABLE,
          "upstream connect error: " + failed + ": " + cause.getMessage(),
          null);
    }

    void requestContent(HttpContent c) {
      boolean last = c instanceof LastHttpContent;
      if (last) {
        requestComplete = true; // a next request waits in pipelined until this one's answer
      }
      if (upstream == null || canRetry()) {
        held.add(c);
        heldBytes += c.content().readableBytes();
        if (heldBytes > RETRY_BODY_LIMIT) {
          bodyTooLargeToRetry = true;
          if (upstream == null) {
            inbound.config().setAutoRead(false); // wait for the connection, then stream
          }
        }
        if (upstream != null) {
          upstream.writeAndFlush(c.retainedDuplicate(), upstream.voidPromise());
          if (!canRetry()) {
            releaseHeld();
          }
        }
      } else {
        upstream.writeAndFlush(c, upstream.voidPromise());
      }
      if (upstream != null && !upstream.isWritable()) {
        inbound.config().setAutoRead(false);
      }
    }

    private boolean canRetry() {
      return idempotent && !bodyTooLargeToRetry;
    }

    private void releaseHeld() {
      for (HttpContent c : held) {
        c.release();
      }
      held.clear();
    }

    /** From the upstream connection: the response, its body, its end. */
    @Override
    public void read(HttpObject msg) {
      if (ended) {
        ReferenceCountUtil.release(msg);
        return;
      }
      if (msg instanceof HttpResponse r) {
        int code = r.status().code();
        if (!responseStarted && (code == 502 || code == 503) && retryAllowed()) {
          ReferenceCountUtil.release(msg);
          retryAfterAnswer(Outcome.FAILURE, "status " + code);
          return;
        }
        if (code >= 100 && code < 200 && code != 101) {
          // informational (100 Continue): pass it on; the real answer follows
          responseStarted = true;
          informational = true;
          inbound.writeAndFlush(r, inbound.voidPromise());
          return;
        }
        responseStarted = true;
        informational = false;
        status = code;
        HttpHeaders h = r.headers();
        if (code == 101) {
          upgraded = true;
        } else {
          upstreamWantsClose = !HttpUtil.isKeepAlive(r); // before its Connection header goes
          for (String name : hopByHop(h)) {
            h.remove(name);
          }
          h.remove(HttpHeaderNames.CONNECTION);
          h.remove("Keep-Alive");
          if (clientVersion.equals(HttpVersion.HTTP_1_0) && HttpUtil.isTransferEncodingChunked(r)) {
            // No chunked framing towards an HTTP/1.0 client: the body ends with the connection.
            HttpUtil.setTransferEncodingChunked(r, false);
            closeAfterResponse = true;
          }
          if (closeAfterResponse) {
            h.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
          }
        }
        r.setProtocolVersion(HttpVersion.HTTP_1_1);
        inbound.write(r, inbound.voidPromise());
        if (msg instanceof HttpContent c) {
          content(c);
        }
        return;
      }
      if (msg instanceof HttpContent c) {
        if (informational) {
          c.release(); // the empty end of a 100 Continue
          if (c instanceof LastHttpContent) {
            informational = false;
          }
          return;
        }
        content(c);
      } else {
        ReferenceCountUtil.release(msg);
      }
    }

    private void content(HttpContent c) {
      boolean last = c instanceof LastHttpContent;
      if (!last) {
        inbound.write(c, inbound.voidPromise());
        if (!inbound.isWritable()) {
          upstream.config().setAutoRead(false);
        }
        return;
      }
      inbound.writeAndFlush(c, inbound.voidPromise());
      if (upgraded) {
        switchToRelay();
        return;
      }
      complete();
    }

    @Override
    public void readComplete() {
      if (!ended) {
        inbound.flush();
      }
    }

    @Override
    public void writabilityChanged(Channel ch) {
      if (ch.isWritable() && !ended && !requestComplete) {
        inbound.config().setAutoRead(true);
      }
    }

    private boolean retryAllowed() {
      return canRetry()
          && requestComplete
          && attempts < settings.connectAttempts()
          && cluster.retryBudget().tryWithdraw();
    }

    private void retryAfterAnswer(Outcome outcome, String why) {
      log.debug("retrying {} {} after {} from {}", request.method(), request.uri(), why, endpoint);
      cluster.report(endpoint, outcome, Duration.ofNanos(System.nanoTime() - startNanos));
      cluster.stats().retries.increment();
      pool.release(endpoint, upstream, false);
      Endpoint failed = endpoint;
      upstream = null;
      endpoint = null;
      attempt(failed);
    }

    /** From the pool: the upstream connection closed or failed. */
    @Override
    public void closed(Throwable cause) {
      if (ended) {
        return;
      }
      if (upgraded) {
        return; // the relay owns both connections now
      }
      upstream = null;
      if (!responseStarted && canRetry() && requestComplete) {
        // A kept-alive connection closed under us (the endpoint restarting or idling it out):
        // nothing was answered, so the request may go elsewhere. A reused connection is the
        // usual race and does not spend the budget.
        if (attempts < settings.connectAttempts() + (reused ? 1 : 0)
            && (reused || cluster.retryBudget().tryWithdraw())) {
          cluster.report(endpoint, reused ? Outcome.TIMEOUT : Outcome.FAILURE, null);
          cluster.stats().retries.increment();
          Endpoint failed = endpoint;
          endpoint = null;
          attempt(reused ? null : failed);
          return;
        }
      }
      if (responseStarted) {
        // Cut off mid-answer: the client cannot be told otherwise.
        end(Outcome.FAILURE, 0);
        inbound.close();
      } else {
        fail(
            HttpResponseStatus.BAD_GATEWAY,
            "upstream " + endpoint + " closed the connection before answering",
            Outcome.FAILURE);
      }
    }

    private void complete() {
      Outcome o = status >= 500 ? Outcome.FAILURE : Outcome.SUCCESS;
      boolean keep = requestComplete && !upstreamWantsClose && cluster.accepts(endpoint);
      Channel up = upstream;
      upstream = null;
      Endpoint e = endpoint;
      end(o, status);
      pool.release(e, up, keep);
      finished(this);
    }

    private void end(Outcome outcome, int code) {
      if (ended) {
        return;
      }
      ended = true;
      releaseHeld();
      if (endpoint != null) {
        long took = System.nanoTime() - startNanos;
        cluster.report(endpoint, outcome, Duration.ofNanos(took));
        cluster.stats().latency.record(took);
      }
      if (cluster != null) {
        cluster.stats().response(code);
        cluster.retryBudget().deposit();
      }
    }

    void timedOut() {
      if (ended) {
        return;
      }
      if (responseStarted) {
        end(Outcome.TIMEOUT, 0);
        closeUpstream();
        inbound.close();
        return;
      }
      fail(
          HttpResponseStatus.GATEWAY_TIMEOUT,
          "upstream " + endpoint + " did not answer within " + settings.requestTimeout(),
          Outcome.TIMEOUT);
    }

    /** Answers the client with an error and ends the exchange. */
    private void fail(HttpResponseStatus st, String why, Outcome outcome) {
      if (ended) {
        return;
      }
      closeUpstream();
      if (outcome == null && endpoint != null) {
        cluster.release(endpoint);
        endpoint = null;
      }
      if (outcome == null) {
        ended = true;
        releaseHeld();
        if (cluster != null) {
          cluster.stats().response(st.code());
        }
      } else {
        end(outcome, st.code());
      }
      current = null; // later body parts of this request are dropped
      sendError(st, why);
    }

    void abort(Outcome outcome) {
      if (ended) {
        return;
      }
      closeUpstream();
      if (endpoint != null) {
        end(outcome, 0);
      } else {
        ended = true;
        releaseHeld();
      }
      current = null;
    }

    private void closeUpstream() {
      if (upstream != null) {
        pool.release(endpoint, upstream, false);
        upstream = null;
      }
    }

    private void switchToRelay() {
      Channel up = upstream;
      upstream = null;
      end(Outcome.SUCCESS, 101);
      current = null;
      WebSocketRelay.join(inbound, up);
    }
  }
}
