package io.meridian.proxy.it;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A TCP backend on 127.0.0.1 port 0 that counts its connections and serves each in one of four
 * ways: a blast (a payload and a FIN, at once), a streaming echo (bytes go back as they arrive, so
 * both directions are busy at once), a named echo (answers {@code name:} and the bytes after the
 * client's FIN, as {@link Backends#tcpEcho} does), or a streaming echo behind a PROXY protocol
 * header (v1 or v2) that it parses and records.
 *
 * <p>Thread-safety: one thread per connection; counters and the header log are concurrent.
 */
final class TcpBackend implements Backends {

  /** A PROXY protocol header as received. */
  record ProxyHeader(
      int version, String sourceAddress, int sourcePort, String destAddress, int destPort) {}

  private enum Mode {
    BLAST,
    STREAM_ECHO,
    NAMED_ECHO,
    PROXY_HEADER_ECHO
  }

  static final byte[] V2_SIGNATURE = {
    0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A
  };

  final String name;
  final AtomicInteger connections = new AtomicInteger();

  /** PROXY headers received (or the reason one could not be parsed, as an exception). */
  final BlockingQueue<Object> headers = new LinkedBlockingQueue<>();

  private final Mode mode;
  private final byte[] blast;
  private final ServerSocket server;
  private final ExecutorService threads =
      Executors.newCachedThreadPool(
          r -> {
            Thread t = new Thread(r, "tcp-backend");
            t.setDaemon(true);
            return t;
          });
  private final Set<Socket> open = ConcurrentHashMap.newKeySet();

  private TcpBackend(String name, Mode mode) throws IOException {
    this(name, mode, null);
  }

  private TcpBackend(String name, Mode mode, byte[] blast) throws IOException {
    this.name = name;
    this.mode = mode;
    this.blast = blast;
    this.server = new ServerSocket(0, 100, InetAddress.getLoopbackAddress());
    threads.execute(this::acceptLoop);
  }

  /**
   * A backend that, as soon as a connection opens, writes {@code payload} and its FIN, then waits
   * for the other side to close.
   */
  static TcpBackend blast(String name, byte[] payload) throws IOException {
    return new TcpBackend(name, Mode.BLAST, payload);
  }

  static TcpBackend streamEcho(String name) throws IOException {
    return new TcpBackend(name, Mode.STREAM_ECHO);
  }

  static TcpBackend namedEcho(String name) throws IOException {
    return new TcpBackend(name, Mode.NAMED_ECHO);
  }

  static TcpBackend proxyHeaderEcho(String name) throws IOException {
    return new TcpBackend(name, Mode.PROXY_HEADER_ECHO);
  }

  private void acceptLoop() {
    while (!server.isClosed()) {
      Socket s;
      try {
        s = server.accept();
      } catch (IOException e) {
        return;
      }
      connections.incrementAndGet();
      open.add(s);
      threads.execute(() -> serve(s));
    }
  }

  private void serve(Socket s) {
    try (s) {
      InputStream in = new BufferedInputStream(s.getInputStream(), 64 * 1024);
      OutputStream out = s.getOutputStream();
      switch (mode) {
        case BLAST -> {
          out.write(blast);
          s.shutdownOutput();
          in.readAllBytes(); // until the proxy closes
          return;
        }
        case STREAM_ECHO -> echo(in, out);
        case NAMED_ECHO -> {
          byte[] all = in.readAllBytes(); // until the client's FIN
          out.write((name + ":").getBytes(StandardCharsets.UTF_8));
          out.write(all);
        }
        case PROXY_HEADER_ECHO -> {
          try {
            headers.add(readProxyHeader(in));
          } catch (IOException | RuntimeException e) {
            headers.add(e);
            return;
          }
          echo(in, out);
        }
      }
      out.flush();
      s.shutdownOutput();
    } catch (IOException e) {
      // the proxy closed the connection
    } finally {
      open.remove(s);
    }
  }

  private static void echo(InputStream in, OutputStream out) throws IOException {
    byte[] buf = new byte[64 * 1024];
    int n;
    while ((n = in.read(buf)) >= 0) {
      out.write(buf, 0, n);
    }
  }

  /** Parses a PROXY protocol v1 line or v2 block (HAProxy's spec) off the start of {@code in}. */
  static ProxyHeader readProxyHeader(InputStream in) throws IOException {
    in.mark(16);
    int first = in.read();
    in.reset();
    if (first == 'P') {
      StringBuilder line = new StringBuilder();
      int b;
      while ((b = in.read()) != '\n') {
        if (b < 0 || line.length() > 107) {
          throw new IOException("not a PROXY v1 line: " + line);
        }
        line.append((char) b);
      }
      if (line.charAt(line.length() - 1) != '\r') {
        throw new IOException("PROXY v1 line not ended by CRLF: " + line);
      }
      String[] p = line.substring(0, line.length() - 1).split(" ");
      if (p.length != 6 || !p[0].equals("PROXY") || !(p[1].equals("TCP4") || p[1].equals("TCP6"))) {
        throw new IOException("malformed PROXY v1 line: " + line);
      }
      return new ProxyHeader(1, p[2], Integer.parseInt(p[4]), p[3], Integer.parseInt(p[5]));
    }
    DataInputStream d = new DataInputStream(in);
    byte[] sig = new byte[12];
    d.readFully(sig);
    if (!Arrays.equals(sig, V2_SIGNATURE)) {
      throw new IOException("no PROXY header: " + Arrays.toString(sig));
    }
    int verCmd = d.readUnsignedByte();
    int family = d.readUnsignedByte();
    int len = d.readUnsignedShort();
    if (verCmd != 0x21) {
      throw new IOException("PROXY v2 version/command byte 0x" + Integer.toHexString(verCmd));
    }
    byte[] rest = new byte[len];
    d.readFully(rest);
    int alen =
        switch (family) {
          case 0x11 -> 4;
          case 0x21 -> 16;
          default -> throw new IOException("PROXY v2 family 0x" + Integer.toHexString(family));
        };
    if (len < 2 * alen + 4) {
      throw new EOFException("PROXY v2 address block of " + len + " bytes");
    }
    InetAddress src = InetAddress.getByAddress(Arrays.copyOfRange(rest, 0, alen));
    InetAddress dst = InetAddress.getByAddress(Arrays.copyOfRange(rest, alen, 2 * alen));
    int sport = ((rest[2 * alen] & 0xff) << 8) | (rest[2 * alen + 1] & 0xff);
    int dport = ((rest[2 * alen + 2] & 0xff) << 8) | (rest[2 * alen + 3] & 0xff);
    return new ProxyHeader(2, src.getHostAddress(), sport, dst.getHostAddress(), dport);
  }

  @Override
  public int port() {
    return server.getLocalPort();
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
