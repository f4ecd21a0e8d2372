package io.meridian.proxy.http2;

import io.meridian.client.Endpoint;
import io.meridian.proxy.ProxySettings;
import io.meridian.proxy.Transport;
import io.meridian.proxy.cluster.ClusterStats;
import io.meridian.proxy.cluster.UpstreamCluster;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http2.DefaultHttp2WindowUpdateFrame;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2GoAwayFrame;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.codec.http2.Http2SettingsFrame;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.FastThreadLocal;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Multiplexed HTTP/2 (h2c, prior knowledge) connections to endpoints, one pool per event loop so
 * that a request and its upstream stream share a thread and lending takes no lock. A request is
 * lent the oldest connection to its endpoint with a free stream; a new connection is opened only
 * when every one is full, so a handful of connections per endpoint and loop carry everything.
 *
 * <p>Thread-safety: confined to its event loop.
 */
final class Http2UpstreamPool {

  private static final Logger log = LoggerFactory.getLogger(Http2UpstreamPool.class);

  /** Stream-level receive window towards endpoints (SETTINGS_INITIAL_WINDOW_SIZE). */
  static final int STREAM_WINDOW = 256 * 1024;

  /** Connection-level receive window: four streams at full speed before a WINDOW_UPDATE. */
  static final int CONNECTION_WINDOW = 1024 * 1024;

  /** How often connections to endpoints that left are looked for (a map walk, no I/O). */
  static final int SWEEP_SECONDS = 1;

  private static final FastThreadLocal<Http2UpstreamPool> POOLS = new FastThreadLocal<>();

  private static final ChannelHandler REFUSE_PUSH =
      new ChannelInitializer<Channel>() {
        @Override
        protected void initChannel(Channel ch) {
          ch.close(); // push is disabled in our SETTINGS; a stream the server opens is refused
        }
      };

  private final EventLoop loop;
  private final Transport transport;
  private final ProxySettings settings;
  private final Map<Endpoint, List<UpstreamConnection>> connections = new HashMap<>();

  private Http2UpstreamPool(EventLoop loop, Transport transport, ProxySettings settings) {
    this.loop = loop;
    this.transport = transport;
    this.settings = settings;
  }

  /** The pool of {@code loop}; call on that loop. */
  static Http2UpstreamPool of(EventLoop loop, Transport transport, ProxySettings settings) {
    Http2UpstreamPool p = POOLS.get();
    if (p == null || p.loop != loop) {
      p = new Http2UpstreamPool(loop, transport, settings);
      POOLS.set(p);
      loop.scheduleWithFixedDelay(p::sweep, SWEEP_SECONDS, SWEEP_SECONDS, TimeUnit.SECONDS);
    }
    return p;
  }

  /**
   * Lends {@code w} a stream on a connection to {@code e}, connecting first when needed; {@code
   * cluster} is told of the connection and later asked whether {@code e} still takes requests.
   */
  void acquire(Endpoint e, UpstreamCluster cluster, UpstreamConnection.Waiter w) {
    List<UpstreamConnection> list = connections.computeIfAbsent(e, k -> new ArrayList<>(2));
    for (UpstreamConnection c : list) {
      if (c.tryLend(w)) {
        return;
      }
    }
    UpstreamConnection c = connect(e, cluster);
    list.add(c);
    c.tryLend(w);
  }

  /** Connections open now, for the dump and tests. */
  int connectionCount() {
    int n = 0;
    for (List<UpstreamConnection> l : connections.values()) {
      n += l.size();
    }
    return n;
  }

  /**
   * Drains the connections whose endpoint left its cluster or drains: they close once their last
   * stream ends (an idle one at once), so an endpoint that stopped getting requests does not keep a
   * connection until the idle timeout.
   */
  private void sweep() {
    List<UpstreamConnection> gone = new ArrayList<>();
    for (List<UpstreamConnection> l : connections.values()) {
      for (UpstreamConnection c : l) {
        if (!c.cluster().accepts(c.endpoint())) {
          gone.add(c);
        }
      }
    }
    for (UpstreamConnection c : gone) {
      c.drain(); // may close, which edits the map: hence the copy
    }
  }

  private UpstreamConnection connect(Endpoint e, UpstreamCluster cluster) {
    ClusterStats stats = cluster.stats();
    Events events = new Events();
    events.stats = stats;
    // No CONNECT_TIMEOUT_MILLIS: the connection's own deadline covers the connect and the SETTINGS.
    Bootstrap b =
        new Bootstrap()
            .group(loop)
            .channel(transport.socketChannel())
            .option(ChannelOption.TCP_NODELAY, true)
            .handler(
                new ChannelInitializer<Channel>() {
                  @Override
                  protected void initChannel(Channel ch) {
                    ch.pipeline()
                        .addLast(
                            new IdleStateHandler(
                                0, 0, settings.httpIdleTimeout().toMillis(), TimeUnit.MILLISECONDS))
                        .addLast(
                            Http2FrameCodecBuilder.forClient()
                                .initialSettings(
                                    Http2Settings.defaultSettings()
                                        .pushEnabled(false)
                                        .initialWindowSize(STREAM_WINDOW)
                                        .maxHeaderListSize(settings.maxHeaderSize()))
                                .gracefulShutdownTimeoutMillis(1000)
                                .build())
                        .addLast(new Http2MultiplexHandler(REFUSE_PUSH))
                        .addLast(events);
                  }
                });
    Channel ch = b.register().channel();
    UpstreamConnection c = new UpstreamConnection(e, cluster, ch);
    events.connection = c;
    ch.closeFuture()
        .addListener(
            f -> {
              c.closed();
              List<UpstreamConnection> l = connections.get(e);
              if (l != null && l.remove(c) && l.isEmpty()) {
                connections.remove(e);
              }
            });
    c.startHandshakeTimer(settings.connectTimeout().toMillis());
    ch.connect(e.socketAddress())
        .addListener(
            (ChannelFutureListener)
                f -> {
                  if (!f.isSuccess()) {
                    c.connectFailed(f.cause()); // before close(), which would fail them vaguely
                    ch.close();
                  }
                });
    return c;
  }

  /** The last handler of a connection: the endpoint's SETTINGS, GOAWAY, idleness, errors. */
  private static final class Events extends ChannelInboundHandlerAdapter {
    UpstreamConnection connection;
    ClusterStats stats;

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
      // The codec before us has written the preface and our SETTINGS; streams wait for the
      // endpoint's SETTINGS (see UpstreamConnection).
      stats.activeConnections.increment();
      ctx.channel().closeFuture().addListener(x -> stats.activeConnections.decrement());
      ctx.writeAndFlush(new DefaultHttp2WindowUpdateFrame(CONNECTION_WINDOW - 65_535));
      ctx.fireChannelActive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      if (msg instanceof Http2SettingsFrame) {
        connection.settingsReceived(); // the first one makes it ready
      } else if (msg instanceof Http2GoAwayFrame) {
        connection.goAwayReceived();
      }
      ReferenceCountUtil.release(msg); // SETTINGS, PING acks, GOAWAY: handled by the codec
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
      if (evt instanceof IdleStateEvent) {
        if (connection.unused()) {
          ctx.close();
        }
        return;
      }
      ReferenceCountUtil.release(evt);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      log.debug("h2 upstream connection {}: {}", ctx.channel(), cause.toString());
      ctx.close();
    }
  }
}
