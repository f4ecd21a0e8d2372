package io.meridian.registry.store.embedded;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.zip.CRC32C;

/**
 * Reads WAL segments for recovery and says exactly where and why a segment stops being trustworthy.
 *
 * <p>A record is accepted only if its 8-byte header is complete, its length is positive and fits in
 * the file, the CRC32C of its payload matches, the payload parses as exactly one {@link WalRecord},
 * and the caller's {@link Visitor} accepts it (continuity of index and revision). Scanning stops at
 * the first record that fails any of these; nothing after it is read, since framing after corrupt
 * bytes cannot be trusted.
 *
 * <p>Thread-safety: stateless; each scan uses its own stream.
 */
final class WalReader {

  private WalReader() {}

  /** Decides whether a well-formed record continues the log. */
  interface Visitor {
    /** Returns null to accept the record (and apply it), or the reason it breaks the log. */
    String accept(WalRecord record);
  }

  /**
   * The outcome of scanning one segment.
   *
   * @param validBytes bytes from the start of the file up to the end of the last accepted record
   * @param damage why the record at {@code validBytes} was rejected, null if the file was clean
   */
  record Scan(long validBytes, String damage) {}

  /** The segment files in {@code dir}, ordered by first index; other files are ignored. */
  static List<Segment> list(Path dir) throws IOException {
    List<Segment> out = new ArrayList<>();
    try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "*" + Segment.SUFFIX)) {
      for (Path p : files) {
        long first = Segment.parseFirstIndex(p.getFileName().toString());
        if (first > 0) {
          out.add(new Segment(p, first));
        }
      }
    }
    out.sort(Comparator.comparingLong(s -> s.firstIndex));
    return out;
  }

  static Scan scan(Path file, Visitor visitor) throws IOException {
    long size = Files.size(file);
    long pos = 0;
    byte[] header = new byte[WalWriter.HEADER_BYTES];
    byte[] payload = new byte[4096];
    CRC32C crc = new CRC32C();
    try (InputStream in = new BufferedInputStream(Files.newInputStream(file), 1 << 16)) {
      while (pos < size) {
        long left = size - pos;
        if (left < WalWriter.HEADER_BYTES) {
          return new Scan(pos, "truncated header (" + left + " of 8 bytes)");
        }
        readFully(in, header, WalWriter.HEADER_BYTES);
        ByteBuffer h = ByteBuffer.wrap(header);
        int length = h.getInt();
        int expectedCrc = h.getInt();
        if (length == 0) {
          return new Scan(pos, "zero length (zero-filled tail)");
        }
        if (length < 0 || length > left - WalWriter.HEADER_BYTES) {
          return new Scan(
              pos,
              "torn record: length "
                  + Integer.toUnsignedString(length)
                  + " exceeds the "
                  + (left - WalWriter.HEADER_BYTES)
                  + " bytes left");
        }
        if (payload.length < length) {
          payload = new byte[Math.max(length, payload.length * 2)];
        }
        readFully(in, payload, length);
        crc.reset();
        crc.update(payload, 0, length);
        if ((int) crc.getValue() != expectedCrc) {
          return new Scan(pos, "checksum mismatch");
        }
        WalRecord record;
        try {
          record = WalRecord.decode(ByteBuffer.wrap(payload, 0, length));
        } catch (IllegalArgumentException e) {
          return new Scan(pos, "unparseable record: " + e.getMessage());
        }
        String rejected = visitor.accept(record);
        if (rejected != null) {
          return new Scan(pos, rejected);
        }
        pos += WalWriter.HEADER_BYTES + length;
      }
    }
    return new Scan(pos, null);
  }

  private static void readFully(InputStream in, byte[] into, int length) throws IOException {
    int n = in.readNBytes(into, 0, length);
    if (n != length) {
      throw new IOException("file shrank while being read");
    }
  }
}
