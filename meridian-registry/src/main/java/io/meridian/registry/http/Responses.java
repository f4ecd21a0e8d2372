package io.meridian.registry.http;

import io.meridian.api.ApiError;
import io.meridian.api.codec.Codec;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http2.Http2StreamChannel;

/**
 * Writes the API's answers: JSON bodies with exact lengths, keep-alive as the client asked.
 *
 * <p>Thread-safety: stateless; call on the channel's event loop.
 */
final class Responses {

  private Responses() {}

  static void json(ChannelHandlerContext ctx, boolean keepAlive, int status, Object body) {
    bytes(ctx, keepAlive, status, "application/json", Codec.toJson(body));
  }

  static void error(ChannelHandlerContext ctx, boolean keepAlive, ApiError error) {
    json(ctx, keepAlive, error.code(), error);
  }

  static void bytes(
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
    var f = ctx.writeAndFlush(res);
    if (!keepAlive && !h2) {
      f.addListener(ChannelFutureListener.CLOSE);
    }
  }
}
