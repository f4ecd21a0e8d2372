package io.meridian.proxy.http2;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.DefaultHttp2HeadersFrame;
import io.netty.handler.codec.http2.Http2DataFrame;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2HeadersFrame;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.Http2StreamChannelBootstrap;
import io.netty.handler.codec.http2.Http2StreamFrame;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * A minimal h2c (prior knowledge) client for tests: one connection, one GET per call, the whole
 * answer collected. Netty's own codec, so the proxy is spoken to as a real HTTP/2 peer would.
 *
 * <p>Thread-safety: {@link #get} may be called from any thread; each call has its own stream.
 */
final class H2cClient implements AutoCloseable {

  /** A complete answer. */
  record Response(Http2Headers headers, String body) {
    int status() {
      return Integer.parseInt(headers.status().toString());
    }
  }

  private final Channel channel;

  H2cClient(EventLoopGroup group, int port) throws InterruptedException {
    channel =
        new Bootstrap()
            .group(group)
            .channel(NioSocketChannel.class)
            .handler(
                new ChannelInitializer<Channel>() {
                  @Override
                  protected void initChannel(Channel ch) {
                    ch.pipeline()
                        .addLast(Http2FrameCodecBuilder.forClient().build())
                        .addLast(
                            new Http2MultiplexHandler(
                                new SimpleChannelInboundHandler<Object>() {
                                  @Override
                                  protected void channelRead0(
                                      ChannelHandlerContext ctx, Object m) {}
                                }));
                  }
                })
            .connect("127.0.0.1", port)
            .sync()
            .channel();
  }

  /** GETs {@code path} and waits for the whole answer. */
  Response get(String path) throws Exception {
    CompletableFuture<Response> done = new CompletableFuture<>();
    Http2StreamChannel s =
        new Http2StreamChannelBootstrap(channel)
            .handler(
                new SimpleChannelInboundHandler<Http2StreamFrame>() {
                  Http2Headers headers;
                  final StringBuilder body = new StringBuilder();

                  @Override
                  protected void channelRead0(ChannelHandlerContext ctx, Http2StreamFrame f) {
                    boolean end = false;
                    if (f instanceof Http2HeadersFrame h) {
                      if (headers == null) {
                        headers = h.headers();
                      }
                      end = h.isEndStream();
                    } else if (f instanceof Http2DataFrame d) {
                      ByteBuf b = d.content();
                      body.append(b.toString(StandardCharsets.UTF_8));
                      end = d.isEndStream();
                    }
                    if (end) {
                      done.complete(new Response(headers, body.toString()));
                    }
                  }

                  @Override
                  public void channelInactive(ChannelHandlerContext ctx) {
                    done.completeExceptionally(new IllegalStateException("stream closed"));
                  }
                })
            .open()
            .sync()
            .getNow();
    Http2Headers h =
        new DefaultHttp2Headers().method("GET").scheme("http").authority("test").path(path);
    s.writeAndFlush(new DefaultHttp2HeadersFrame(h, true)).sync();
    return done.get(10, TimeUnit.SECONDS);
  }

  @Override
  public void close() {
    channel.close().syncUninterruptibly();
  }
}
