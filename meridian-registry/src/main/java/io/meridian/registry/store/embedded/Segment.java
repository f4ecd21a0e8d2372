package io.meridian.registry.store.embedded;

import java.nio.file.Path;
import java.util.HexFormat;

/**
 * One WAL segment file, {@code <16 hex digits of its first record's index>.wal}, and what is known
 * about its records.
 *
 * <p>Thread-safety: not thread-safe; owned by the writer thread (or by recovery before it).
 */
final class Segment {

  static final String SUFFIX = ".wal";

  final Path path;
  final long firstIndex;

  /** Index of its last record, {@code firstIndex - 1} while empty. */
  long lastIndex;

  /** The highest revision of any event in it, 0 if it holds none. */
  long maxRevision;

  /** Bytes in it, including bytes staged but not yet written. */
  long size;

  Segment(Path path, long firstIndex) {
    this.path = path;
    this.firstIndex = firstIndex;
    this.lastIndex = firstIndex - 1;
  }

  static String fileName(long firstIndex) {
    return HexFormat.of().toHexDigits(firstIndex) + SUFFIX;
  }

  /** The first index encoded in a segment file name, or -1 if it is not a segment's name. */
  static long parseFirstIndex(String fileName) {
    if (fileName.length() != 16 + SUFFIX.length() || !fileName.endsWith(SUFFIX)) {
      return -1;
    }
    try {
      return HexFormat.fromHexDigitsToLong(fileName.substring(0, 16));
    } catch (IllegalArgumentException e) {
      return -1;
    }
  }

  @Override
  public String toString() {
    return path.getFileName() + "[" + firstIndex + ".." + lastIndex + "]";
  }
}
