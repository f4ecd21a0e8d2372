package io.meridian.dns;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.EventLoop;
import io.netty.handler.timeout.ReadTimeoutException;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Answers length-prefixed queries on one TCP connection (RFC 1035 §4.2.2, RFC 7766): frames come
 * from a {@code LengthFieldBasedFrameDecoder}, answers go out with their two-byte length, several
 * queries may be pipelined and are answered in order. A frame that gets no answer (a response, or
 * too short to carry an ID) closes the connection, as does any error.
 *
 * <p>Thread-safety: one instance per connection, used on its event loop only.
 */
final class TcpQueryHandler extends ChannelInboundHandlerAdapter {

  private static final Logger log = LoggerFactory.getLogger(TcpQueryHandler.class);

  private final QueryResponder responder;
  private final DnsStats stats;
  private boolean closing;
  private final Function<EventLoop, Forwarder> forwarders;

  TcpQueryHandler(
      QueryResponder responder, DnsStats stats, Function<EventLoop, Forwarder> forwarders) {
    this.responder = responder;
    this.stats = stats;
    this.forwarders = forwarders;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    ByteBuf frame = (ByteBuf) msg;
    if (closing) { // frames the decoder still had after the one that ends the connection
      frame.release();
      return;
    }
    ByteBuf response;
    try {
      stats.queries.increment();
      response = responder.respond(frame, ctx.alloc(), false);
      if (response == null && responder.forward()) {
        stats.forwarded.increment();
        forwarders
            .apply(ctx.channel().eventLoop())
            .forward(
                frame,
                answer -> {
                  if (ctx.channel().isActive()) {
                    ctx.write(ctx.alloc().ioBuffer(2).writeShort(answer.readableBytes()));
                    ctx.writeAndFlush(answer);
                  } else {
                    answer.release();
                  }
                });
        return;
      }
    } finally {
      frame.release();
    }
    if (response == null) {
      stats.dropped.increment();
      // answers already written for earlier frames of this read go out first
      closing = true;
      ctx.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
      return;
    }
    ctx.write(ctx.alloc().ioBuffer(2).writeShort(response.readableBytes()));
    ctx.write(response);
  }

  @Override
  public void channelReadComplete(ChannelHandlerContext ctx) {
    ctx.flush();
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    if (!(cause instanceof ReadTimeoutException)) {
      stats.errors.increment();
      log.debug("TCP error on {}", ctx.channel(), cause);
    }
    ctx.close();
  }
}
