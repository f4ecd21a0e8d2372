package io.meridian.proxy.http;

import io.meridian.client.Endpoint;
import io.meridian.proxy.ProxySettings;
import io.meridian.proxy.Transport;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.FastThreadLocal;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Keep-alive HTTP/1.1 connections to endpoints, one pool per event loop (so borrowing never crosses
 * threads or takes a lock): the most recently returned connection is lent first (warm, least likely
 * to have been idled out), and a connection whose endpoint closed it is dropped when it closes. A
 * borrower receives the connection's events through its {@link Receiver}.
 *
 * <p>Thread-safety: confined to its event loop.
 */
final class UpstreamPool {

  /** The most idle connections kept per endpoint per event loop. */
  static final int MAX_IDLE_PER_ENDPOINT = 256;

  private static final FastThreadLocal<UpstreamPool> POOLS = new FastThreadLocal<>();

  /** What a borrower is told about its connection. All calls come on the pool's event loop. */
  interface Receiver {
    void connected(Channel ch, boolean reused);

    void connectFailed(Throwable cause);

    void read(HttpObject msg);

    void readComplete();

    void writabilityChanged(Channel ch);

    void closed(Throwable cause);
  }

  private final EventLoop loop;
  private final Transport transport;
  private final ProxySettings settings;
  private final Map<Endpoint, ArrayDeque<Channel>> idle = new HashMap<>();

  private UpstreamPool(EventLoop loop, Transport transport, ProxySettings settings) {
    this.loop = loop;
    this.transport = transport;
    this.settings = settings;
  }

  /** The pool of {@code loop}; call on that loop. */
  static UpstreamPool of(EventLoop loop, Transport transport, ProxySettings settings) {
    UpstreamPool p = POOLS.get();
    if (p == null || p.loop != loop) {
      p = new UpstreamPool(loop, transport, settings);
      POOLS.set(p);
    }
    return p;
  }

  /** Lends a connection to {@code e}: an idle one, or a new one once connected. */
  void acquire(Endpoint e, Receiver r) {
    ArrayDeque<Channel> q = idle.get(e);
    if (q != null) {
      Channel ch;
      while ((ch = q.pollFirst()) != null) {
        if (ch.isActive()) {
          handler(ch).receiver = r;
          r.connected(ch, true);
          return;
        }
      }
    }
    Upstream h = new Upstream();
    h.receiver = r;
    new Bootstrap()
        .group(loop)
        .channel(transport.socketChannel())
        .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) settings.connectTimeout().toMillis())
        .option(ChannelOption.TCP_NODELAY, true)
        .handler(
            new ChannelInitializer<Channel>() {
              @Override
              protected void initChannel(Channel ch) {
                ch.pipeline()
                    .addLast("codec", new HttpClientCodec(4096, settings.maxHeaderSize(), 8192))
                    .addLast(
                        "idle",
                        new IdleStateHandler(
                            0, 0, settings.httpIdleTimeout().toMillis(), TimeUnit.MILLISECONDS))
                    .addLast("upstream", h);
              }
            })
        .connect(e.socketAddress())
        .addListener(
            (ChannelFutureListener)
                f -> {
                  Receiver rr = h.receiver;
                  if (rr == null) {
                    f.channel().close();
                    return;
                  }
                  if (f.isSuccess()) {
                    rr.connected(f.channel(), false);
                  } else {
                    h.receiver = null;
                    rr.connectFailed(f.cause());
                  }
                });
  }

  /**
   * Takes back a borrowed connection: idle for reuse when {@code keep} and still open, else closed.
   */
  void release(Endpoint e, Channel ch, boolean keep) {
    if (ch == null) {
      return;
    }
    Upstream h = handler(ch);
    if (h != null) {
      h.receiver = null;
    }
    if (!keep || !ch.isActive() || h == null) {
      ch.close();
      return;
    }
    ArrayDeque<Channel> q = idle.computeIfAbsent(e, k -> new ArrayDeque<>());
    if (q.size() >= MAX_IDLE_PER_ENDPOINT) {
      ch.close();
      return;
    }
    ch.config().setAutoRead(true);
    q.addFirst(ch);
  }

  /** Idle connections held now (for the dump). */
  int idleCount() {
    int n = 0;
    for (ArrayDeque<Channel> q : idle.values()) {
      n += q.size();
    }
    return n;
  }

  private static Upstream handler(Channel ch) {
    return (Upstream) ch.pipeline().get("upstream");
  }

  /** The last handler of an upstream connection: passes events to the borrower, if any. */
  private final class Upstream extends ChannelInboundHandlerAdapter {
    Receiver receiver;

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      Receiver r = receiver;
      if (r == null || !(msg instanceof HttpObject o)) {
        ReferenceCountUtil.release(msg);
        ctx.close(); // bytes on an idle connection: it cannot be trusted for reuse
        return;
      }
      r.read(o);
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
      Receiver r = receiver;
      if (r != null) {
        r.readComplete();
      }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
      Receiver r = receiver;
      if (r != null) {
        r.writabilityChanged(ctx.channel());
      }
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
      if (evt instanceof IdleStateEvent && receiver == null) {
        ctx.close();
        return;
      }
      ctx.fireUserEventTriggered(evt);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
      Receiver r = receiver;
      receiver = null;
      if (r != null) {
        r.closed(null);
      }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      ctx.close();
    }
  }
}
