package io.meridian.registry.http;

import io.meridian.api.ApiError;
import io.meridian.api.FieldError;
import io.meridian.api.InvalidResourceException;
import io.meridian.api.Kind;
import io.meridian.api.LabelSelector;
import io.meridian.api.ObjectMeta;
import io.meridian.api.Resource;
import io.meridian.api.codec.Codec;
import io.meridian.api.validation.Validator;
import io.meridian.registry.resource.ApiException;
import io.meridian.registry.resource.Resources;
import io.meridian.registry.store.Lease;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Answers one connection's (or one HTTP/2 stream's) API requests: routes the path, decodes and
 * validates bodies, calls {@link Resources}, and writes JSON. Every failure becomes an {@link
 * ApiError} body with a 4xx status; only a bug in the registry answers 500, and then without a
 * stack trace.
 *
 * <p>Thread-safety: one instance per channel; runs on that channel's event loop. Store futures
 * complete elsewhere and hop back before writing.
 */
final class ApiHandler extends SimpleChannelInboundHandler<FullHttpRequest> {

  private static final Logger log = LoggerFactory.getLogger(ApiHandler.class);
  static final String PREFIX = "/api/v1/";

  private final ApiContext api;

  ApiHandler(ApiContext api) {
    this.api = api;
  }

  /** A parsed API path. */
  private record Route(Kind kind, String namespace, String name, String sub) {}

  @Override
  protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) {
    boolean keepAlive = HttpUtil.isKeepAlive(req);
    long start = System.nanoTime();
    try {
      if (!req.decoderResult().isSuccess()) {
        Responses.error(ctx, false, ApiError.of(400, "BadRequest", "malformed HTTP request"));
        return;
      }
      QueryStringDecoder q = new QueryStringDecoder(req.uri());
      String path = q.path();
      switch (path) {
        case "/healthz", "/livez" -> {
          Responses.bytes(ctx, keepAlive, 200, "text/plain", "ok\n".getBytes());
          return;
        }
        case "/readyz" -> {
          boolean ready = api.ready();
          Responses.bytes(
              ctx,
              keepAlive,
              ready ? 200 : 503,
              "text/plain",
              (ready ? "ok\n" : "starting\n").getBytes());
          return;
        }
        case "/metrics" -> {
          Responses.bytes(
              ctx,
              keepAlive,
              200,
              "text/plain; version=0.0.4; charset=utf-8",
              api.metrics().scrape().getBytes(java.nio.charset.StandardCharsets.UTF_8));
          return;
        }
        default -> {}
      }
      if (!path.startsWith(PREFIX)) {
        Responses.error(ctx, keepAlive, ApiError.of(404, "NotFound", "no such path: " + path));
        return;
      }
      Route route = route(path.substring(PREFIX.length()));
      handle(ctx, req, q, route, keepAlive);
    } catch (ApiException e) {
      Responses.error(ctx, keepAlive, e.error());
    } catch (RuntimeException e) {
      log.error("request {} {} failed", req.method(), req.uri(), e);
      Responses.error(ctx, keepAlive, ApiError.of(500, "InternalError", "internal error"));
    } finally {
      api.metrics().observe(req.method().name(), System.nanoTime() - start);
    }
  }

  private static Route route(String rest) {
    if (rest.endsWith("/")) {
      rest = rest.substring(0, rest.length() - 1); // tolerate one trailing slash
    }
    String[] seg = rest.split("/", -1);
    for (String s : seg) {
      if (s.isEmpty()) {
        throw notFound(rest);
      }
    }
    if (seg[0].equals("namespaces") && seg.length >= 3) {
      Kind kind = kind(seg[2], rest);
      if (!kind.namespaced()) {
        throw notFound(rest);
      }
      return switch (seg.length) {
        case 3 -> new Route(kind, seg[1], null, null);
        case 4 -> new Route(kind, seg[1], seg[3], null);
        case 5 -> new Route(kind, seg[1], seg[3], seg[4]);
        default -> throw notFound(rest);
      };
    }
    Kind kind = kind(seg[0], rest);
    return switch (seg.length) {
      case 1 -> new Route(kind, null, null, null);
      case 2 -> {
        if (kind.namespaced()) {
          throw notFound(rest);
        }
        yield new Route(kind, null, seg[1], null);
      }
      case 3 -> {
        if (kind.namespaced()) {
          throw notFound(rest);
        }
        yield new Route(kind, null, seg[1], seg[2]);
      }
      default -> throw notFound(rest);
    };
  }

  private static Kind kind(String plural, String rest) {
    for (Kind k : Kind.values()) {
      if (k.plural().equals(plural)) {
        return k;
      }
    }
    throw new ApiException(
        ApiError.of(
            404,
            "NotFound",
            "no resource type \""
                + plural
                + "\" (in "
                + PREFIX
                + rest
                + "); known: services, instances, endpoints, nodes, namespaces"));
  }

  private static ApiException notFound(String rest) {
    return new ApiException(ApiError.of(404, "NotFound", "no such path: " + PREFIX + rest));
  }

  private void handle(
      ChannelHandlerContext ctx,
      FullHttpRequest req,
      QueryStringDecoder q,
      Route r,
      boolean keepAlive) {
    HttpMethod m = req.method();
    if (r.sub() != null) {
      if (!r.sub().equals("heartbeat") || !(r.kind() == Kind.INSTANCE || r.kind() == Kind.NODE)) {
        throw new ApiException(ApiError.of(404, "NotFound", "no such path: " + req.uri()));
      }
      if (!m.equals(HttpMethod.POST) && !m.equals(HttpMethod.PUT)) {
        throw methodNotAllowed(m, "POST");
      }
      CompletableFuture<Lease> f = api.resources().heartbeat(r.kind(), r.namespace(), r.name());
      reply(
          ctx,
          keepAlive,
          f.thenApply(
              l -> {
                Map<String, Object> body = new LinkedHashMap<>();
                body.put("lease", Long.toHexString(l.id()));
                body.put("ttl", io.meridian.api.GoDuration.format(l.ttl()));
                return new Reply(200, body);
              }));
      return;
    }
    if (r.name() == null) {
      collection(ctx, req, q, r, keepAlive);
    } else {
      item(ctx, req, q, r, keepAlive);
    }
  }

  private void collection(
      ChannelHandlerContext ctx,
      FullHttpRequest req,
      QueryStringDecoder q,
      Route r,
      boolean keepAlive) {
    HttpMethod m = req.method();
    if (m.equals(HttpMethod.GET)) {
      LabelSelector selector;
      try {
        selector = LabelSelector.parse(param(q, "labelSelector"));
      } catch (IllegalArgumentException e) {
        throw new ApiException(
            new ApiError(
                400,
                "BadRequest",
                "bad labelSelector: " + e.getMessage(),
                List.of(new FieldError("labelSelector", e.getMessage()))));
      }
      String watch = param(q, "watch");
      if ("true".equals(watch) || "1".equals(watch)) {
        WatchStream.start(ctx, api, r.kind(), r.namespace(), param(q, "resourceVersion"), selector);
        return;
      }
      Resources.ListResult list =
          api.resources()
              .list(r.kind(), r.namespace(), res -> selector.matches(res.metadata().labels()));
      Map<String, Object> body = new LinkedHashMap<>();
      body.put("apiVersion", r.kind().apiVersion());
      body.put("kind", r.kind().listKind());
      body.put("metadata", Map.of("resourceVersion", Long.toString(list.revision())));
      body.put("items", list.items());
      Responses.json(ctx, keepAlive, 200, body);
      return;
    }
    if (m.equals(HttpMethod.POST)) {
      if (r.kind().namespaced() && r.namespace() == null) {
        throw new ApiException(
            ApiError.of(
                405,
                "MethodNotAllowed",
                "create "
                    + r.kind().plural()
                    + " under /api/v1/namespaces/{namespace}/"
                    + r.kind().plural()));
      }
      Resource res = decode(req, r, null);
      reply(
          ctx,
          keepAlive,
          api.resources().write(res, true).thenApply(w -> new Reply(201, w.resource())));
      return;
    }
    throw methodNotAllowed(m, "GET, POST");
  }

  private void item(
      ChannelHandlerContext ctx,
      FullHttpRequest req,
      QueryStringDecoder q,
      Route r,
      boolean keepAlive) {
    HttpMethod m = req.method();
    if (m.equals(HttpMethod.GET)) {
      Resource res =
          api.resources()
              .get(r.kind(), r.namespace(), r.name())
              .orElseThrow(
                  () ->
                      ApiException.notFound(Resources.describe(r.kind(), r.namespace(), r.name())));
      Responses.json(ctx, keepAlive, 200, res);
    } else if (m.equals(HttpMethod.PUT)) {
      Resource res = decode(req, r, r.name());
      reply(
          ctx,
          keepAlive,
          api.resources()
              .write(res, false)
              .thenApply(w -> new Reply(w.created() ? 201 : 200, w.resource())));
    } else if (m.equals(HttpMethod.DELETE)) {
      long grace = 0;
      String g = param(q, "gracePeriodSeconds");
      if (g != null) {
        try {
          grace = Long.parseLong(g);
        } catch (NumberFormatException e) {
          grace = -1;
        }
        if (grace < 0 || grace > 86_400) {
          throw new ApiException(
              new ApiError(
                  400,
                  "BadRequest",
                  "gracePeriodSeconds must be a whole number of seconds 0..86400, got \""
                      + g
                      + "\"",
                  List.of(new FieldError("gracePeriodSeconds", "must be 0..86400"))));
        }
      }
      reply(
          ctx,
          keepAlive,
          api.resources()
              .delete(r.kind(), r.namespace(), r.name(), grace, param(q, "resourceVersion"))
              .thenApply(res -> new Reply(200, res)));
    } else {
      throw methodNotAllowed(m, "GET, PUT, DELETE");
    }
  }

  /** Decodes and validates a request body for {@code r}; {@code pathName} when the URL names it. */
  private Resource decode(FullHttpRequest req, Route r, String pathName) {
    String contentType = req.headers().get(HttpHeaderNames.CONTENT_TYPE, "application/json");
    String ct = contentType.toLowerCase(java.util.Locale.ROOT);
    if (!(ct.startsWith("application/json")
        || ct.contains("yaml")
        || ct.startsWith("text/plain")
        || ct.startsWith("*/*")
        || ct.startsWith("application/x-www-form-urlencoded"))) {
      throw new ApiException(
          ApiError.of(
              415,
              "UnsupportedMediaType",
              "Content-Type "
                  + contentType
                  + " is not supported; send application/json or application/yaml"));
    }
    byte[] body = ByteBufUtil.getBytes(req.content());
    Resource res;
    try {
      res =
          Codec.decode(
              body,
              ct.startsWith("application/x-www-form-urlencoded") ? "application/json" : ct,
              r.kind());
    } catch (InvalidResourceException e) {
      throw new ApiException(e.toApiError());
    }
    ObjectMeta meta = res.metadata() == null ? ObjectMeta.of(null, null) : res.metadata();
    if (r.kind().namespaced()) {
      if (meta.namespace() == null || meta.namespace().isEmpty()) {
        meta = meta.withNamespace(r.namespace());
      } else if (!meta.namespace().equals(r.namespace())) {
        throw ApiException.invalid(
            "metadata.namespace does not match the URL",
            new FieldError(
                "metadata.namespace",
                "is \""
                    + meta.namespace()
                    + "\" but the URL names namespace \""
                    + r.namespace()
                    + "\""));
      }
    } else if (meta.namespace() != null && !meta.namespace().isEmpty()) {
      throw ApiException.invalid(
          r.kind().kindName() + " is not namespaced",
          new FieldError(
              "metadata.namespace", "must be empty: " + r.kind().plural() + " are cluster-scoped"));
    }
    if (pathName != null) {
      if (meta.name() == null || meta.name().isEmpty()) {
        meta = meta.withName(pathName);
      } else if (!meta.name().equals(pathName)) {
        throw ApiException.invalid(
            "metadata.name does not match the URL",
            new FieldError(
                "metadata.name",
                "is \"" + meta.name() + "\" but the URL names \"" + pathName + "\""));
      }
    }
    res = res.withMetadata(meta);
    List<FieldError> errors = Validator.validate(res);
    if (!errors.isEmpty()) {
      throw ApiException.invalid(errors);
    }
    return res;
  }

  private static String param(QueryStringDecoder q, String name) {
    List<String> v = q.parameters().get(name);
    return v == null || v.isEmpty() ? null : v.get(v.size() - 1);
  }

  private static ApiException methodNotAllowed(HttpMethod m, String allowed) {
    return new ApiException(
        ApiError.of(
            405, "MethodNotAllowed", "method " + m + " is not allowed here; use " + allowed));
  }

  private record Reply(int status, Object body) {}

  private void reply(ChannelHandlerContext ctx, boolean keepAlive, CompletableFuture<Reply> f) {
    f.whenComplete(
        (reply, err) ->
            ctx.executor()
                .execute(
                    () -> {
                      if (err == null) {
                        Responses.json(ctx, keepAlive, reply.status(), reply.body());
                        return;
                      }
                      Throwable t =
                          err instanceof CompletionException && err.getCause() != null
                              ? err.getCause()
                              : err;
                      if (t instanceof ApiException e) {
                        Responses.error(ctx, keepAlive, e.error());
                      } else if (t instanceof IllegalStateException
                          && String.valueOf(t.getMessage()).contains("closed")) {
                        Responses.error(
                            ctx,
                            false,
                            ApiError.of(
                                503, "ServiceUnavailable", "the registry is shutting down"));
                      } else {
                        log.error("write failed", t);
                        Responses.error(
                            ctx, keepAlive, ApiError.of(500, "InternalError", "internal error"));
                      }
                    }));
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    log.debug("connection error: {}", cause.toString());
    ctx.close();
  }
}
