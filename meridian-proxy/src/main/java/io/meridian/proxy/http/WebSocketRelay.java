package io.meridian.proxy.http;

import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.timeout.IdleStateHandler;

/**
 * After {@code 101 Switching Protocols} (WebSocket, or any upgrade), relays raw bytes between a
 * client connection and its upstream connection until either closes, with backpressure.
 *
 * <p>Thread-safety: both channels share one event loop.
 */
final class WebSocketRelay extends ChannelInboundHandlerAdapter {

  private final Channel other;

  private WebSocketRelay(Channel other) {
    this.other = other;
  }

  /** Strips the HTTP handlers from both connections and relays bytes between them. */
  static void join(Channel client, Channel upstream) {
    ChannelPipeline cp = client.pipeline();
    cp.addLast(new WebSocketRelay(upstream));
    cp.remove(Http1Proxy.class);
    cp.remove(IdleStateHandler.class);
    ChannelPipeline up = upstream.pipeline();
    up.addLast(new WebSocketRelay(client));
    up.remove("upstream");
    up.remove("idle");
    up.remove("codec"); // hands on bytes it read past the 101 answer
    cp.remove(HttpServerCodec.class); // and this, bytes past the upgrade request
    client.config().setAutoRead(true);
    upstream.config().setAutoRead(true);
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    other.write(msg, other.voidPromise());
    if (!other.isWritable()) {
      ctx.channel().config().setAutoRead(false);
    }
  }

  @Override
  public void channelReadComplete(ChannelHandlerContext ctx) {
    other.flush();
  }

  @Override
  public void channelWritabilityChanged(ChannelHandlerContext ctx) {
    if (ctx.channel().isWritable()) {
      other.config().setAutoRead(true);
    }
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    if (other.isActive()) {
      other.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
    }
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    ctx.close();
  }
}
