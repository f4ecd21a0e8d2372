package io.meridian.client.internal;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Splits a byte stream that arrives in arbitrary chunks into newline-terminated lines, as the
 * registry's watch streams them (one JSON event per line). A line may span any number of chunks; a
 * chunk may hold any number of lines.
 *
 * <p>Lines are split on the byte {@code \n} before any decoding, which is safe for UTF-8 (no
 * multi-byte sequence contains 0x0A), so a character cut by a chunk boundary is reassembled. A
 * trailing {@code \r} is dropped, and empty lines (keep-alives) are skipped. A line longer than the
 * limit is an error rather than unbounded memory.
 *
 * <p>Thread-safety: not thread-safe; one instance per stream, fed by one subscriber.
 */
public final class LineSplitter {

  /** 16 MiB: far above any single object the registry accepts (1 MiB request limit by default). */
  public static final int DEFAULT_MAX_LINE = 16 << 20;

  private final int maxLine;
  private byte[] partial = new byte[0];
  private int partialLength;

  public LineSplitter(int maxLine) {
    if (maxLine < 1) {
      throw new IllegalArgumentException("maxLine must be positive, got " + maxLine);
    }
    this.maxLine = maxLine;
  }

  /** The complete lines {@code chunk} ends, without their terminators; consumes the buffer. */
  public List<byte[]> feed(ByteBuffer chunk) throws LineTooLongException {
    List<byte[]> lines = new ArrayList<>();
    while (chunk.hasRemaining()) {
      int start = chunk.position();
      int nl = -1;
      for (int i = start; i < chunk.limit(); i++) {
        if (chunk.get(i) == '\n') {
          nl = i;
          break;
        }
      }
      int end = nl < 0 ? chunk.limit() : nl;
      append(chunk, start, end - start);
      chunk.position(nl < 0 ? end : nl + 1);
      if (nl >= 0) {
        int len = partialLength;
        if (len > 0 && partial[len - 1] == '\r') {
          len--;
        }
        if (len > 0) {
          lines.add(Arrays.copyOf(partial, len));
        }
        partialLength = 0;
      }
    }
    return lines;
  }

  /** Bytes received after the last newline: a line the stream cut short (0 when clean). */
  public int pendingBytes() {
    return partialLength;
  }

  private void append(ByteBuffer chunk, int from, int count) throws LineTooLongException {
    if (count == 0) {
      return;
    }
    if ((long) partialLength + count > maxLine) {
      throw new LineTooLongException("a watch line exceeds " + maxLine + " bytes");
    }
    if (partialLength + count > partial.length) {
      partial =
          Arrays.copyOf(
              partial, Math.min(maxLine, Math.max(partialLength + count, partial.length * 2)));
    }
    chunk.get(from, partial, partialLength, count);
    partialLength += count;
  }

  /** A line went past the limit; the stream is not to be trusted any further. */
  public static final class LineTooLongException extends Exception {
    public LineTooLongException(String message) {
      super(message);
    }
  }
}
