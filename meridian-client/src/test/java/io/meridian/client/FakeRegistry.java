package io.meridian.client;

import static java.nio.charset.StandardCharsets.UTF_8;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.meridian.api.Kind;
import io.meridian.api.Resource;
import io.meridian.api.codec.Codec;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingDeque;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingDeque;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A scripted stand-in for the registry's list and watch API, on the JDK's HTTP server, for tests of
 * what the real one is hard to make do: cut lines across chunks, send garbage, answer 410 on
 * demand. Lists answer what {@link #list} set; each watch request streams what the test {@link
 * #send}s to that kind until {@link #closeWatch}.
 *
 * <p>Thread-safety: safe from any thread.
 */
final class FakeRegistry implements AutoCloseable {

  private final HttpServer server;
  private final ExecutorService pool = Executors.newCachedThreadPool();
  private final Map<String, String> lists = new ConcurrentHashMap<>();
  private final Map<String, BlockingDeque<byte[]>> watchData = new ConcurrentHashMap<>();
  private final Map<String, BlockingQueue<Integer>> watchRefusals = new ConcurrentHashMap<>();

  /** Every request, as {@code GET /api/v1/services?watch=true&resourceVersion=3}. */
  final ConcurrentLinkedQueue<String> requests = new ConcurrentLinkedQueue<>();

  private final Map<String, AtomicInteger> watchGenerations = new ConcurrentHashMap<>();

  private static final byte[] CLOSE = new byte[0];

  FakeRegistry() throws IOException {
    this(0);
  }

  /** A registry on {@code port} (0: any free one). */
  FakeRegistry(int port) throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 0);
    server.setExecutor(pool);
    server.createContext("/api/v1/", this::handle);
    for (Kind k : SnapshotBuilder.KINDS) {
      list(k, 1);
    }
    server.start();
  }

  int port() {
    return server.getAddress().getPort();
  }

  URI uri() {
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
  }

  /** What the next lists of {@code kind} answer. */
  void list(Kind kind, long revision, Resource... items) {
    StringBuilder sb =
        new StringBuilder(
            "{\"apiVersion\":\"v1\",\"kind\":\""
                + kind.listKind()
                + "\",\"metadata\":{\"resourceVersion\":\""
                + revision
                + "\"},\"items\":[");
    for (int i = 0; i < items.length; i++) {
      sb.append(i == 0 ? "" : ",").append(json(items[i]));
    }
    lists.put(kind.plural(), sb.append("]}").toString());
  }

  /** Raw bytes for the open (or next) watch of {@code kind}, sent as one chunk. */
  void send(Kind kind, String raw) {
    queue(kind).add(raw.getBytes(UTF_8));
  }

  /** Raw bytes for the open (or next) watch of {@code kind}, sent as one chunk. */
  void send(Kind kind, byte[] raw) {
    queue(kind).add(raw.clone());
  }

  /** One event line. */
  void event(Kind kind, String type, Resource object) {
    send(kind, "{\"type\":\"" + type + "\",\"object\":" + json(object) + "}\n");
  }

  void bookmark(Kind kind, long revision) {
    send(
        kind,
        "{\"type\":\"BOOKMARK\",\"object\":{\"kind\":\""
            + kind.kindName()
            + "\",\"metadata\":{\"resourceVersion\":\""
            + revision
            + "\"}}}\n");
  }

  /** Ends the open (or next) watch of {@code kind} after what was sent before. */
  void closeWatch(Kind kind) {
    queue(kind).add(CLOSE);
  }

  /** The next watch of {@code kind} is answered with {@code status} and an ApiError. */
  void refuseNextWatch(Kind kind, int status) {
    watchRefusals.computeIfAbsent(kind.plural(), k -> new LinkedBlockingQueue<>()).add(status);
  }

  List<String> requestsFor(Kind kind) {
    List<String> out = new ArrayList<>();
    for (String r : requests) {
      if (r.contains("/" + kind.plural())) {
        out.add(r);
      }
    }
    return out;
  }

  long listsOf(Kind kind) {
    return requestsFor(kind).stream().filter(r -> !r.contains("watch=true")).count();
  }

  /** {@code o} as the registry writes it. */
  static String json(Object o) {
    return new String(Codec.toJson(o), UTF_8);
  }

  private BlockingDeque<byte[]> queue(Kind kind) {
    return watchData.computeIfAbsent(kind.plural(), k -> new LinkedBlockingDeque<>());
  }

  private void handle(HttpExchange ex) throws IOException {
    URI u = ex.getRequestURI();
    requests.add(ex.getRequestMethod() + " " + u);
    String plural = u.getPath().substring(u.getPath().lastIndexOf('/') + 1);
    boolean watch = u.getQuery() != null && u.getQuery().contains("watch=true");
    try (ex) {
      if (!watch) {
        byte[] body = lists.getOrDefault(plural, "{}").getBytes(UTF_8);
        ex.getResponseHeaders().set("Content-Type", "application/json");
        ex.sendResponseHeaders(200, body.length);
        ex.getResponseBody().write(body);
        return;
      }
      Integer refusal = watchRefusals.getOrDefault(plural, new LinkedBlockingQueue<>()).poll();
      if (refusal != null) {
        byte[] body =
            ("{\"code\":"
                    + refusal
                    + ",\"reason\":\""
                    + (refusal == 410 ? "Gone" : "Error")
                    + "\",\"message\":\"scripted\"}")
                .getBytes(UTF_8);
        ex.sendResponseHeaders(refusal, body.length);
        ex.getResponseBody().write(body);
        return;
      }
      // A client that gave up on a watch is only noticed on a write: a newer watch of the same
      // kind retires the older one, so that it does not steal what the test sends to the newer.
      AtomicInteger generations =
          watchGenerations.computeIfAbsent(plural, k -> new AtomicInteger());
      int generation = generations.incrementAndGet();
      ex.getResponseHeaders().set("Content-Type", "application/json");
      ex.sendResponseHeaders(200, 0); // chunked
      OutputStream out = ex.getResponseBody();
      out.flush();
      BlockingDeque<byte[]> q = queue(Kind.fromUserInput(plural).orElseThrow());
      while (true) {
        byte[] data = q.poll(50, TimeUnit.MILLISECONDS);
        if (generations.get() != generation) {
          if (data != null) {
            q.offerFirst(data);
          }
          return;
        }
        if (data == CLOSE) {
          return;
        }
        if (data != null) {
          out.write(data);
          out.flush();
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (IOException e) {
      // the client went away
    }
  }

  @Override
  public void close() {
    server.stop(0);
    pool.shutdownNow();
  }
}
