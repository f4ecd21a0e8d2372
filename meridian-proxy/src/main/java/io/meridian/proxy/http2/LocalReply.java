package io.meridian.proxy.http2;

import io.meridian.balancer.Outcome;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.handler.codec.http2.DefaultHttp2DataFrame;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.DefaultHttp2HeadersFrame;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.util.AsciiString;
import java.nio.charset.StandardCharsets;

/**
 * What the proxy answers itself, and how it reads an endpoint's answer.
 *
 * <p>A gRPC client gets a trailers-only response ({@code :status 200}, {@code grpc-status}, {@code
 * grpc-message}), since gRPC clients read the status from trailers and map a bare HTTP error to a
 * vaguer one; the codes follow gRPC's HTTP-to-gRPC mapping (502, 503 and 504 are all {@code
 * UNAVAILABLE}). Anything else gets the HTTP status and a one-line text body.
 *
 * <p>An endpoint's answer is a failure for outlier detection when its {@code :status} is 5xx, or
 * its {@code grpc-status} is {@code INTERNAL} (13) or {@code UNAVAILABLE} (14): the codes a server
 * that is itself unwell sends. Every other gRPC code (NOT_FOUND, DEADLINE_EXCEEDED, ...) speaks of
 * the call, not of the endpoint.
 *
 * <p>Thread-safety: stateless.
 */
final class LocalReply {

  static final AsciiString GRPC_STATUS = AsciiString.cached("grpc-status");
  static final AsciiString GRPC_MESSAGE = AsciiString.cached("grpc-message");
  static final AsciiString X_FORWARDED_FOR = AsciiString.cached("x-forwarded-for");

  /** gRPC's UNAVAILABLE. */
  static final int UNAVAILABLE = 14;

  private static final int INTERNAL = 13;

  private LocalReply() {}

  /** Whether {@code h} (request headers) are a gRPC call's. */
  static boolean isGrpc(Http2Headers h) {
    CharSequence ct = h.get("content-type");
    return ct != null && AsciiString.regionMatches(ct, true, 0, "application/grpc", 0, 16);
  }

  /** Writes a complete answer on {@code ch} and flushes. */
  static void send(Http2StreamChannel ch, boolean grpc, int httpStatus, String message) {
    if (grpc) {
      Http2Headers h =
          new DefaultHttp2Headers()
              .status("200")
              .set("content-type", "application/grpc")
              .setInt(GRPC_STATUS, UNAVAILABLE)
              .set(GRPC_MESSAGE, percentEncode(message));
      ch.writeAndFlush(new DefaultHttp2HeadersFrame(h, true));
      return;
    }
    Http2Headers h =
        new DefaultHttp2Headers()
            .status(Integer.toString(httpStatus))
            .set("content-type", "text/plain; charset=utf-8");
    ch.write(new DefaultHttp2HeadersFrame(h, false));
    ByteBufAllocator alloc = ch.alloc();
    ch.writeAndFlush(new DefaultHttp2DataFrame(ByteBufUtil.writeUtf8(alloc, message + "\n"), true));
  }

  /** The outcome of an answer with {@code :status} {@code status} and these trailers (or null). */
  static Outcome outcome(int status, Http2Headers trailers) {
    if (status >= 500) {
      return Outcome.FAILURE;
    }
    Integer g = trailers == null ? null : trailers.getInt(GRPC_STATUS);
    if (g != null && (g == INTERNAL || g == UNAVAILABLE)) {
      return Outcome.FAILURE;
    }
    return Outcome.SUCCESS;
  }

  /** The {@code :status} of response headers, or 0 when missing or malformed. */
  static int status(Http2Headers h) {
    CharSequence s = h.status();
    if (s == null) {
      return 0;
    }
    try {
      return Integer.parseInt(s, 0, s.length(), 10);
    } catch (NumberFormatException e) {
      return 0;
    }
  }

  /** gRPC's percent-encoding of {@code grpc-message}: printable ASCII but '%' as is. */
  static String percentEncode(String s) {
    byte[] b = s.getBytes(StandardCharsets.UTF_8);
    StringBuilder out = new StringBuilder(b.length + 8);
    for (byte x : b) {
      int c = x & 0xff;
      if (c >= 0x20 && c < 0x7f && c != '%') {
        out.append((char) c);
      } else {
        out.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)));
        out.append(Character.toUpperCase(Character.forDigit(c & 0xf, 16)));
      }
    }
    return out.toString();
  }
}
