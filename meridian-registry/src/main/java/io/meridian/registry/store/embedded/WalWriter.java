package io.meridian.registry.store.embedded;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayDeque;
import java.util.List;
import java.util.function.Predicate;
import java.util.zip.CRC32C;

/**
 * Appends framed records to the active segment and makes them durable in groups.
 *
 * <p>Framing: {@code [u32 payload length][u32 CRC32C of payload][payload]}, big-endian. Records of
 * a batch are staged in memory by {@link #append}; {@link #sync} writes them with as few syscalls
 * as possible and issues one {@code fdatasync} ({@code force(false)}, which on Linux also persists
 * the grown file size). A new segment is started when the next record would push the active one
 * past {@code segmentBytes}; the old one is forced first and the directory is synced after creating
 * the new file, so a record can never be acknowledged while its file name is still only in the page
 * cache.
 *
 * <p>Thread-safety: not thread-safe; used only by the writer thread, and by {@code close()} after
 * that thread has stopped.
 */
final class WalWriter implements Closeable {

  static final int HEADER_BYTES = 8;

  private final Path dir;
  private final long segmentBytes;
  private final boolean fsync;
  private final ArrayDeque<Segment> segments;
  private final RecordBuffer staging = new RecordBuffer(1 << 16);
  private final CRC32C crc = new CRC32C();
  private Segment active;
  private FileChannel channel;

  /**
   * @param recovered the segments recovery kept, oldest first
   * @param appendToLast whether the last recovered segment ends right before the next record and
   *     can be appended to
   */
  WalWriter(
      Path dir, long segmentBytes, boolean fsync, List<Segment> recovered, boolean appendToLast)
      throws IOException {
    this.dir = dir;
    this.segmentBytes = segmentBytes;
    this.fsync = fsync;
    this.segments = new ArrayDeque<>(recovered);
    if (appendToLast && !segments.isEmpty()) {
      active = segments.peekLast();
      channel = FileChannel.open(active.path, StandardOpenOption.WRITE);
      channel.position(active.size);
    }
  }

  /** Stages one record; it is durable only after the next {@link #sync}. */
  void append(RecordBuffer payload, long index, long revision) throws IOException {
    int frame = HEADER_BYTES + payload.size();
    if (active == null || (active.size > 0 && active.size + frame > segmentBytes)) {
      roll(index);
    }
    crc.reset();
    crc.update(payload.array(), 0, payload.size());
    staging.putInt(payload.size());
    staging.putInt((int) crc.getValue());
    staging.putBytes(payload.array(), 0, payload.size());
    active.size += frame;
    active.lastIndex = index;
    active.maxRevision = Math.max(active.maxRevision, revision);
  }

  /** Writes everything staged and forces it to disk. */
  void sync() throws IOException {
    writeStaged();
    if (fsync && channel != null) {
      channel.force(false);
    }
  }

  private void writeStaged() throws IOException {
    if (staging.size() == 0) {
      return;
    }
    ByteBuffer buf = staging.asByteBuffer();
    while (buf.hasRemaining()) {
      channel.write(buf);
    }
    staging.clear();
  }

  private void roll(long firstIndex) throws IOException {
    if (channel != null) {
      sync();
      channel.close();
    }
    Segment next = new Segment(dir.resolve(Segment.fileName(firstIndex)), firstIndex);
    channel =
        FileChannel.open(
            next.path,
            StandardOpenOption.CREATE,
            StandardOpenOption.TRUNCATE_EXISTING,
            StandardOpenOption.WRITE);
    if (fsync) {
      syncDirectory(dir);
    }
    active = next;
    segments.addLast(next);
  }

  /**
   * Deletes segments from the oldest on while {@code deletable} holds; never the active one, and
   * never one after a segment that must stay (so the log has no holes).
   */
  int trim(Predicate<Segment> deletable) throws IOException {
    int deleted = 0;
    while (segments.size() > 1 && segments.peekFirst() != active) {
      Segment oldest = segments.peekFirst();
      if (!deletable.test(oldest)) {
        break;
      }
      Files.deleteIfExists(oldest.path);
      segments.removeFirst();
      deleted++;
    }
    return deleted;
  }

  int segmentCount() {
    return segments.size();
  }

  /** Closes the file without writing what is still staged (which was never acknowledged). */
  @Override
  public void close() throws IOException {
    staging.clear();
    if (channel != null) {
      channel.close();
      channel = null;
    }
  }

  static void syncDirectory(Path dir) throws IOException {
    try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
      ch.force(true);
    }
  }
}
