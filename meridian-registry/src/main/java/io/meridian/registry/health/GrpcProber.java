package io.meridian.registry.health;

import io.meridian.api.HealthCheck;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http2.DefaultHttp2DataFrame;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.DefaultHttp2HeadersFrame;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.Http2StreamChannelBootstrap;
import io.netty.util.NetUtil;
import io.netty.util.concurrent.Future;
import java.net.InetSocketAddress;
import java.util.concurrent.CompletableFuture;

/**
 * {@code type: grpc}: one {@code grpc.health.v1.Health/Check} call over cleartext HTTP/2 with prior
 * knowledge (no upgrade), asking for the service named by the check's {@code path} (empty: the
 * server as a whole). Passes when the answer is SERVING.
 *
 * <p>Each probe opens its own connection (the connection's health is part of what is checked) and
 * one stream on it: {@link Http2MultiplexHandler} gives the stream its own child channel, whose
 * {@link GrpcHealthResponseHandler} reads the answer.
 *
 * <p>Thread-safety: immutable; safe from any thread.
 */
final class GrpcProber implements Prober {

  /** {@code grpc-timeout} allows at most 8 digits. */
  private static final long MAX_TIMEOUT_MILLIS = 99_999_999L;

  private final ProbeConnector connector;

  GrpcProber(ProbeConnector connector) {
    this.connector = connector;
  }

  @Override
  public CompletableFuture<ProbeResult> probe(InetSocketAddress target, HealthCheck check) {
    Http2Headers headers =
        new DefaultHttp2Headers()
            .method("POST")
            .scheme("http")
            .path(GrpcHealthMessages.PATH)
            .authority(NetUtil.toSocketAddressString(target));
    headers
        .set("content-type", "application/grpc")
        .set("te", "trailers")
        .set("user-agent", HttpProber.USER_AGENT)
        .set(
            "grpc-timeout",
            Math.clamp(check.effectiveTimeout().toMillis(), 1, MAX_TIMEOUT_MILLIS) + "m");
    byte[] body = GrpcHealthMessages.request(check.effectivePath());
    return connector
        .connect(
            target,
            check.effectiveTimeout(),
            (ch, attempt) ->
                ch.pipeline()
                    .addLast(
                        Http2FrameCodecBuilder.forClient()
                            .initialSettings(Http2Settings.defaultSettings().pushEnabled(false))
                            .build())
                    .addLast(new Http2MultiplexHandler(new ChannelInboundHandlerAdapter()))
                    .addLast(
                        new ProbeOutcomeHandler(attempt, "connection closed before a response")),
            (ch, attempt) -> call(ch, attempt, headers, body))
        .result();
  }

  private static void call(Channel ch, ProbeAttempt attempt, Http2Headers headers, byte[] body) {
    new Http2StreamChannelBootstrap(ch)
        .handler(new GrpcHealthResponseHandler(attempt))
        .open()
        .addListener(
            (Future<Http2StreamChannel> opened) -> {
              if (!opened.isSuccess()) {
                attempt.fail(opened.cause());
                return;
              }
              Http2StreamChannel stream = opened.getNow();
              stream.write(new DefaultHttp2HeadersFrame(headers, false));
              stream
                  .writeAndFlush(new DefaultHttp2DataFrame(Unpooled.wrappedBuffer(body), true))
                  .addListener(ChannelFutureListener.FIRE_EXCEPTION_ON_FAILURE);
            });
  }
}
