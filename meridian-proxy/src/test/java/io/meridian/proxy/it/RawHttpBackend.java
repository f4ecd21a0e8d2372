package io.meridian.proxy.it;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An HTTP/1.1 backend on a raw socket whose every answer is scripted by the test: it can answer any
 * status, stream chunks, never answer, switch protocols and echo bytes, and it records each request
 * exactly as it arrived (headers in order, body decoded), so a test can check what the proxy
 * forwarded.
 *
 * <p>Thread-safety: one thread per connection; the request log and counters are concurrent.
 */
final class RawHttpBackend implements Backends {

  /** Answers one request; returns whether to read the next request on the connection. */
  @FunctionalInterface
  interface Handler {
    boolean handle(RawHttp.Message request, Socket socket, InputStream in, OutputStream out)
        throws IOException;
  }

  final String name;

  /** Every request read, in arrival order. */
  final BlockingQueue<RawHttp.Message> requests = new LinkedBlockingQueue<>();

  /** Connections accepted. */
  final AtomicInteger accepted = new AtomicInteger();

  private final ServerSocket server;
  private final ExecutorService threads = Executors.newCachedThreadPool(daemon());
  private final Set<Socket> open = ConcurrentHashMap.newKeySet();
  private final Handler handler;

  private RawHttpBackend(String name, Handler handler) throws IOException {
    this.name = name;
    this.handler = handler;
    this.server = new ServerSocket(0, 100, InetAddress.getLoopbackAddress());
  }

  static RawHttpBackend start(String name, Handler handler) throws IOException {
    RawHttpBackend b = new RawHttpBackend(name, handler);
    b.threads.execute(b::acceptLoop);
    return b;
  }

  /** A backend answering every request 200 with its name as the body. */
  static RawHttpBackend named(String name) throws IOException {
    return start(
        name,
        (req, s, in, out) -> {
          respond(out, 200, name);
          return true;
        });
  }

  private static java.util.concurrent.ThreadFactory daemon() {
    return r -> {
      Thread t = new Thread(r, "raw-http-backend");
      t.setDaemon(true);
      return t;
    };
  }

  private void acceptLoop() {
    while (!server.isClosed()) {
      Socket s;
      try {
        s = server.accept();
      } catch (IOException e) {
        return;
      }
      accepted.incrementAndGet();
      open.add(s);
      threads.execute(() -> serve(s));
    }
  }

  private void serve(Socket s) {
    try (s) {
      InputStream in = new BufferedInputStream(s.getInputStream());
      OutputStream out = s.getOutputStream();
      while (true) {
        RawHttp.Message req = RawHttp.readRequest(in);
        if (req == null) {
          return;
        }
        requests.add(req);
        if (!handler.handle(req, s, in, out)) {
          return;
        }
        out.flush();
      }
    } catch (IOException e) {
      // the proxy closed the connection
    } finally {
      open.remove(s);
    }
  }

  /** Writes a complete response with a content-length and {@code text} as its body. */
  static void respond(OutputStream out, int status, String text, String... headerLines)
      throws IOException {
    respond(out, status, text.getBytes(StandardCharsets.UTF_8), headerLines);
  }

  /** Writes a complete response with a content-length and {@code body}. */
  static void respond(OutputStream out, int status, byte[] body, String... headerLines)
      throws IOException {
    StringBuilder head = new StringBuilder();
    head.append("HTTP/1.1 ").append(status).append(' ').append(reason(status)).append("\r\n");
    for (String h : headerLines) {
      head.append(h).append("\r\n");
    }
    head.append("Content-Length: ").append(body.length).append("\r\n\r\n");
    out.write(RawHttp.ascii(head.toString()));
    out.write(body);
    out.flush();
  }

  private static String reason(int status) {
    return switch (status) {
      case 200 -> "OK";
      case 101 -> "Switching Protocols";
      case 500 -> "Internal Server Error";
      case 503 -> "Service Unavailable";
      default -> "Status";
    };
  }

  @Override
  public int port() {
    return server.getLocalPort();
  }

  /** Requests received, health checks ({@code /healthz}) left out. */
  long served() {
    return requests.stream().filter(r -> !r.uri().startsWith("/healthz")).count();
  }

  @Override
  public void close() {
    try {
      server.close();
    } catch (IOException e) {
      // closing
    }
    for (Socket s : open) {
      try {
        s.close();
      } catch (IOException e) {
        // closing
      }
    }
    threads.shutdownNow();
  }
}
