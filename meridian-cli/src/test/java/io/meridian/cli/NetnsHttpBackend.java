package io.meridian.cli;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;

/**
 * A tiny HTTP backend for {@link NetnsTopologyIT}, run as its own JVM inside a network namespace:
 * {@code NetnsHttpBackend NAME PORT} listens on every address at PORT and answers every request
 * with 200 and the body {@code NAME xff=<X-Forwarded-For, or ->}, so a test can tell which backend
 * answered and which client address the proxy reported. It prints {@code listening on PORT} once
 * bound, and serves until killed. Only the JDK is on its class path.
 *
 * <p>Thread-safety: the JDK server calls the handler on its one dispatcher thread.
 */
final class NetnsHttpBackend {

  static final String LISTENING = "listening on ";

  private NetnsHttpBackend() {}

  public static void main(String[] args) throws IOException {
    String name = args[0];
    int port = Integer.parseInt(args[1]);
    HttpServer server = HttpServer.create(new InetSocketAddress(port), 64);
    server.createContext("/", exchange -> answer(exchange, name));
    server.start();
    System.out.println(LISTENING + port);
    System.out.flush();
  }

  private static void answer(HttpExchange exchange, String name) throws IOException {
    try (exchange) {
      exchange.getRequestBody().readAllBytes();
      String xff = exchange.getRequestHeaders().getFirst("X-Forwarded-For");
      byte[] body =
          (name + " xff=" + (xff == null ? "-" : xff) + "\n").getBytes(StandardCharsets.UTF_8);
      exchange.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
      exchange.sendResponseHeaders(200, body.length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(body);
      }
    }
  }
}
