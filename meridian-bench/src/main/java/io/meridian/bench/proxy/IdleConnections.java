package io.meridian.bench.proxy;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Holds many idle TCP connections open to one address, for the proxy benchmark's memory row ({@code
 * run-proxy-bench.sh}): {@code IdleConnections --port P [--host 127.0.0.1] [--count 10000]
 * [--request PATH] [--hold SECONDS] [--concurrency 256] [--timeout 60]}.
 *
 * <p>It opens {@code --count} connections, at most {@code --concurrency} connecting at once (so the
 * listener's accept backlog never overflows); with {@code --request} each first sends {@code GET
 * PATH} over HTTP/1.1 keep-alive and reads the whole response, so the proxy has served it once, as
 * a real idle keep-alive connection. When all are ready it prints {@code open N}, then holds them
 * until standard input closes or {@code --hold} seconds pass (0: no limit but stdin), watching for
 * connections the peer closes, and prints {@code closed N (still open K)} as it closes them. Exit 0
 * when all were opened, 1 when they could not be (the first error is printed), 2 on bad arguments.
 *
 * <p>Thread-safety: one thread runs the selector; a second only watches standard input and sets a
 * volatile flag.
 */
public final class IdleConnections {

  /** Per connection: how far its one request got. Confined to the selector thread. */
  private static final class Conn {
    final SocketChannel ch;
    byte[] head = new byte[0]; // response bytes until the end of the header block
    long bodyLeft = -1; // body bytes still to read; -1 while the header block is incomplete
    boolean ready;

    Conn(SocketChannel ch) {
      this.ch = ch;
    }
  }

  private static volatile boolean stdinClosed;

  private IdleConnections() {}

  public static void main(String[] args) throws IOException {
    String host = "127.0.0.1";
    int port = -1;
    int count = 10_000;
    int concurrency = 256;
    long holdSeconds = 0;
    long timeoutSeconds = 60;
    String request = null;
    try {
      for (int i = 0; i < args.length; i += 2) {
        String v = args[i + 1];
        switch (args[i]) {
          case "--host" -> host = v;
          case "--port" -> port = Integer.parseInt(v);
          case "--count" -> count = Integer.parseInt(v);
          case "--concurrency" -> concurrency = Integer.parseInt(v);
          case "--hold" -> holdSeconds = Long.parseLong(v);
          case "--timeout" -> timeoutSeconds = Long.parseLong(v);
          case "--request" -> request = v;
          default -> throw new IllegalArgumentException(args[i]);
        }
      }
      if (port < 1 || count < 1 || concurrency < 1) {
        throw new IllegalArgumentException("--port, --count, --concurrency");
      }
    } catch (RuntimeException e) {
      System.err.println(
          "usage: IdleConnections --port P [--host H] [--count N] [--request PATH] [--hold S]"
              + " [--concurrency N] [--timeout S]");
      System.exit(2);
      return;
    }
    byte[] get =
        request == null
            ? null
            : ("GET " + request + " HTTP/1.1\r\nHost: " + host + "\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII);
    InetSocketAddress target = new InetSocketAddress(host, port);
    List<Conn> conns = new ArrayList<>(count);
    Thread stdin = new Thread(IdleConnections::watchStdin, "stdin");
    stdin.setDaemon(true);
    int code;
    try (Selector selector = Selector.open()) {
      stdin.start();
      code = run(selector, target, count, concurrency, get, timeoutSeconds, holdSeconds, conns);
    } finally {
      int open = 0;
      for (Conn c : conns) {
        if (c.ch.isOpen()) {
          open++;
          c.ch.close();
        }
      }
      System.out.println("closed " + conns.size() + " (still open " + open + ")");
    }
    System.exit(code);
  }

  private static int run(
      Selector selector,
      InetSocketAddress target,
      int count,
      int concurrency,
      byte[] get,
      long timeoutSeconds,
      long holdSeconds,
      List<Conn> conns)
      throws IOException {
    long start = System.nanoTime();
    long deadline = start + timeoutSeconds * 1_000_000_000L;
    ByteBuffer buf = ByteBuffer.allocate(64 * 1024);
    int pending = 0;
    int ready = 0;
    while (ready < count) {
      while (pending < concurrency && conns.size() < count) {
        SocketChannel ch = SocketChannel.open();
        ch.configureBlocking(false);
        ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
        Conn c = new Conn(ch);
        conns.add(c);
        pending++;
        if (ch.connect(target)) {
          ready += connected(selector, c, get) ? 1 : 0;
          pending -= c.ready ? 1 : 0;
        } else {
          ch.register(selector, SelectionKey.OP_CONNECT, c);
        }
      }
      if (System.nanoTime() > deadline) {
        System.out.println(
            "error: only " + ready + " of " + count + " ready after " + timeoutSeconds + " s");
        return 1;
      }
      selector.select(100);
      for (SelectionKey key : selector.selectedKeys()) {
        Conn c = (Conn) key.attachment();
        try {
          if (key.isConnectable()) {
            c.ch.finishConnect();
            if (connected(selector, c, get)) {
              ready++;
              pending--;
            }
          } else if (key.isReadable() && readResponse(c, buf)) {
            key.interestOps(SelectionKey.OP_READ); // from now on, only to see the peer close
            ready++;
            pending--;
          }
        } catch (IOException e) {
          System.out.println(
              "error: connection "
                  + conns.indexOf(c)
                  + " of "
                  + count
                  + " to "
                  + target
                  + ": "
                  + e);
          return 1;
        }
      }
      selector.selectedKeys().clear();
    }
    // one println: a printf reaches a redirected stdout in pieces, and the script reads the line
    System.out.println(
        String.format(
            Locale.ROOT, "open %d (in %.1f s)", count, (System.nanoTime() - start) / 1e9));
    System.out.flush();
    return hold(selector, holdSeconds, buf);
  }

  /** After the TCP handshake: sends the request, or counts the connection ready. */
  private static boolean connected(Selector selector, Conn c, byte[] get) throws IOException {
    if (get == null) {
      c.ready = true;
      c.ch.register(selector, SelectionKey.OP_READ, c);
      return true;
    }
    ByteBuffer out = ByteBuffer.wrap(get);
    c.ch.write(out);
    if (out.hasRemaining()) {
      throw new IOException("the request did not fit the socket buffer");
    }
    c.ch.register(selector, SelectionKey.OP_READ, c);
    return false;
  }

  /** Reads what has arrived of the response; true once it is complete. */
  private static boolean readResponse(Conn c, ByteBuffer buf) throws IOException {
    buf.clear();
    int n = c.ch.read(buf);
    if (n < 0) {
      throw new IOException("closed by the peer before the response was complete");
    }
    buf.flip();
    if (c.bodyLeft < 0) {
      byte[] head = new byte[c.head.length + buf.remaining()];
      System.arraycopy(c.head, 0, head, 0, c.head.length);
      buf.get(head, c.head.length, buf.remaining());
      String text = new String(head, StandardCharsets.ISO_8859_1);
      int end = text.indexOf("\r\n\r\n");
      if (end < 0) {
        c.head = head;
        return false;
      }
      if (!text.startsWith("HTTP/1.1 200")) {
        throw new IOException("response " + text.substring(0, text.indexOf('\r')));
      }
      long length = 0;
      for (String line : text.substring(0, end).split("\r\n")) {
        if (line.regionMatches(true, 0, "content-length:", 0, 15)) {
          length = Long.parseLong(line.substring(15).trim());
        }
      }
      c.head = null;
      c.bodyLeft = length - (head.length - end - 4);
    } else {
      c.bodyLeft -= buf.remaining();
    }
    c.ready = c.bodyLeft <= 0;
    return c.ready;
  }

  /** Waits for stdin to close or the hold to end; closes what the peer closed. */
  private static int hold(Selector selector, long holdSeconds, ByteBuffer buf) throws IOException {
    long end = holdSeconds > 0 ? System.nanoTime() + holdSeconds * 1_000_000_000L : Long.MAX_VALUE;
    while (!stdinClosed && System.nanoTime() < end) {
      selector.select(200);
      for (SelectionKey key : selector.selectedKeys()) {
        Conn c = (Conn) key.attachment();
        buf.clear();
        int n;
        try {
          n = c.ch.read(buf);
        } catch (IOException e) {
          n = -1;
        }
        if (n < 0) {
          key.cancel();
          c.ch.close();
        }
      }
      selector.selectedKeys().clear();
    }
    return 0;
  }

  private static void watchStdin() {
    InputStream in = System.in;
    byte[] b = new byte[256];
    try {
      while (in.read(b) >= 0) {
        // only the end matters
      }
    } catch (IOException e) {
      // treated as closed
    }
    stdinClosed = true;
  }
}
