package io.meridian.registry.store.embedded;

import io.meridian.registry.store.KeyValue;
import java.io.IOException;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.zip.CRC32C;

/**
 * Writes and reads point-in-time images of the whole store: {@code snap/<16 hex revision>.snap}.
 *
 * <p>Layout (big-endian): {@code [u32 magic "MSNP"][u32 format 1][u64 log index][u64 revision] [u64
 * compactedRevision][u64 max lease id][u32 n][n x (u64 lease id, u64 ttl nanos)][u64 m] [m x
 * key-value]} followed by {@code [u32 CRC32C of everything before]}. A snapshot is written to a
 * {@code .tmp} file, forced, renamed into place and the directory forced, so a crash leaves either
 * the old set of snapshots or the new one; stray {@code .tmp} files are deleted at start. The
 * newest {@link #RETAINED} are kept, so a snapshot that fails its CRC can fall back to the one
 * before it (the WAL is kept back to that one too).
 *
 * <p>Thread-safety: stateless apart from its configuration; {@link #write} runs on the snapshot
 * thread, reading on the recovery thread, never both at once.
 */
final class Snapshotter {

  static final int RETAINED = 2;
  private static final String SUFFIX = ".snap";
  private static final int MAGIC = 0x4d534e50;
  private static final int FORMAT = 1;
  private static final int FIXED_BYTES = 4 + 4 + 8 * 4 + 4 + 8 + 4;
  private static final int FLUSH_BYTES = 1 << 16;

  /** A lease as stored: recovered leases get a fresh full TTL, so no deadline is kept. */
  record LeaseImage(long id, long ttlNanos) {}

  /** The store at one log index. */
  record Image(
      long index,
      long revision,
      long compactedRevision,
      long maxLeaseId,
      List<LeaseImage> leases,
      List<KeyValue> kvs) {}

  private final Path dir;
  private final boolean fsync;

  Snapshotter(Path dir, boolean fsync) {
    this.dir = dir;
    this.fsync = fsync;
  }

  void write(Image image) throws IOException {
    String name = HexFormat.of().toHexDigits(image.revision()) + SUFFIX;
    Path tmp = dir.resolve(name + ".tmp");
    CRC32C crc = new CRC32C();
    RecordBuffer buf = new RecordBuffer(FLUSH_BYTES + 1024);
    try (FileChannel ch =
        FileChannel.open(
            tmp,
            StandardOpenOption.CREATE,
            StandardOpenOption.TRUNCATE_EXISTING,
            StandardOpenOption.WRITE)) {
      buf.putInt(MAGIC);
      buf.putInt(FORMAT);
      buf.putLong(image.index());
      buf.putLong(image.revision());
      buf.putLong(image.compactedRevision());
      buf.putLong(image.maxLeaseId());
      buf.putInt(image.leases().size());
      for (LeaseImage l : image.leases()) {
        buf.putLong(l.id());
        buf.putLong(l.ttlNanos());
      }
      buf.putLong(image.kvs().size());
      for (KeyValue kv : image.kvs()) {
        buf.putKeyValue(kv);
        if (buf.size() >= FLUSH_BYTES) {
          flush(ch, buf, crc);
        }
      }
      flush(ch, buf, crc);
      buf.putInt((int) crc.getValue());
      flush(ch, buf, null);
      if (fsync) {
        ch.force(true);
      }
    }
    Files.move(
        tmp,
        dir.resolve(name),
        StandardCopyOption.ATOMIC_MOVE,
        StandardCopyOption.REPLACE_EXISTING);
    if (fsync) {
      WalWriter.syncDirectory(dir);
    }
    List<Path> all = list();
    for (int i = RETAINED; i < all.size(); i++) {
      Files.deleteIfExists(all.get(i));
    }
  }

  private static void flush(FileChannel ch, RecordBuffer buf, CRC32C crc) throws IOException {
    if (crc != null) {
      crc.update(buf.array(), 0, buf.size());
    }
    ByteBuffer bb = buf.asByteBuffer();
    while (bb.hasRemaining()) {
      ch.write(bb);
    }
    buf.clear();
  }

  /** Snapshot files, newest first. */
  List<Path> list() throws IOException {
    List<Path> out = new ArrayList<>();
    try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "*" + SUFFIX)) {
      for (Path p : files) {
        if (revisionOf(p) >= 0) {
          out.add(p);
        }
      }
    }
    out.sort(Comparator.comparingLong(Snapshotter::revisionOf).reversed());
    return out;
  }

  void deleteTemporaries() throws IOException {
    try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "*.tmp")) {
      for (Path p : files) {
        Files.deleteIfExists(p);
      }
    }
  }

  /**
   * What recovery found in the snapshot directory.
   *
   * @param newest the newest snapshot that reads back intact
   * @param olderIndex the log index of the intact snapshot before it, 0 if none
   */
  record Loaded(Optional<Image> newest, long olderIndex) {}

  /**
   * Loads the newest snapshot that reads back intact. Each one that does not is deleted (so it
   * cannot shadow good ones later) and described in {@code problems}.
   */
  Loaded load(List<String> problems) throws IOException {
    Image newest = null;
    for (Path p : list()) {
      try {
        if (newest == null) {
          newest = read(p);
        } else {
          return new Loaded(Optional.of(newest), intactIndex(p));
        }
      } catch (IllegalArgumentException e) {
        problems.add("snap/" + p.getFileName() + ": " + e.getMessage() + " (deleted)");
        Files.deleteIfExists(p);
      }
    }
    return new Loaded(Optional.ofNullable(newest), 0);
  }

  /**
   * Checks a snapshot's CRC without parsing it and returns its log index.
   *
   * @throws IllegalArgumentException if it is damaged
   */
  private static long intactIndex(Path file) throws IOException {
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      return checked(ch).getLong(8);
    }
  }

  /** Maps a snapshot and verifies its trailing CRC; returns the body (without the CRC). */
  private static ByteBuffer checked(FileChannel ch) throws IOException {
    long size = ch.size();
    if (size < FIXED_BYTES || size > Integer.MAX_VALUE) {
      throw new IllegalArgumentException("implausible size " + size);
    }
    MappedByteBuffer map = ch.map(FileChannel.MapMode.READ_ONLY, 0, size);
    int bodyBytes = (int) size - 4;
    CRC32C crc = new CRC32C();
    crc.update(map.slice(0, bodyBytes));
    if ((int) crc.getValue() != map.getInt(bodyBytes)) {
      throw new IllegalArgumentException("checksum mismatch");
    }
    return map.slice(0, bodyBytes);
  }

  /**
   * Reads one snapshot.
   *
   * @throws IllegalArgumentException if it is damaged
   */
  static Image read(Path file) throws IOException {
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      ByteBuffer in = checked(ch);
      Image image = parse(in);
      if (in.hasRemaining()) {
        throw new IllegalArgumentException(in.remaining() + " trailing bytes");
      }
      if (image.revision() != revisionOf(file)) {
        throw new IllegalArgumentException("holds revision " + image.revision());
      }
      return image;
    } catch (BufferUnderflowException e) {
      throw new IllegalArgumentException("ends early", e);
    }
  }

  private static Image parse(ByteBuffer in) {
    if (in.getInt() != MAGIC || in.getInt() != FORMAT) {
      throw new IllegalArgumentException("not a snapshot of format " + FORMAT);
    }
    long index = in.getLong();
    long revision = in.getLong();
    long compacted = in.getLong();
    long maxLeaseId = in.getLong();
    int leaseCount = in.getInt();
    if (leaseCount < 0 || leaseCount > in.remaining() / 16) {
      throw new IllegalArgumentException("bad lease count " + leaseCount);
    }
    List<LeaseImage> leases = new ArrayList<>(leaseCount);
    for (int i = 0; i < leaseCount; i++) {
      leases.add(new LeaseImage(in.getLong(), in.getLong()));
    }
    long kvCount = in.getLong();
    if (kvCount < 0 || kvCount > in.remaining() / 40) {
      throw new IllegalArgumentException("bad key count " + kvCount);
    }
    List<KeyValue> kvs = new ArrayList<>((int) kvCount);
    for (long i = 0; i < kvCount; i++) {
      kvs.add(RecordBuffer.getKeyValue(in));
    }
    return new Image(index, revision, compacted, maxLeaseId, leases, kvs);
  }

  private static long revisionOf(Path p) {
    String name = p.getFileName().toString();
    if (name.length() != 16 + SUFFIX.length() || !name.endsWith(SUFFIX)) {
      return -1;
    }
    try {
      return HexFormat.fromHexDigitsToLong(name.substring(0, 16));
    } catch (IllegalArgumentException e) {
      return -1;
    }
  }
}
