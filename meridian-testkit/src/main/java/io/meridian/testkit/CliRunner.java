package io.meridian.testkit;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs the {@code meridian} command as a separate process, the way a user does, and returns its
 * exit code and output. Every run is bounded (default 30 s); one that takes longer is killed and
 * reported as an {@link IllegalStateException} carrying its output so far.
 *
 * <p>Client commands are short-lived, so the JVM is started for fast startup (C1 only, serial GC).
 *
 * <p>Immutable; safe from any thread.
 */
public final class CliRunner {

  public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);

  /** JVM options for a short-lived command: start fast rather than peak. */
  static final List<String> CLIENT_JVM_OPTIONS =
      List.of("-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xshare:auto");

  private final Map<String, String> env;
  private final Duration timeout;
  private final Path workDir;

  private CliRunner(Map<String, String> env, Duration timeout, Path workDir) {
    this.env = Map.copyOf(env);
    this.timeout = timeout;
    this.workDir = workDir;
  }

  /** A runner with the environment of the tests, the default timeout and the current directory. */
  public static CliRunner create() {
    return new CliRunner(Map.of(), DEFAULT_TIMEOUT, null);
  }

  /** A runner whose commands talk to {@code registry} (through {@code MERIDIAN_REGISTRY}). */
  public static CliRunner against(URI registry) {
    return create().withEnv("MERIDIAN_REGISTRY", registry.toString());
  }

  /** Runs {@code meridian args...} with {@link #create()}'s settings. */
  public static CliResult run(String... args) {
    return create().exec(args);
  }

  public CliRunner withEnv(String name, String value) {
    Map<String, String> e = new HashMap<>(env);
    e.put(name, value);
    return new CliRunner(e, timeout, workDir);
  }

  public CliRunner withTimeout(Duration timeout) {
    return new CliRunner(env, timeout, workDir);
  }

  public CliRunner inDirectory(Path dir) {
    return new CliRunner(env, timeout, dir);
  }

  /** Runs {@code meridian args...}. */
  public CliResult exec(String... args) {
    return execWithInput(null, args);
  }

  /** Runs {@code meridian args...} with {@code stdin} as its standard input (null: none). */
  public CliResult execWithInput(String stdin, String... args) {
    Path tmp;
    try {
      tmp = Files.createTempDirectory("meridian-cli-");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    Path out = tmp.resolve("stdout");
    Path err = tmp.resolve("stderr");
    ProcessBuilder pb = new ProcessBuilder(MeridianJar.command(CLIENT_JVM_OPTIONS, List.of(args)));
    pb.environment().putAll(env);
    if (workDir != null) {
      pb.directory(workDir.toFile());
    }
    pb.redirectOutput(out.toFile()).redirectError(err.toFile());
    if (stdin == null) {
      pb.redirectInput(ProcessBuilder.Redirect.from(nullFile()));
    }
    Process p = null;
    try {
      p = pb.start();
      if (stdin != null) {
        try (OutputStream in = p.getOutputStream()) {
          in.write(stdin.getBytes(StandardCharsets.UTF_8));
        }
      }
      if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        throw new IllegalStateException(
            "meridian "
                + String.join(" ", args)
                + " did not finish within "
                + timeout.toSeconds()
                + "s"
                + "\n--- stdout ---\n"
                + read(out)
                + "\n--- stderr ---\n"
                + read(err));
      }
      return new CliResult(p.exitValue(), read(out), read(err));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(
          "interrupted while running meridian " + String.join(" ", args), e);
    } finally {
      if (p != null && p.isAlive()) {
        p.destroyForcibly();
      }
      TempFiles.deleteTree(tmp);
    }
  }

  private static java.io.File nullFile() {
    return new java.io.File(
        System.getProperty("os.name").startsWith("Windows") ? "NUL" : "/dev/null");
  }

  static String read(Path file) {
    try {
      return Files.exists(file) ? Files.readString(file, StandardCharsets.UTF_8) : "";
    } catch (IOException e) {
      return "<cannot read " + file + ": " + e.getMessage() + ">";
    }
  }
}
