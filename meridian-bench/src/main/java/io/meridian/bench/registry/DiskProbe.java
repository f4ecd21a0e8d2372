package io.meridian.bench.registry;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.function.LongSupplier;

/**
 * The floor under every durable write here: the latency of appending about 200 bytes to a file and
 * forcing it ({@code FileChannel.force(false)}, i.e. fdatasync, which is what both Meridian's log
 * and etcd's WAL do), on the disk holding the data dirs. One client that waits for each write can
 * do at most about {@code 1 / p50} writes per second; only batching (group commit) goes past it.
 *
 * <p>Thread-safety: stateless; one call at a time per directory.
 */
final class DiskProbe {

  private DiskProbe() {}

  static Samples.Summary fdatasync(Path dir, int count, LongSupplier ticker) throws IOException {
    Path file = dir.resolve("fsync-probe.bin");
    Samples samples = new Samples();
    ByteBuffer record = ByteBuffer.allocate(200);
    try (FileChannel ch =
        FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
      for (int i = 0; i < count; i++) {
        record.clear();
        long t0 = ticker.getAsLong();
        while (record.hasRemaining()) {
          ch.write(record);
        }
        ch.force(false);
        long t1 = ticker.getAsLong();
        if (i >= count / 10) { // the first tenth warms the path
          samples.add(t1 - t0);
        }
      }
    } finally {
      Files.deleteIfExists(file);
    }
    return Samples.merge(List.of(samples));
  }
}
