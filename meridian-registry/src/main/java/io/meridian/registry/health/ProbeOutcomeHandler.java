package io.meridian.registry.health;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;

/**
 * The last handler of every probe connection: turns an error, or the connection ending before an
 * answer, into the probe's failed outcome; releases whatever no earlier handler consumed (HTTP/2
 * SETTINGS or GOAWAY frames, bytes after an answer).
 *
 * <p>Thread-safety: one instance per connection, called on its event loop.
 */
final class ProbeOutcomeHandler extends ChannelInboundHandlerAdapter {

  private final ProbeAttempt attempt;
  private final String closedDetail;

  ProbeOutcomeHandler(ProbeAttempt attempt, String closedDetail) {
    this.attempt = attempt;
    this.closedDetail = closedDetail;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    ReferenceCountUtil.release(msg);
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    attempt.finish(ProbeResult.failed(closedDetail));
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    attempt.fail(cause);
  }
}
