package io.meridian.proxy.http2;

import io.meridian.proxy.ProxySettings;
import io.meridian.proxy.Route;
import io.meridian.proxy.Transport;
import io.meridian.proxy.tcp.ProxyHeaders;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.socket.ChannelInputShutdownReadComplete;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.haproxy.HAProxyMessage;
import io.netty.handler.codec.http2.DefaultHttp2WindowUpdateFrame;
import io.netty.handler.codec.http2.Http2FrameCodec;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.ReferenceCountUtil;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An HTTP/2 cleartext (h2c, prior knowledge) and gRPC reverse proxy for one client connection,
 * balancing per request: a long-lived gRPC channel to the proxy does not pin one endpoint, each
 * call picks its own.
 *
 * <p>Design: Netty's {@link Http2FrameCodec} and {@link Http2MultiplexHandler} on both sides. Each
 * client stream gets a child channel whose {@link StreamRelay} picks an endpoint and opens a stream
 * on a connection to it lent by the event loop's {@link Http2UpstreamPool}; frames are copied
 * between the two stream channels. Child channels give per-stream flow control for free: a stream
 * that is not read sends no WINDOW_UPDATE, so backpressure is a matter of {@code autoRead} on the
 * two stream channels, exactly as in a TCP relay. A frame-level design (one handler, stream ids
 * mapped by hand) would save a channel object per stream but re-implement that bookkeeping.
 *
 * <p>The pipeline: [PROXY protocol decoder], idle timeout, frame codec (server), multiplexer, and
 * this handler last, which takes the client's address (from the socket or the PROXY header), turns
 * reading on, widens the connection window and closes the connection when idle with no stream open
 * (GOAWAY first). Only prior knowledge is spoken; an HTTP/1.1 client is answered with a GOAWAY by
 * the codec.
 *
 * <p>Thread-safety: everything for one client connection, its streams and their upstream streams
 * runs on the client connection's event loop; {@link ClientAddress} is confined to it too.
 */
public final class Http2Proxy extends ChannelInboundHandlerAdapter {

  private static final Logger log = LoggerFactory.getLogger(Http2Proxy.class);

  /** Streams a client may open at once (SETTINGS_MAX_CONCURRENT_STREAMS). */
  static final int MAX_CLIENT_STREAMS = 1000;

  /**
   * RST_STREAM frames a client may send per {@value #RST_WINDOW_SECONDS} s before its connection is
   * closed (ENHANCE_YOUR_CALM). Netty's default (200 per 30 s) guards against the "rapid reset"
   * attack (CVE-2023-44487), but a proxy in front of gRPC clients sees honest resets in bulk: every
   * call that hits its deadline or is cancelled ends with one, and a slow endpoint can make a
   * channel with hundreds of calls in flight cancel them all within seconds; past the limit the
   * proxy would kill every other call on the connection too. Ten times the concurrent streams per
   * 10 s still bounds a rapid-reset client to ~1,000 streams a second.
   */
  static final int MAX_RST_PER_WINDOW = 10 * MAX_CLIENT_STREAMS;

  static final int RST_WINDOW_SECONDS = 10;

  private final ClientAddress client;

  private Http2Proxy(ClientAddress client) {
    this.client = client;
  }

  /** Sets up {@code ch}'s pipeline (after any PROXY protocol decoder) to proxy h2c and gRPC. */
  public static void init(
      SocketChannel ch, Supplier<Route> routes, ProxySettings settings, Transport transport) {
    Http2UpstreamPool pool = Http2UpstreamPool.of(ch.eventLoop(), transport, settings);
    ClientAddress client = new ClientAddress();
    ch.pipeline()
        .addLast(
            new IdleStateHandler(
                0, 0, settings.httpIdleTimeout().toMillis(), TimeUnit.MILLISECONDS))
        .addLast(
            Http2FrameCodecBuilder.forServer()
                .initialSettings(
                    Http2Settings.defaultSettings()
                        .maxConcurrentStreams(MAX_CLIENT_STREAMS)
                        .initialWindowSize(Http2UpstreamPool.STREAM_WINDOW)
                        .maxHeaderListSize(settings.maxHeaderSize()))
                .gracefulShutdownTimeoutMillis(1000)
                .decoderEnforceMaxRstFramesPerWindow(MAX_RST_PER_WINDOW, RST_WINDOW_SECONDS)
                .build())
        .addLast(
            new Http2MultiplexHandler(
                new ChannelInitializer<Http2StreamChannel>() {
                  @Override
                  protected void initChannel(Http2StreamChannel s) {
                    s.pipeline()
                        .addLast(new StreamRelay(routes, settings, pool, client, System::nanoTime));
                  }
                }))
        .addLast(new Http2Proxy(client));
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) {
    Channel ch = ctx.channel();
    client.set(((InetSocketAddress) ch.remoteAddress()).getAddress());
    ctx.write(
        new DefaultHttp2WindowUpdateFrame(Http2UpstreamPool.CONNECTION_WINDOW - 65_535),
        ctx.voidPromise());
    ctx.flush();
    ch.config().setAutoRead(true);
    ctx.fireChannelActive();
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (msg instanceof HAProxyMessage m) {
      InetSocketAddress named = ProxyHeaders.source(m);
      if (named != null) {
        client.set(named.getAddress());
      }
    }
    ReferenceCountUtil.release(msg); // connection-level frames: the codec acted on them
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
    if (evt instanceof IdleStateEvent) {
      Http2FrameCodec codec = ctx.pipeline().get(Http2FrameCodec.class);
      if (codec == null || codec.connection().numActiveStreams() == 0) {
        ctx.close();
      }
      return;
    }
    if (evt instanceof ChannelInputShutdownReadComplete) {
      // The listener allows half-closure (for TCP relays); an HTTP/2 client that sent FIN is gone.
      ctx.close();
      return;
    }
    ReferenceCountUtil.release(evt);
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    log.debug("h2 client connection {}: {}", ctx.channel(), cause.toString());
    ctx.close();
  }

  /** The client's address as the proxy tells endpoints and picks by. Event-loop confined. */
  static final class ClientAddress {
    private InetAddress ip;
    private String text = "";

    void set(InetAddress a) {
      ip = a;
      text = a.getHostAddress();
    }

    InetAddress ip() {
      return ip;
    }

    String text() {
      return text;
    }
  }
}
