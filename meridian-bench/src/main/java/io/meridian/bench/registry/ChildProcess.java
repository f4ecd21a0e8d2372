package io.meridian.bench.registry;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A server process this benchmark started, tied to it by a pipe: the child (or the shell wrapping
 * it) exits when its stdin closes, which also happens when this JVM dies without running its
 * shutdown hooks. {@link #close} closes the pipe, then stops the serving process by PID (SIGTERM,
 * then SIGKILL after {@code grace}).
 *
 * <p>Thread-safety: {@link #close} is idempotent and may race with a shutdown hook.
 */
final class ChildProcess implements AutoCloseable {

  private final String name;
  private final Process process;
  private final ProcessHandle server;
  private final long serverPid;
  private final BufferedReader stdout;

  private ChildProcess(
      String name, Process process, ProcessHandle server, long serverPid, BufferedReader stdout) {
    this.name = name;
    this.process = process;
    this.server = server;
    this.serverPid = serverPid;
    this.stdout = stdout;
  }

  /**
   * Starts {@code builder}, whose first stdout line must be {@code pid <n>} (the serving process;
   * the started process itself when it is the server) and which must exit when its stdin closes.
   */
  static ChildProcess start(String name, ProcessBuilder builder) throws IOException {
    Process p = builder.redirectInput(ProcessBuilder.Redirect.PIPE).start();
    BufferedReader out =
        new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
    ChildProcess child = new ChildProcess(name, p, p.toHandle(), p.pid(), out);
    String first = child.awaitLine("pid ", 30_000);
    if (first == null) {
      child.close();
      throw new IOException(name + " did not start (no \"pid\" line)");
    }
    long pid = Long.parseLong(first.substring(4).trim());
    // if it is gone already, the handle falls back to the wrapper (for CPU readings only) and
    // serverAlive() says false because the pids differ
    ProcessHandle server = ProcessHandle.of(pid).orElse(p.toHandle());
    return new ChildProcess(name, p, server, pid, out);
  }

  /**
   * The next stdout line starting with {@code prefix}, or null at EOF or after {@code
   * timeoutMillis}; other lines (a JVM's own notices) are copied to stderr.
   */
  String awaitLine(String prefix, long timeoutMillis) throws IOException {
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
    long left;
    while ((left = deadline - System.nanoTime()) > 0) {
      String line = readLine(TimeUnit.NANOSECONDS.toMillis(left));
      if (line == null || line.startsWith(prefix)) {
        return line;
      }
      System.err.println(name + ": " + line);
    }
    return null;
  }

  /** The next stdout line, or null at EOF or after {@code timeoutMillis}. */
  String readLine(long timeoutMillis) throws IOException {
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
    StringBuilder line = new StringBuilder();
    while (System.nanoTime() < deadline) {
      if (!stdout.ready()) {
        if (!process.isAlive() && !stdout.ready()) {
          return line.isEmpty() ? null : line.toString();
        }
        sleep(10);
        continue;
      }
      int c = stdout.read();
      if (c < 0) {
        return line.isEmpty() ? null : line.toString();
      }
      if (c == '\n') {
        return line.toString();
      }
      line.append((char) c);
    }
    return null;
  }

  /** The last {@code lines} lines of a log file, for an error message ("" if unreadable). */
  static String tail(Path log, int lines) {
    try {
      List<String> all = Files.readAllLines(log, StandardCharsets.UTF_8);
      return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
    } catch (IOException | RuntimeException e) {
      return "(cannot read " + log + ": " + e + ")";
    }
  }

  /** The process that serves (etcd itself, not its wrapper shell), for CPU accounting. */
  ProcessHandle server() {
    return server;
  }

  /** Whether the serving process runs (a zombie its wrapper has not reaped yet does not). */
  boolean serverAlive() {
    if (!server.isAlive() || server.pid() != serverPid) {
      return false;
    }
    try {
      String stat = Files.readString(Path.of("/proc/" + server.pid() + "/stat"));
      int close = stat.lastIndexOf(')');
      return close < 0 || close + 2 >= stat.length() || stat.charAt(close + 2) != 'Z';
    } catch (IOException | RuntimeException e) {
      return server.isAlive(); // not Linux, or it just went away
    }
  }

  @Override
  public void close() {
    try {
      OutputStream in = process.getOutputStream();
      in.close();
    } catch (IOException e) {
      // already closed
    }
    stop(server, 10);
    stop(process.toHandle(), 5);
    if (process.isAlive()) {
      System.err.println("registry-bench: " + name + " (pid " + process.pid() + ") did not stop");
    }
  }

  private static void stop(ProcessHandle h, int graceSeconds) {
    if (!h.isAlive()) {
      return;
    }
    h.destroy();
    try {
      h.onExit().get(graceSeconds, TimeUnit.SECONDS);
    } catch (Exception e) {
      h.destroyForcibly();
      try {
        h.onExit().get(5, TimeUnit.SECONDS);
      } catch (Exception ignored) {
        // reported by the caller
      }
    }
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }
}
