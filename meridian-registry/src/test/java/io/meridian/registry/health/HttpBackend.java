package io.meridian.registry.health;

import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A real HTTP/1.1 server on 127.0.0.1 (the JDK's), answering every path with a settable status and
 * no body; it counts what it served and keeps the last request.
 *
 * <p>Thread-safety: safe from any thread.
 */
final class HttpBackend implements AutoCloseable {

  private final HttpServer server;
  private final AtomicInteger status = new AtomicInteger(200);
  private final AtomicInteger failNext = new AtomicInteger();
  private final AtomicInteger requests = new AtomicInteger();
  private final AtomicInteger failures = new AtomicInteger();
  private final AtomicInteger successes = new AtomicInteger();
  private final AtomicReference<String> lastPath = new AtomicReference<>();
  private final AtomicReference<Headers> lastHeaders = new AtomicReference<>();

  private HttpBackend(HttpServer server) {
    this.server = server;
  }

  static HttpBackend start() throws IOException {
    HttpServer server =
        HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
    HttpBackend backend = new HttpBackend(server);
    server.createContext(
        "/",
        exchange -> {
          try (exchange) {
            backend.lastPath.set(exchange.getRequestURI().toString());
            backend.lastHeaders.set(exchange.getRequestHeaders());
            int code =
                backend.failNext.getAndUpdate(n -> Math.max(0, n - 1)) > 0
                    ? 503
                    : backend.status.get();
            (code >= 400 ? backend.failures : backend.successes).incrementAndGet();
            backend.requests.incrementAndGet();
            exchange.sendResponseHeaders(code, -1);
          }
        });
    server.start();
    return backend;
  }

  InetSocketAddress address() {
    return server.getAddress();
  }

  int port() {
    return server.getAddress().getPort();
  }

  /** Answers every later request with {@code code}. */
  void respond(int code) {
    status.set(code);
  }

  /** Answers the next {@code n} requests with 503, then the usual status again. */
  void failNext(int n) {
    failNext.set(n);
  }

  int requests() {
    return requests.get();
  }

  /** Requests answered with 4xx or 5xx. */
  int failures() {
    return failures.get();
  }

  /** Requests answered with 1xx..3xx. */
  int successes() {
    return successes.get();
  }

  String lastPath() {
    return lastPath.get();
  }

  Headers lastHeaders() {
    return lastHeaders.get();
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
