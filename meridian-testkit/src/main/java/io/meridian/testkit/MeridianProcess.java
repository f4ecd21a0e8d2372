package io.meridian.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * A {@code meridian} process started from the real jar with the JVM running the tests, its standard
 * output and error captured to files in its own temporary directory.
 *
 * <p>{@link #start} waits (bounded by {@link #START_TIMEOUT}) for the line {@code meridian:
 * registry listening on URL} and parses the URL; {@link #launch} does not wait. {@link #stop()}
 * sends SIGTERM and waits (bounded), then kills; {@link #kill()} sends SIGKILL; {@link #close()}
 * always kills what is left and removes the temporary directory. A JVM shutdown hook kills any
 * process a failed test left running.
 *
 * <p>Thread-safety: safe from any thread.
 */
public final class MeridianProcess implements AutoCloseable {

  public static final String LISTENING = "meridian: registry listening on ";
  public static final Duration START_TIMEOUT = Duration.ofSeconds(60);
  public static final Duration STOP_TIMEOUT = Duration.ofSeconds(15);
  static final Duration POLL = Duration.ofMillis(50);

  private static final Set<Process> LIVE = ConcurrentHashMap.newKeySet();

  static {
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(() -> LIVE.forEach(Process::destroyForcibly), "meridian-testkit-reaper"));
  }

  private final List<String> args;
  private final Path dir;
  private final Path stdout;
  private final Path stderr;
  private final Process process;
  private volatile URI uri;

  private MeridianProcess(List<String> args, Path dir, Process process) {
    this.args = List.copyOf(args);
    this.dir = dir;
    this.stdout = dir.resolve("stdout.log");
    this.stderr = dir.resolve("stderr.log");
    this.process = process;
  }

  /** Starts {@code meridian args...} and waits until its registry listens. */
  public static MeridianProcess start(String... args) {
    return launchIn(newDir(), List.of(args)).awaitRegistry();
  }

  /**
   * Starts {@code meridian server --port 0 --data-dir <its temp dir>/data extraArgs...} and waits
   * until it listens.
   */
  public static MeridianProcess startServer(String... extraArgs) {
    Path dir = newDir();
    List<String> a =
        new ArrayList<>(
            List.of("server", "--port", "0", "--data-dir", dir.resolve("data").toString()));
    a.addAll(List.of(extraArgs));
    return launchIn(dir, a).awaitRegistry();
  }

  /** Starts {@code meridian args...} without waiting for anything. */
  public static MeridianProcess launch(String... args) {
    return launchIn(newDir(), List.of(args));
  }

  /**
   * Starts {@code launcher args...} (the repository's {@code ./meridian} script, say) and waits
   * until its registry listens.
   */
  public static MeridianProcess startLauncher(Path launcher, String... args) {
    List<String> command = new ArrayList<>();
    command.add(launcher.toString());
    command.addAll(List.of(args));
    return launchIn(newDir(), List.of(args), command).awaitRegistry();
  }

  /**
   * Starts {@code prefix... java ... -jar meridian.jar args...} without waiting: the prefix runs
   * the JVM elsewhere, e.g. {@code ip netns exec NS} in a network namespace. The prefix must exec
   * the JVM (as {@code ip netns exec} does), so that {@link #stop()}'s SIGTERM reaches it.
   */
  public static MeridianProcess launchWithPrefix(List<String> prefix, String... args) {
    List<String> command = new ArrayList<>(prefix);
    command.addAll(MeridianJar.command(List.of(), List.of(args)));
    return launchIn(newDir(), List.of(args), command);
  }

  /** As {@link #launchWithPrefix}, and waits until its registry listens. */
  public static MeridianProcess startWithPrefix(List<String> prefix, String... args) {
    return launchWithPrefix(prefix, args).awaitRegistry();
  }

  private static MeridianProcess launchIn(Path dir, List<String> args) {
    return launchIn(dir, args, MeridianJar.command(List.of(), args));
  }

  private static MeridianProcess launchIn(Path dir, List<String> args, List<String> command) {
    ProcessBuilder pb =
        new ProcessBuilder(command)
            .directory(dir.toFile())
            .redirectOutput(dir.resolve("stdout.log").toFile())
            .redirectError(dir.resolve("stderr.log").toFile())
            .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
    try {
      Process p = pb.start();
      LIVE.add(p);
      return new MeridianProcess(args, dir, p);
    } catch (IOException e) {
      TempFiles.deleteTree(dir);
      throw new UncheckedIOException("cannot start meridian " + String.join(" ", args), e);
    }
  }

  private static Path newDir() {
    try {
      return Files.createTempDirectory("meridian-proc-");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private MeridianProcess awaitRegistry() {
    try {
      String line = awaitLine(l -> l.startsWith(LISTENING), START_TIMEOUT);
      uri = URI.create(line.substring(LISTENING.length()).strip());
      return this;
    } catch (RuntimeException e) {
      close();
      throw e;
    }
  }

  /**
   * The first line of standard output matching {@code wanted}, waiting up to {@code timeout}.
   *
   * @throws IllegalStateException when the process exits first or the time runs out, with its
   *     output
   */
  public String awaitLine(Predicate<String> wanted, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      for (String line : stdout().lines().toList()) {
        if (wanted.test(line)) {
          return line;
        }
      }
      if (!process.isAlive()) {
        throw new IllegalStateException(
            describe("exited with " + process.exitValue() + " before printing the line awaited"));
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException(
            describe("did not print the line awaited within " + timeout.toSeconds() + "s"));
      }
      try {
        Thread.sleep(POLL.toMillis());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted", e);
      }
    }
  }

  /** The first line of standard output containing {@code text}, waiting up to {@code timeout}. */
  public String awaitOutput(String text, Duration timeout) {
    return awaitLine(l -> l.contains(text), timeout);
  }

  /** The registry's URL, as the process printed it (after {@link #start}). */
  public URI uri() {
    if (uri == null) {
      throw new IllegalStateException(
          "meridian " + String.join(" ", args) + " has not printed its registry URL");
    }
    return uri;
  }

  public String stdout() {
    return CliRunner.read(stdout);
  }

  public String stderr() {
    return CliRunner.read(stderr);
  }

  public long pid() {
    return process.pid();
  }

  public boolean isAlive() {
    return process.isAlive();
  }

  /** Its own temporary directory (its working directory; {@link #startServer} keeps data here). */
  public Path directory() {
    return dir;
  }

  /** SIGTERM, then up to {@link #STOP_TIMEOUT} for it to exit, then SIGKILL; the exit code. */
  public int stop() {
    process.destroy();
    try {
      if (!process.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
        return kill();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return kill();
    }
    LIVE.remove(process);
    return process.exitValue();
  }

  /** SIGKILL, and waits for it to be gone; the exit code. */
  public int kill() {
    process.destroyForcibly();
    try {
      process.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    LIVE.remove(process);
    return process.isAlive() ? -1 : process.exitValue();
  }

  /** Kills the process if it still runs and removes its temporary directory. */
  @Override
  public void close() {
    if (process.isAlive()) {
      kill();
    }
    LIVE.remove(process);
    TempFiles.deleteTree(dir);
  }

  private String describe(String what) {
    return "meridian "
        + String.join(" ", args)
        + " "
        + what
        + "\n--- stdout ---\n"
        + stdout()
        + "\n--- stderr ---\n"
        + stderr();
  }

  @Override
  public String toString() {
    return "meridian "
        + String.join(" ", args)
        + " (pid "
        + process.pid()
        + (uri == null ? "" : ", " + uri)
        + ")";
  }
}
