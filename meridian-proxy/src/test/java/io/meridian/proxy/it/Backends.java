package io.meridian.proxy.it;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Real backends on 127.0.0.1 port 0 for the proxy tests, each answering with its own name so a test
 * can count where requests went: an HTTP/1.1 server (the JDK's, keep-alive), a TCP echo server and
 * a UDP echo server that prefix the name.
 *
 * <p>Thread-safety: each backend runs on its own threads; {@link #close} stops it at once (a kill,
 * as far as a client can tell: listener and open connections close).
 */
interface Backends extends AutoCloseable {

  int port();

  /** Stops at once: the listener and every connection close (a kill, as clients see it). */
  @Override
  void close();

  /**
   * Stops gracefully: the listener closes, requests being served finish (up to 5 s), then the
   * connections close. By default the same as {@link #close}.
   */
  default void shutdown() {
    close();
  }

  /** An HTTP server answering every request with {@code name} and the X-Forwarded-For it saw. */
  static Backends http(String name) throws IOException {
    HttpServer s = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    ExecutorService pool = Executors.newFixedThreadPool(4);
    s.setExecutor(pool);
    s.createContext(
        "/",
        ex -> {
          try (InputStream in = ex.getRequestBody()) {
            in.readAllBytes();
          }
          String xff = ex.getRequestHeaders().getFirst("X-Forwarded-For");
          byte[] body = (name + " " + xff).getBytes(StandardCharsets.UTF_8);
          ex.sendResponseHeaders(200, body.length);
          try (OutputStream out = ex.getResponseBody()) {
            out.write(body);
          }
        });
    s.start();
    return new Backends() {
      @Override
      public int port() {
        return s.getAddress().getPort();
      }

      @Override
      public void close() {
        s.stop(0);
        pool.shutdownNow();
      }

      @Override
      public void shutdown() {
        s.stop(5);
        pool.shutdownNow();
      }
    };
  }

  /** A TCP server that answers each connection's bytes with {@code name:} and the bytes. */
  static Backends tcpEcho(String name) throws IOException {
    ServerSocket ss = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    ExecutorService pool = Executors.newCachedThreadPool();
    pool.execute(
        () -> {
          while (!ss.isClosed()) {
            try {
              Socket c = ss.accept();
              pool.execute(
                  () -> {
                    try (c) {
                      byte[] in = c.getInputStream().readAllBytes(); // until the client's FIN
                      OutputStream out = c.getOutputStream();
                      out.write((name + ":").getBytes(StandardCharsets.UTF_8));
                      out.write(in);
                      out.flush();
                    } catch (IOException e) {
                      // the client went away
                    }
                  });
            } catch (IOException e) {
              return;
            }
          }
        });
    return new Backends() {
      @Override
      public int port() {
        return ss.getLocalPort();
      }

      @Override
      public void close() {
        try {
          ss.close();
        } catch (IOException e) {
          // closing
        }
        pool.shutdownNow();
      }
    };
  }

  /** A UDP server that answers each datagram with {@code name:} and its payload. */
  static Backends udpEcho(String name) throws IOException {
    DatagramSocket ds = new DatagramSocket(0, InetAddress.getLoopbackAddress());
    Thread t =
        Thread.ofPlatform()
            .daemon()
            .start(
                () -> {
                  byte[] buf = new byte[2048];
                  while (!ds.isClosed()) {
                    try {
                      DatagramPacket p = new DatagramPacket(buf, buf.length);
                      ds.receive(p);
                      byte[] out =
                          (name + ":" + new String(buf, 0, p.getLength(), StandardCharsets.UTF_8))
                              .getBytes(StandardCharsets.UTF_8);
                      ds.send(new DatagramPacket(out, out.length, p.getSocketAddress()));
                    } catch (IOException e) {
                      return;
                    }
                  }
                });
    return new Backends() {
      @Override
      public int port() {
        return ds.getLocalPort();
      }

      @Override
      public void close() {
        ds.close();
        t.interrupt();
      }
    };
  }
}
