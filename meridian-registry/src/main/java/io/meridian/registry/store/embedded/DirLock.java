package io.meridian.registry.store.embedded;

import java.io.Closeable;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * An exclusive lock on {@code dataDir/LOCK}, so two stores (in this or another process) never
 * append to the same log. The OS drops it when the process dies, so a crash never leaves the
 * directory locked.
 *
 * <p>Thread-safety: acquired once, closed once, by the store's lifecycle methods.
 */
final class DirLock implements Closeable {

  private final FileChannel channel;
  private final FileLock lock;

  private DirLock(FileChannel channel, FileLock lock) {
    this.channel = channel;
    this.lock = lock;
  }

  static DirLock acquire(Path dataDir) throws IOException {
    FileChannel ch =
        FileChannel.open(
            dataDir.resolve("LOCK"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
    FileLock lock;
    try {
      lock = ch.tryLock();
    } catch (OverlappingFileLockException e) {
      lock = null;
    } catch (IOException | RuntimeException e) {
      ch.close();
      throw e;
    }
    if (lock == null) {
      ch.close();
      throw new IOException(dataDir + " is in use by another store");
    }
    return new DirLock(ch, lock);
  }

  @Override
  public void close() throws IOException {
    try {
      lock.release();
    } finally {
      channel.close();
    }
  }
}
