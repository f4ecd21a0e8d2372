package io.meridian.registry.http;

import io.meridian.api.ApiError;
import io.meridian.api.codec.Codec;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http2.Http2StreamChannel;
import java.util.concurrent.TimeUnit;

/**
 * Writes the API's answers: JSON bodies with exact lengths, keep-alive as the client asked.
 *
 * <p>Thread-safety: stateless; call on the channel's event loop.
 */
final class Responses {

  /** How long a refused upload may go on being drained before the connection is closed. */
  static final int DRAIN_SECONDS = 5;

  private Responses() {}

  static void json(ChannelHandlerContext ctx, boolean keepAlive, int status, Object body) {
    bytes(ctx, keepAlive, status, "application/json", Codec.toJson(body));
  }

  static void error(ChannelHandlerContext ctx, boolean keepAlive, ApiError error) {
    json(ctx, keepAlive, error.code(), error);
  }

  static void bytes(
      ChannelHandlerContext ctx, boolean keepAlive, int status, String contentType, byte[] body) {
    ChannelFuture f = write(ctx, keepAlive, status, contentType, body);
    if (!keepAlive && !(ctx.channel() instanceof Http2StreamChannel)) {
      f.addListener(ChannelFutureListener.CLOSE);
    }
  }

  private static ChannelFuture write(
      ChannelHandlerContext ctx, boolean keepAlive, int status, String contentType, byte[] body) {
    FullHttpResponse res =
        new DefaultFullHttpResponse(
            HttpVersion.HTTP_1_1, HttpResponseStatus.valueOf(status), Unpooled.wrappedBuffer(body));
    res.headers().set(HttpHeaderNames.CONTENT_TYPE, contentType);
    res.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, body.length);
    boolean h2 = ctx.channel() instanceof Http2StreamChannel;
    if (!h2) {
      res.headers()
          .set(
              HttpHeaderNames.CONNECTION,
              keepAlive ? HttpHeaderValues.KEEP_ALIVE : HttpHeaderValues.CLOSE);
    }
    return ctx.writeAndFlush(res);
  }

  /**
   * Answers {@code error} on a connection whose request is not read to its end (a body over the
   * limit), then stops sending but goes on reading and discarding what the client still sends, so
   * that it reads the answer instead of a reset; the connection closes when the client closes it,
   * or after {@link #DRAIN_SECONDS}.
   */
  static void errorAndDrain(ChannelHandlerContext ctx, ApiError error) {
    if (!(ctx.channel() instanceof SocketChannel ch)) {
      error(ctx, false, error); // an HTTP/2 stream: the stream ends, the connection stays
      return;
    }
    write(ctx, false, error.code(), "application/json", Codec.toJson(error))
        .addListener(
            done -> {
              ch.shutdownOutput();
              ctx.executor().schedule(() -> ch.close(), DRAIN_SECONDS, TimeUnit.SECONDS);
            });
  }
}
