package io.meridian.registry.http;

import io.meridian.api.ApiError;
import io.meridian.registry.resource.Resources;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpServerUpgradeHandler;
import io.netty.handler.codec.http2.CleartextHttp2ServerUpgradeHandler;
import io.netty.handler.codec.http2.Http2CodecUtil;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2ServerUpgradeCodec;
import io.netty.handler.codec.http2.Http2StreamFrameToHttpObjectCodec;
import io.netty.util.AsciiString;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.function.BooleanSupplier;

/**
 * The registry's HTTP API on Netty: HTTP/1.1 with keep-alive, and HTTP/2 cleartext both by upgrade
 * and by prior knowledge. Each connection (or HTTP/2 stream) gets an aggregating pipeline that caps
 * bodies at {@code maxRequestBytes} (413 with a JSON body) and an {@link ApiHandler}. Native epoll
 * when available.
 *
 * <p>Thread-safety: start/close from one thread; handlers run on their channels' event loops.
 */
public final class ApiServer implements AutoCloseable {

  private static final int MAX_HEADER_BYTES = 16 * 1024;

  private final ApiContext api;
  private final int maxRequestBytes;
  private EventLoopGroup group;
  private Channel channel;
  private ChannelGroup connections;

  public ApiServer(
      Resources resources,
      ApiMetrics metrics,
      BooleanSupplier readiness,
      Duration bookmarkInterval,
      int maxRequestBytes) {
    this.api =
        new ApiContext(
            resources,
            metrics,
            readiness,
            bookmarkInterval,
            new EventLines(resources.codec()),
            java.util.concurrent.ConcurrentHashMap.newKeySet());
    this.maxRequestBytes = maxRequestBytes;
  }

  /** Binds; blocks until bound. */
  public InetSocketAddress bind(String host, int port) throws InterruptedException {
    boolean epoll = Epoll.isAvailable();
    group =
        new MultiThreadIoEventLoopGroup(
            0, epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory());
    connections = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);
    ServerBootstrap b =
        new ServerBootstrap()
            .group(group)
            .channel(epoll ? EpollServerSocketChannel.class : NioServerSocketChannel.class)
            .option(ChannelOption.SO_BACKLOG, 1024)
            .option(ChannelOption.SO_REUSEADDR, true)
            .childOption(ChannelOption.TCP_NODELAY, true)
            .childHandler(
                new ChannelInitializer<SocketChannel>() {
                  @Override
                  protected void initChannel(SocketChannel ch) {
                    connections.add(ch);
                    configure(ch.pipeline());
                  }
                });
    channel = b.bind(host, port).sync().channel();
    return (InetSocketAddress) channel.localAddress();
  }

  private void configure(ChannelPipeline p) {
    HttpServerCodec codec = new HttpServerCodec(4096, MAX_HEADER_BYTES, 8192);
    HttpServerUpgradeHandler upgrade =
        new HttpServerUpgradeHandler(
            codec,
            protocol ->
                AsciiString.contentEquals(Http2CodecUtil.HTTP_UPGRADE_PROTOCOL_NAME, protocol)
                    ? new Http2ServerUpgradeCodec(
                        Http2FrameCodecBuilder.forServer().build(),
                        new Http2MultiplexHandler(streamInit()))
                    : null,
            maxRequestBytes);
    p.addLast(
        new CleartextHttp2ServerUpgradeHandler(
            codec,
            upgrade,
            new ChannelInitializer<Channel>() {
              @Override
              protected void initChannel(Channel ch) {
                ch.pipeline()
                    .addLast(Http2FrameCodecBuilder.forServer().build())
                    .addLast(new Http2MultiplexHandler(streamInit()));
              }
            }));
    // Plain HTTP/1.1: once the first message shows no upgrade happened, install the API pipeline.
    p.addLast(
        new SimpleChannelInboundHandler<HttpMessage>() {
          @Override
          protected void channelRead0(ChannelHandlerContext ctx, HttpMessage msg) {
            ChannelPipeline pipeline = ctx.pipeline();
            pipeline.addAfter(ctx.name(), null, new ApiHandler(api));
            pipeline.addAfter(ctx.name(), null, new LimitedAggregator(maxRequestBytes));
            pipeline.remove(this);
            ctx.fireChannelRead(ReferenceCountUtil.retain(msg));
          }
        });
  }

  private ChannelInitializer<Channel> streamInit() {
    return new ChannelInitializer<>() {
      @Override
      protected void initChannel(Channel ch) {
        ch.pipeline()
            .addLast(new Http2StreamFrameToHttpObjectCodec(true))
            .addLast(new LimitedAggregator(maxRequestBytes))
            .addLast(new ApiHandler(api));
      }
    };
  }

  /**
   * Stops accepting, ends every watch with an ERROR line (so clients resume elsewhere or later
   * instead of waiting on a dead stream), closes every connection, then the event loops.
   */
  @Override
  public void close() {
    if (channel != null) {
      channel.close().syncUninterruptibly();
    }
    for (WatchStream w : api.watches()) {
      w.shutdown();
    }
    if (connections != null) {
      connections.close().awaitUninterruptibly(2, java.util.concurrent.TimeUnit.SECONDS);
    }
    if (group != null) {
      group.shutdownGracefully(0, 2, java.util.concurrent.TimeUnit.SECONDS).syncUninterruptibly();
    }
  }

  /** Aggregates bodies up to a limit; past it, answers 413 with a JSON error and drains. */
  static final class LimitedAggregator extends HttpObjectAggregator {
    private final int limit;

    LimitedAggregator(int limit) {
      super(limit);
      this.limit = limit;
    }

    @Override
    protected void handleOversizedMessage(ChannelHandlerContext ctx, HttpMessage oversized) {
      ApiError e =
          ApiError.of(
              413,
              "RequestEntityTooLarge",
              "request body is larger than the limit of " + limit + " bytes");
      Responses.errorAndDrain(ctx, e);
    }
  }
}
