package io.meridian.bench.registry;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayDeque;
import java.util.Deque;

/**
 * Everything the benchmark started (processes, clients, stores, temp dirs), closed in reverse order
 * exactly once: by the {@code finally} of the run, or by the JVM shutdown hook when the run is
 * interrupted (Ctrl-C, SIGTERM). Child processes also stop on their own when this JVM dies, because
 * they watch a pipe from it (see {@link ChildProcess}).
 *
 * <p>Thread-safety: all methods synchronize on this object; the hook and the main thread may race.
 */
final class Cleanup implements AutoCloseable {

  private final Deque<AutoCloseable> stack = new ArrayDeque<>();
  private final Thread hook = new Thread(this::close, "registry-bench-cleanup");
  private boolean closed;

  Cleanup() {
    Runtime.getRuntime().addShutdownHook(hook);
  }

  /** Registers {@code c} to be closed (before what was registered earlier); returns it. */
  synchronized <T extends AutoCloseable> T add(T c) {
    if (closed) {
      closeQuietly(c);
      throw new IllegalStateException("shutting down");
    }
    stack.push(c);
    return c;
  }

  /** Closes {@code c} now and forgets it. */
  synchronized void closeNow(AutoCloseable c) {
    if (stack.remove(c)) {
      closeQuietly(c);
    }
  }

  /** Deletes {@code dir} with everything under it at close. */
  synchronized Path deleteAtClose(Path dir) {
    add(() -> deleteTree(dir));
    return dir;
  }

  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    while (!stack.isEmpty()) {
      closeQuietly(stack.pop());
    }
    if (Thread.currentThread() != hook) {
      try {
        Runtime.getRuntime().removeShutdownHook(hook);
      } catch (IllegalStateException e) {
        // already shutting down
      }
    }
  }

  private static void closeQuietly(AutoCloseable c) {
    try {
      c.close();
    } catch (Exception e) {
      System.err.println("registry-bench: cleanup: " + e);
    }
  }

  static void deleteTree(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    Files.walkFileTree(
        dir,
        new SimpleFileVisitor<>() {
          @Override
          public FileVisitResult visitFile(Path file, BasicFileAttributes attrs)
              throws IOException {
            Files.delete(file);
            return FileVisitResult.CONTINUE;
          }

          @Override
          public FileVisitResult postVisitDirectory(Path d, IOException e) throws IOException {
            Files.delete(d);
            return FileVisitResult.CONTINUE;
          }
        });
  }
}
