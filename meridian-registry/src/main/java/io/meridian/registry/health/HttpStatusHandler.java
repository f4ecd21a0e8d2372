package io.meridian.registry.health;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.util.ReferenceCountUtil;

/**
 * Reads the status of an HTTP/1.1 health probe's response and ends the probe with it: 200..399
 * passes, anything else fails as {@code "HTTP 503"}. The body is never read: every message is
 * released here, and finishing the probe closes the connection.
 *
 * <p>Thread-safety: one instance per connection, called on its event loop.
 */
final class HttpStatusHandler extends ChannelInboundHandlerAdapter {

  private final ProbeAttempt attempt;

  HttpStatusHandler(ProbeAttempt attempt) {
    this.attempt = attempt;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    try {
      if (msg instanceof HttpResponse response) {
        if (response.decoderResult().isFailure()) {
          attempt.finish(
              ProbeResult.failed(
                  "malformed HTTP response: "
                      + attempt.describe(response.decoderResult().cause())));
        } else {
          int code = response.status().code();
          String detail = "HTTP " + code;
          attempt.finish(
              code >= 200 && code < 400 ? ProbeResult.passed(detail) : ProbeResult.failed(detail));
        }
      }
    } finally {
      ReferenceCountUtil.release(msg);
    }
  }
}
