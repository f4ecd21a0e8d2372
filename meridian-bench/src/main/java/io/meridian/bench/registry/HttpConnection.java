package io.meridian.bench.registry;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpVersion;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.concurrent.CompletableFuture;

/**
 * One keep-alive HTTP/1.1 connection that carries one request at a time (no pipelining): a request
 * made while another is in flight waits in a queue and its latency includes the wait.
 *
 * <p>Thread-safety: {@link #request} from any thread; the queue is confined to the channel's event
 * loop. Futures complete on that event loop.
 */
final class HttpConnection {

  /** A response: the status, and the body when asked for or when it is an error. */
  record Response(int status, String body) {}

  private record Pending(
      FullHttpRequest request, boolean wantBody, CompletableFuture<Response> result) {}

  private final Channel channel;
  private final String host;
  private final ArrayDeque<Pending> queue = new ArrayDeque<>(); // event loop only
  private Pending inFlight; // event loop only

  private HttpConnection(Channel channel, String host) {
    this.channel = channel;
    this.host = host;
  }

  /** Connects; blocks at most the bootstrap's connect timeout. */
  static HttpConnection open(Bootstrap bootstrap, InetSocketAddress address) throws IOException {
    HttpConnection[] self = new HttpConnection[1];
    Bootstrap b =
        bootstrap
            .clone()
            .handler(
                new ChannelInitializer<Channel>() {
                  @Override
                  protected void initChannel(Channel ch) {
                    ch.pipeline()
                        .addLast(new HttpClientCodec())
                        .addLast(new HttpObjectAggregator(1 << 20))
                        .addLast(new Handler(self));
                  }
                });
    var f = b.connect(address).awaitUninterruptibly();
    if (!f.isSuccess()) {
      throw new IOException("cannot connect to " + address, f.cause());
    }
    HttpConnection c =
        new HttpConnection(f.channel(), address.getHostString() + ":" + address.getPort());
    self[0] = c;
    return c;
  }

  /** A GET whose response body is kept. */
  CompletableFuture<Response> get(String uri) {
    return request(HttpMethod.GET, uri, null, true);
  }

  /** A request whose response body is kept only when the status is an error. */
  CompletableFuture<Response> request(HttpMethod method, String uri, byte[] body) {
    return request(method, uri, body, false);
  }

  private CompletableFuture<Response> request(
      HttpMethod method, String uri, byte[] body, boolean wantBody) {
    FullHttpRequest req =
        new DefaultFullHttpRequest(
            HttpVersion.HTTP_1_1,
            method,
            uri,
            body == null ? Unpooled.EMPTY_BUFFER : Unpooled.wrappedBuffer(body));
    req.headers().set(HttpHeaderNames.HOST, host);
    req.headers().set(HttpHeaderNames.CONTENT_LENGTH, body == null ? 0 : body.length);
    if (body != null) {
      req.headers().set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON);
    }
    CompletableFuture<Response> result = new CompletableFuture<>();
    Pending p = new Pending(req, wantBody, result);
    if (channel.eventLoop().inEventLoop()) {
      enqueue(p);
    } else {
      channel.eventLoop().execute(() -> enqueue(p));
    }
    return result;
  }

  void close() {
    channel.close().awaitUninterruptibly(2_000);
  }

  private void enqueue(Pending p) {
    if (!channel.isActive()) {
      p.request.release();
      p.result.completeExceptionally(new IOException("connection closed"));
      return;
    }
    queue.add(p);
    sendNext();
  }

  private void sendNext() {
    if (inFlight != null || queue.isEmpty()) {
      return;
    }
    inFlight = queue.poll();
    channel.writeAndFlush(inFlight.request);
  }

  private void onResponse(FullHttpResponse res) {
    Pending p = inFlight;
    inFlight = null;
    if (p != null) {
      int status = res.status().code();
      String body =
          status >= 300 || p.wantBody ? res.content().toString(StandardCharsets.UTF_8) : null;
      p.result.complete(new Response(status, body));
    }
    sendNext();
  }

  private void onClosed() {
    IOException closed = new IOException("connection closed by the server");
    if (inFlight != null) {
      inFlight.result.completeExceptionally(closed);
      inFlight = null;
    }
    Pending p;
    while ((p = queue.poll()) != null) {
      p.request.release();
      p.result.completeExceptionally(closed);
    }
  }

  /** The pipeline's last handler. Runs on the event loop. */
  private static final class Handler extends SimpleChannelInboundHandler<FullHttpResponse> {
    private final HttpConnection[] owner;

    Handler(HttpConnection[] owner) {
      this.owner = owner;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpResponse res) {
      owner[0].onResponse(res);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
      if (owner[0] != null) {
        owner[0].onClosed();
      }
      ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      ctx.close();
    }
  }
}
