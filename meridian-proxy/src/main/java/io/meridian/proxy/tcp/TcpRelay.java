package io.meridian.proxy.tcp;

import io.meridian.balancer.Outcome;
import io.meridian.client.Endpoint;
import io.meridian.proxy.ProxySettings;
import io.meridian.proxy.Route;
import io.meridian.proxy.Transport;
import io.meridian.proxy.cluster.UpstreamCluster;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.channel.socket.DuplexChannel;
import io.netty.handler.codec.haproxy.HAProxyMessage;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.ReferenceCountUtil;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Relays one client connection to one endpoint, byte for byte: Netty's HexDumpProxy pattern with
 * backpressure by writability (a side stops reading while the other cannot take more) and TCP
 * half-close carried across (a client's FIN becomes a FIN towards the endpoint, and the answer
 * still flows back).
 *
 * <p>The endpoint is picked when the client connects; a connect failure tries another endpoint, up
 * to {@link ProxySettings#connectAttempts()}, before the client is closed. The client's bytes wait
 * unread (auto-read is off) until the endpoint is connected.
 *
 * <p>Thread-safety: both channels run on the client's event loop; no state is shared.
 */
public final class TcpRelay extends ChannelInboundHandlerAdapter {

  private static final Logger log = LoggerFactory.getLogger(TcpRelay.class);

  private final Supplier<Route> routes;
  private final ProxySettings settings;
  private final Transport transport;
  private final boolean awaitProxyHeader;

  private Channel inbound;
  // Read before the endpoint was connected: epoll may deliver bytes and EOF (EPOLLRDHUP) even
  // with auto-read off, and a PROXY header may arrive with the first bytes behind it.
  private List<Object> pending = new ArrayList<>();
  private Channel outbound;
  private Route route;
  private Endpoint endpoint;
  private InetSocketAddress client; // as seen, or as a PROXY header said
  private long startNanos;
  private boolean inboundEof;
  private boolean outboundEof;
  private boolean ended;

  /**
   * @param awaitProxyHeader whether the client sends a PROXY protocol header first (a listener
   *     behind another load balancer): the endpoint is picked once it says who the client is
   */
  public TcpRelay(
      Supplier<Route> routes,
      ProxySettings settings,
      Transport transport,
      boolean awaitProxyHeader) {
    this.routes = routes;
    this.settings = settings;
    this.transport = transport;
    this.awaitProxyHeader = awaitProxyHeader;
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) {
    inbound = ctx.channel();
    client = (InetSocketAddress) inbound.remoteAddress();
    route = routes.get();
    if (route == null) {
      inbound.close();
      return;
    }
    if (awaitProxyHeader) {
      inbound.read(); // the decoder passes the header on, then connects
    } else {
      connect(1, null);
    }
  }

  private void connect(int attempt, Endpoint exclude) {
    UpstreamCluster cluster = route.cluster();
    Endpoint e = cluster.pick(client.getAddress(), route.listener().affinity(), exclude);
    if (e == null) {
      log.debug("{}: {}", route.listener().key(), cluster.problem());
      inbound.close();
      return;
    }
    endpoint = e;
    startNanos = System.nanoTime();
    Bootstrap b =
        new Bootstrap()
            .group(inbound.eventLoop())
            .channel(transport.socketChannel())
            .option(
                ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) settings.connectTimeout().toMillis())
            .option(ChannelOption.ALLOW_HALF_CLOSURE, true)
            .option(ChannelOption.TCP_NODELAY, true)
            .option(ChannelOption.AUTO_READ, false)
            .handler(new Backend());
    b.connect(e.socketAddress())
        .addListener(
            (ChannelFutureListener)
                f -> {
                  if (f.isSuccess()) {
                    connected(f.channel());
                    return;
                  }
                  cluster.stats().connectFailures.increment();
                  cluster.report(e, Outcome.CONNECT_FAILURE, null);
                  endpoint = null;
                  if (!inbound.isActive() || attempt >= settings.connectAttempts()) {
                    log.debug("{}: connect to {} failed", route.listener().key(), e, f.cause());
                    inbound.close();
                    return;
                  }
                  cluster.stats().retries.increment();
                  connect(attempt + 1, e);
                });
  }

  private void connected(Channel ch) {
    outbound = ch;
    route.cluster().stats().activeConnections.increment();
    if (!inbound.isActive()) {
      ch.close();
      end(Outcome.SUCCESS);
      return;
    }
    if (route.proxyProtocol() != 0) {
      ch.write(
          ProxyHeaders.header(
              route.proxyProtocol(), client, (InetSocketAddress) inbound.localAddress()));
    }
    for (Object m : pending) {
      ch.write(m, ch.voidPromise());
    }
    pending = null;
    ch.flush();
    if (inboundEof) {
      shutdownOutputWhenFlushed(ch);
    }
    ch.config().setAutoRead(true);
    if (!inboundEof) {
      // (reading a channel whose input already ended makes epoll close it, answer unsent)
      inbound.config().setAutoRead(true);
    }
  }

  /** From the client: the PROXY header (on a listener that accepts one), bytes, EOF. */
  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (msg instanceof HAProxyMessage m) {
      try {
        InetSocketAddress named = ProxyHeaders.source(m);
        if (named != null) {
          client = named;
        }
      } finally {
        m.release();
      }
      if (endpoint == null && outbound == null) {
        connect(1, null);
      }
      return;
    }
    if (outbound == null) {
      if (pending != null) {
        pending.add(msg); // no more reads until connected: the kernel buffers the rest
      } else {
        ReferenceCountUtil.release(msg);
      }
      return;
    }
    if (msg instanceof ByteBuf buf) {
      route.cluster().stats().bytesSent.add(buf.readableBytes());
    }
    outbound.write(msg, outbound.voidPromise());
    if (!outbound.isWritable()) {
      inbound.config().setAutoRead(false);
    }
  }

  @Override
  public void channelReadComplete(ChannelHandlerContext ctx) {
    if (outbound != null) {
      outbound.flush();
    } else if (awaitProxyHeader && pending != null && endpoint == null) {
      inbound.read(); // the PROXY header is not complete yet
    }
  }

  @Override
  public void channelWritabilityChanged(ChannelHandlerContext ctx) {
    if (outbound != null && inbound.isWritable() && !outboundEof) {
      outbound.config().setAutoRead(true);
    }
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
    if (evt instanceof ChannelInputShutdownEvent) {
      inboundEof = true;
      if (outbound != null && outbound.isActive()) {
        shutdownOutputWhenFlushed(outbound);
      } else if (outbound != null) {
        inbound.close();
      } // else: not connected yet; connected() carries the EOF over
    } else if (evt instanceof IdleStateEvent) {
      inbound.close();
    } else {
      ctx.fireUserEventTriggered(evt);
    }
  }

  /**
   * Sends a FIN on {@code ch} once every byte written to it so far has gone out: a shutdown fails
   * the writes still queued in the channel's outbound buffer.
   */
  private void shutdownOutputWhenFlushed(Channel ch) {
    ch.writeAndFlush(Unpooled.EMPTY_BUFFER)
        .addListener(
            (ChannelFutureListener)
                f -> {
                  if (f.isSuccess() && ch.isActive()) {
                    ((DuplexChannel) ch).shutdownOutput().addListener(x -> closeIfBothEof());
                  } else {
                    ch.close();
                  }
                });
  }

  private void closeIfBothEof() {
    if (inboundEof && outboundEof) {
      inbound.close();
      if (outbound != null) {
        outbound.close();
      }
    }
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    if (outbound != null) {
      flushAndClose(outbound);
    }
    if (pending != null) {
      pending.forEach(ReferenceCountUtil::release);
      pending = null;
    }
    end(Outcome.SUCCESS);
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    log.debug("client connection {}: {}", inbound, cause.toString());
    flushAndClose(inbound);
  }

  private void end(Outcome outcome) {
    if (ended || endpoint == null || outbound == null) {
      return;
    }
    ended = true;
    route.cluster().stats().activeConnections.decrement();
    route.cluster().report(endpoint, outcome, Duration.ofNanos(System.nanoTime() - startNanos));
  }

  private static void flushAndClose(Channel ch) {
    if (ch.isActive()) {
      ch.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
    }
  }

  /** The endpoint side: bytes back to the client, EOF, close. */
  private final class Backend extends ChannelInboundHandlerAdapter {

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      if (msg instanceof ByteBuf buf) {
        route.cluster().stats().bytesReceived.add(buf.readableBytes());
      }
      inbound.write(msg, inbound.voidPromise());
      if (!inbound.isWritable()) {
        outbound.config().setAutoRead(false);
      }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
      inbound.flush();
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
      if (outbound.isWritable() && !inboundEof) {
        inbound.config().setAutoRead(true);
      }
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
      if (evt instanceof ChannelInputShutdownEvent) {
        outboundEof = true;
        if (inbound.isActive()) {
          shutdownOutputWhenFlushed(inbound);
        }
      } else {
        ctx.fireUserEventTriggered(evt);
      }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
      flushAndClose(inbound);
      end(Outcome.SUCCESS);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      log.debug("endpoint connection {}: {}", ctx.channel(), cause.toString());
      flushAndClose(ctx.channel());
    }
  }
}
