package io.meridian.proxy.it;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * HTTP/1.x read off a raw socket, byte for byte, so that tests see exactly what went over the wire
 * (framing, hop-by-hop headers, the status line) where {@code java.net.http} would hide it.
 *
 * <p>Thread-safety: stateless; a {@link Message} is immutable.
 */
final class RawHttp {

  private static final int MAX_HEAD = 1 << 20;

  private RawHttp() {}

  /**
   * A request or response as read: the start line, the header fields in order, the body (decoded
   * from chunked framing when it was chunked).
   */
  record Message(String startLine, List<String[]> fields, byte[] body, boolean chunked) {

    /** The first value of header {@code name} (any case), or null. */
    String header(String name) {
      for (String[] f : fields) {
        if (f[0].equalsIgnoreCase(name)) {
          return f[1];
        }
      }
      return null;
    }

    /** Every value of header {@code name} (any case), in order. */
    List<String> headers(String name) {
      List<String> out = new ArrayList<>();
      for (String[] f : fields) {
        if (f[0].equalsIgnoreCase(name)) {
          out.add(f[1]);
        }
      }
      return out;
    }

    boolean hasHeader(String name) {
      return header(name) != null;
    }

    /** A response's status code. */
    int status() {
      return Integer.parseInt(startLine.split(" ", 3)[1]);
    }

    /** A request's method. */
    String method() {
      return startLine.split(" ", 3)[0];
    }

    /** A request's target. */
    String uri() {
      return startLine.split(" ", 3)[1];
    }

    /** The protocol version of a request ({@code HTTP/1.1}) or a response. */
    String version() {
      String[] parts = startLine.split(" ", 3);
      return startLine.startsWith("HTTP/") ? parts[0] : parts[2];
    }

    String bodyText() {
      return new String(body, StandardCharsets.UTF_8);
    }

    /** Whether the {@code Connection} header has {@code token} (any case). */
    boolean connectionHas(String token) {
      for (String v : headers("Connection")) {
        for (String t : v.split(",")) {
          if (t.trim().equalsIgnoreCase(token)) {
            return true;
          }
        }
      }
      return false;
    }
  }

  /**
   * Reads a start line and header fields (up to the empty line), or null at a clean EOF before the
   * first byte.
   */
  static Message readHead(InputStream in) throws IOException {
    ByteArrayOutputStream head = new ByteArrayOutputStream();
    int last4 = 0; // the last four bytes read
    while (last4 != 0x0D0A0D0A) {
      int b = in.read();
      if (b < 0) {
        if (head.size() == 0) {
          return null;
        }
        throw new EOFException(
            "EOF inside a message head: " + head.toString(StandardCharsets.ISO_8859_1));
      }
      head.write(b);
      if (head.size() > MAX_HEAD) {
        throw new IOException("message head larger than " + MAX_HEAD);
      }
      last4 = (last4 << 8) | b;
    }
    String[] lines = head.toString(StandardCharsets.ISO_8859_1).split("\r\n");
    List<String[]> fields = new ArrayList<>();
    for (int i = 1; i < lines.length; i++) {
      if (lines[i].isEmpty()) {
        continue;
      }
      int colon = lines[i].indexOf(':');
      fields.add(
          new String[] {lines[i].substring(0, colon).trim(), lines[i].substring(colon + 1).trim()});
    }
    return new Message(lines[0], List.copyOf(fields), new byte[0], false);
  }

  /** Reads a request (head and body), or null at a clean EOF before it. */
  static Message readRequest(InputStream in) throws IOException {
    Message head = readHead(in);
    if (head == null) {
      return null;
    }
    return withBody(head, in, false);
  }

  /**
   * Reads a response to a request with {@code method}: a body framed by content-length, by chunks,
   * or (neither) by the connection's end.
   */
  static Message readResponse(InputStream in, String method) throws IOException {
    Message head = readHead(in);
    if (head == null) {
      throw new EOFException("connection closed before any response");
    }
    int s = head.status();
    if (method.equals("HEAD") || s == 204 || s == 304 || (s >= 100 && s < 200)) {
      return head;
    }
    return withBody(head, in, true);
  }

  private static Message withBody(Message head, InputStream in, boolean response)
      throws IOException {
    String te = head.header("Transfer-Encoding");
    if (te != null && te.toLowerCase(Locale.ROOT).contains("chunked")) {
      return new Message(head.startLine(), head.fields(), readChunked(in), true);
    }
    String cl = head.header("Content-Length");
    if (cl != null) {
      return new Message(
          head.startLine(), head.fields(), in.readNBytes(Integer.parseInt(cl)), false);
    }
    if (response) {
      return new Message(head.startLine(), head.fields(), in.readAllBytes(), false);
    }
    return head;
  }

  private static byte[] readChunked(InputStream in) throws IOException {
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    while (true) {
      String sizeLine = readLine(in);
      int semi = sizeLine.indexOf(';');
      int size = Integer.parseInt((semi < 0 ? sizeLine : sizeLine.substring(0, semi)).trim(), 16);
      if (size == 0) {
        while (!readLine(in).isEmpty()) {
          // trailer fields
        }
        return body.toByteArray();
      }
      byte[] chunk = in.readNBytes(size);
      if (chunk.length < size) {
        throw new EOFException("EOF inside a chunk");
      }
      body.write(chunk);
      if (!readLine(in).isEmpty()) {
        throw new IOException("a chunk not followed by CRLF");
      }
    }
  }

  private static String readLine(InputStream in) throws IOException {
    StringBuilder sb = new StringBuilder();
    while (true) {
      int b = in.read();
      if (b < 0) {
        throw new EOFException("EOF inside a line: " + sb);
      }
      if (b == '\n') {
        int n = sb.length();
        return n > 0 && sb.charAt(n - 1) == '\r' ? sb.substring(0, n - 1) : sb.toString();
      }
      sb.append((char) b);
    }
  }

  static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.ISO_8859_1);
  }
}
