package io.meridian.registry.health;

import io.meridian.api.HealthCheck;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.NetUtil;
import java.net.InetSocketAddress;
import java.util.concurrent.CompletableFuture;

/**
 * {@code type: http}: {@code GET {path} HTTP/1.1} with {@code Host}, {@code Connection: close} and
 * {@code User-Agent: meridian-health/1}; passes on a 2xx or 3xx status (redirects are not followed,
 * as Kubernetes and Consul do). Only the status line and headers are read.
 *
 * <p>Thread-safety: immutable; safe from any thread.
 */
final class HttpProber implements Prober {

  static final String USER_AGENT = "meridian-health/1";

  private final ProbeConnector connector;

  HttpProber(ProbeConnector connector) {
    this.connector = connector;
  }

  @Override
  public CompletableFuture<ProbeResult> probe(InetSocketAddress target, HealthCheck check) {
    String path = check.effectivePath();
    String uri = path.startsWith("/") ? path : "/" + path;
    return connector
        .connect(
            target,
            check.effectiveTimeout(),
            (ch, attempt) ->
                ch.pipeline()
                    .addLast(new HttpClientCodec())
                    .addLast(new HttpStatusHandler(attempt))
                    .addLast(
                        new ProbeOutcomeHandler(attempt, "connection closed before a response")),
            (ch, attempt) ->
                ch.writeAndFlush(request(target, uri))
                    .addListener(ChannelFutureListener.FIRE_EXCEPTION_ON_FAILURE))
        .result();
  }

  private static FullHttpRequest request(InetSocketAddress target, String uri) {
    FullHttpRequest request =
        new DefaultFullHttpRequest(
            HttpVersion.HTTP_1_1, HttpMethod.GET, uri, Unpooled.EMPTY_BUFFER);
    request
        .headers()
        .set(HttpHeaderNames.HOST, NetUtil.toSocketAddressString(target))
        .set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE)
        .set(HttpHeaderNames.USER_AGENT, USER_AGENT)
        .set(HttpHeaderNames.ACCEPT, "*/*");
    return request;
  }
}
