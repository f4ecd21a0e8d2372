package io.meridian.registry.health;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http2.DefaultHttp2DataFrame;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.DefaultHttp2HeadersFrame;
import io.netty.handler.codec.http2.Http2DataFrame;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2HeadersFrame;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.util.ReferenceCountUtil;
import java.io.ByteArrayOutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A minimal gRPC health server (grpc.health.v1.Health/Check) over h2c with prior knowledge, on
 * 127.0.0.1, written independently of the prober: it answers each service name with the serving
 * status it was given (with an unknown extra field before it, as a newer server might send), an
 * unknown service with {@code grpc-status: 5} (NOT_FOUND) trailers-only, any other method with
 * {@code grpc-status: 12} (UNIMPLEMENTED).
 *
 * <p>Thread-safety: safe from any thread; handlers run on the given event loop group.
 */
final class GrpcHealthServer implements AutoCloseable {

  private final Map<String, Integer> statuses;
  private final List<Http2Headers> requests = new CopyOnWriteArrayList<>();
  private final List<String> services = new CopyOnWriteArrayList<>();
  private Channel server;

  private GrpcHealthServer(Map<String, Integer> statuses) {
    this.statuses = Map.copyOf(statuses);
  }

  static GrpcHealthServer start(EventLoopGroup group, Map<String, Integer> statuses)
      throws InterruptedException {
    GrpcHealthServer s = new GrpcHealthServer(statuses);
    s.server =
        new ServerBootstrap()
            .group(group)
            .channel(NioServerSocketChannel.class)
            .childHandler(
                new ChannelInitializer<SocketChannel>() {
                  @Override
                  protected void initChannel(SocketChannel ch) {
                    ch.pipeline()
                        .addLast(Http2FrameCodecBuilder.forServer().build())
                        .addLast(
                            new Http2MultiplexHandler(
                                new ChannelInitializer<Http2StreamChannel>() {
                                  @Override
                                  protected void initChannel(Http2StreamChannel stream) {
                                    stream.pipeline().addLast(s.new Call());
                                  }
                                }));
                  }
                })
            .bind(InetAddress.getLoopbackAddress(), 0)
            .sync()
            .channel();
    return s;
  }

  InetSocketAddress address() {
    return (InetSocketAddress) server.localAddress();
  }

  List<Http2Headers> requests() {
    return requests;
  }

  List<String> services() {
    return services;
  }

  @Override
  public void close() throws InterruptedException {
    server.close().sync();
  }

  /** One call: collects the request, answers at its end. */
  private final class Call extends ChannelInboundHandlerAdapter {
    private Http2Headers headers;
    private final ByteArrayOutputStream body = new ByteArrayOutputStream();

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      try {
        boolean end = false;
        if (msg instanceof Http2HeadersFrame frame) {
          headers = frame.headers();
          requests.add(headers);
          end = frame.isEndStream();
        } else if (msg instanceof Http2DataFrame frame) {
          byte[] bytes = new byte[frame.content().readableBytes()];
          frame.content().readBytes(bytes);
          body.writeBytes(bytes);
          end = frame.isEndStream();
        }
        if (end) {
          answer(ctx);
        }
      } finally {
        ReferenceCountUtil.release(msg);
      }
    }

    private void answer(ChannelHandlerContext ctx) {
      if (!"/grpc.health.v1.Health/Check".contentEquals(headers.path())) {
        trailersOnly(ctx, 12, "unknown method");
        return;
      }
      String service = serviceName(body.toByteArray());
      services.add(service);
      Integer status = statuses.get(service);
      if (status == null) {
        trailersOnly(ctx, 5, "unknown service");
        return;
      }
      // HealthCheckResponse: an unknown field 7 (string "x"), then status = 1 (varint).
      byte[] message = {0x3A, 0x01, 'x', 0x08, (byte) (int) status};
      byte[] framed = new byte[5 + message.length];
      framed[4] = (byte) message.length;
      System.arraycopy(message, 0, framed, 5, message.length);
      ctx.write(new DefaultHttp2HeadersFrame(responseHeaders(), false));
      ctx.write(new DefaultHttp2DataFrame(Unpooled.wrappedBuffer(framed), false));
      ctx.writeAndFlush(
          new DefaultHttp2HeadersFrame(new DefaultHttp2Headers().set("grpc-status", "0"), true));
    }

    private void trailersOnly(ChannelHandlerContext ctx, int code, String message) {
      Http2Headers trailers =
          responseHeaders()
              .set("grpc-status", Integer.toString(code))
              .set("grpc-message", message.replace(" ", "%20"));
      ctx.writeAndFlush(new DefaultHttp2HeadersFrame(trailers, true));
    }

    private static Http2Headers responseHeaders() {
      return new DefaultHttp2Headers().status("200").set("content-type", "application/grpc");
    }

    /** Field 1 of a length-prefixed HealthCheckRequest; short names only (one-byte length). */
    private static String serviceName(byte[] framed) {
      if (framed.length <= 5) {
        return "";
      }
      if (framed[5] != 0x0A) {
        throw new IllegalArgumentException("unexpected field tag " + framed[5]);
      }
      return new String(framed, 7, framed[6], StandardCharsets.UTF_8);
    }
  }
}
