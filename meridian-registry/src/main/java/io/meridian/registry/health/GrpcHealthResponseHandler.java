package io.meridian.registry.health;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http2.Http2DataFrame;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2HeadersFrame;
import io.netty.handler.codec.http2.Http2ResetFrame;
import io.netty.util.ReferenceCountUtil;
import java.util.Arrays;

/**
 * Reads the response of one {@code grpc.health.v1.Health/Check} call on its HTTP/2 stream and ends
 * the probe with it: response headers, the length-prefixed {@code HealthCheckResponse}, then
 * trailers carrying {@code grpc-status} (or a trailers-only answer). SERVING passes; another
 * serving status, a non-zero {@code grpc-status}, a non-200 {@code :status}, a reset or an early
 * end fails, with a detail naming what was seen. DATA frames are copied out and released here.
 *
 * <p>Thread-safety: one instance per stream, called on the connection's event loop.
 */
final class GrpcHealthResponseHandler extends ChannelInboundHandlerAdapter {

  private final ProbeAttempt attempt;
  private boolean sawHeaders;
  private byte[] body = new byte[64];
  private int length;

  GrpcHealthResponseHandler(ProbeAttempt attempt) {
    this.attempt = attempt;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    try {
      if (msg instanceof Http2HeadersFrame frame) {
        onHeaders(frame.headers(), frame.isEndStream());
      } else if (msg instanceof Http2DataFrame frame) {
        onData(frame);
      }
    } finally {
      ReferenceCountUtil.release(msg);
    }
  }

  private void onHeaders(Http2Headers headers, boolean endStream) {
    if (!sawHeaders) {
      sawHeaders = true;
      CharSequence status = headers.status();
      if (status == null || !"200".contentEquals(status)) {
        attempt.finish(ProbeResult.failed("HTTP " + status));
        return;
      }
      CharSequence contentType = headers.get("content-type");
      if (contentType == null || !contentType.toString().startsWith("application/grpc")) {
        attempt.finish(
            ProbeResult.failed("not a gRPC response (content-type " + contentType + ")"));
        return;
      }
    }
    if (endStream) {
      onTrailers(headers);
    }
  }

  private void onData(Http2DataFrame frame) {
    int n = frame.content().readableBytes();
    if (length + n > GrpcHealthMessages.MAX_RESPONSE) {
      attempt.finish(
          ProbeResult.failed(
              "gRPC response larger than " + GrpcHealthMessages.MAX_RESPONSE + " bytes"));
      return;
    }
    if (length + n > body.length) {
      body = Arrays.copyOf(body, Math.max(body.length * 2, length + n));
    }
    frame.content().getBytes(frame.content().readerIndex(), body, length, n);
    length += n;
    if (frame.isEndStream()) {
      attempt.finish(ProbeResult.failed("gRPC response without grpc-status"));
    }
  }

  private void onTrailers(Http2Headers trailers) {
    CharSequence grpcStatus = trailers.get("grpc-status");
    if (grpcStatus == null) {
      attempt.finish(ProbeResult.failed("gRPC response without grpc-status"));
      return;
    }
    int code;
    try {
      code = Integer.parseInt(grpcStatus.toString());
    } catch (NumberFormatException e) {
      attempt.finish(ProbeResult.failed("bad grpc-status " + grpcStatus));
      return;
    }
    if (code != 0) {
      CharSequence message = trailers.get("grpc-message");
      attempt.finish(
          ProbeResult.failed(
              "gRPC error "
                  + GrpcHealthMessages.codeName(code)
                  + (message == null ? "" : ": " + GrpcHealthMessages.decodeMessage(message))));
      return;
    }
    int status;
    try {
      status = GrpcHealthMessages.responseStatus(body, length);
    } catch (IllegalArgumentException e) {
      attempt.finish(ProbeResult.failed("malformed gRPC health response: " + e.getMessage()));
      return;
    }
    String detail = "gRPC status " + GrpcHealthMessages.statusName(status);
    attempt.finish(
        status == GrpcHealthMessages.SERVING
            ? ProbeResult.passed(detail)
            : ProbeResult.failed(detail));
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
    if (evt instanceof Http2ResetFrame reset) {
      Http2Error error = Http2Error.valueOf(reset.errorCode());
      attempt.finish(
          ProbeResult.failed(
              "stream reset: " + (error == null ? "error " + reset.errorCode() : error.name())));
    } else {
      ctx.fireUserEventTriggered(evt);
    }
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    attempt.finish(ProbeResult.failed("stream closed before a response"));
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    attempt.fail(cause);
  }
}
