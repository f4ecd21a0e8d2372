package io.meridian.proxy.admin;

import static io.meridian.proxy.admin.PlainText.TEXT;

import io.meridian.proxy.DataPlane;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Answers the admin port's requests: routes a whole request to its page and writes a plain-text
 * answer. Failures are answered with a status and one line of text; details go to the log only.
 *
 * <p>Thread-safety: shared by every connection of one {@link AdminServer}, all on its single event
 * loop; it keeps no state of its own.
 */
@ChannelHandler.Sharable
final class AdminHandler extends SimpleChannelInboundHandler<FullHttpRequest> {

  private static final Logger log = LoggerFactory.getLogger(AdminHandler.class);

  static final String PROMETHEUS = "text/plain; version=0.0.4; charset=utf-8";
  static final String INDEX =
      """
      meridian data plane admin
        /metrics  Prometheus metrics
        /healthz  200 while the process runs
        /readyz   200 once the first registry snapshot is applied
        /dump     listeners and clusters now
      """;

  private final List<DataPlane> planes;
  private final ProxyMetrics metrics;
  private final BooleanSupplier watchConnected;

  AdminHandler(List<DataPlane> planes, ProxyMetrics metrics, BooleanSupplier watchConnected) {
    this.planes = planes;
    this.metrics = metrics;
    this.watchConnected = watchConnected;
  }

  @Override
  protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) {
    if (!req.decoderResult().isSuccess()) {
      Throwable c = req.decoderResult().cause();
      HttpResponseStatus st =
          c instanceof TooLongHttpHeaderException
              ? HttpResponseStatus.REQUEST_HEADER_FIELDS_TOO_LARGE
              : c instanceof TooLongHttpLineException || c instanceof TooLongFrameException
                  ? HttpResponseStatus.REQUEST_URI_TOO_LONG
                  : HttpResponseStatus.BAD_REQUEST;
      PlainText.respond(ctx, false, st, TEXT, st.reasonPhrase().toLowerCase(Locale.ROOT) + "\n");
      return;
    }
    boolean keepAlive = HttpUtil.isKeepAlive(req);
    String path = new QueryStringDecoder(req.uri()).path();
    boolean known =
        switch (path) {
          case "/", "/metrics", "/healthz", "/readyz", "/dump" -> true;
          default -> false;
        };
    if (!known) {
      PlainText.respond(
          ctx, keepAlive, HttpResponseStatus.NOT_FOUND, TEXT, "no such page; see /\n");
      return;
    }
    if (!req.method().equals(HttpMethod.GET)) {
      FullHttpResponse r =
          PlainText.response(
              HttpResponseStatus.METHOD_NOT_ALLOWED, TEXT, "only GET is allowed here\n");
      r.headers().set(HttpHeaderNames.ALLOW, "GET");
      PlainText.write(ctx, keepAlive, r);
      return;
    }
    try {
      switch (path) {
        case "/metrics" ->
            PlainText.respond(ctx, keepAlive, HttpResponseStatus.OK, PROMETHEUS, metrics.scrape());
        case "/healthz" -> PlainText.respond(ctx, keepAlive, HttpResponseStatus.OK, TEXT, "ok\n");
        case "/readyz" -> readyz(ctx, keepAlive);
        case "/dump" -> PlainText.respond(ctx, keepAlive, HttpResponseStatus.OK, TEXT, dump());
        default -> PlainText.respond(ctx, keepAlive, HttpResponseStatus.OK, TEXT, INDEX);
      }
    } catch (RuntimeException e) {
      log.warn("admin request {} failed", path, e);
      PlainText.respond(
          ctx, keepAlive, HttpResponseStatus.INTERNAL_SERVER_ERROR, TEXT, "internal error\n");
    }
  }

  private void readyz(ChannelHandlerContext ctx, boolean keepAlive) {
    StringBuilder why = new StringBuilder();
    for (DataPlane p : planes) {
      CompletableFuture<DataPlane> r = p.ready();
      if (!r.isDone()) {
        why.append(role(p)).append(": waiting for the first snapshot from the registry\n");
      } else if (r.isCompletedExceptionally()) {
        why.append(role(p)).append(": stopped\n");
      }
    }
    if (!why.isEmpty()) {
      why.append(watchConnected.getAsBoolean() ? "" : "registry: not connected\n");
      PlainText.respond(
          ctx, keepAlive, HttpResponseStatus.SERVICE_UNAVAILABLE, TEXT, why.toString());
      return;
    }
    String body =
        watchConnected.getAsBoolean()
            ? "ready\n"
            : "ready\nregistry: not connected, serving the last snapshot\n";
    PlainText.respond(ctx, keepAlive, HttpResponseStatus.OK, TEXT, body);
  }

  private String dump() {
    StringBuilder sb = new StringBuilder();
    for (DataPlane p : planes) {
      sb.append("== ").append(role(p));
      if (!p.config().node().isEmpty()) {
        sb.append(" (node ").append(p.config().node()).append(')');
      }
      sb.append(" ==\n").append(p.dump()).append('\n');
    }
    return sb.toString();
  }

  private static String role(DataPlane p) {
    return p.config().role().name().toLowerCase(Locale.ROOT);
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    log.debug("admin connection {} failed: {}", ctx.channel().remoteAddress(), cause.toString());
    ctx.close();
  }
}
