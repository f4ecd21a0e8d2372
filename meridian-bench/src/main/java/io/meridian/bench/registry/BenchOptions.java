package io.meridian.bench.registry;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Command-line options of {@link RegistryBench}, validated when parsed.
 *
 * @param duration measured time per write run
 * @param warmup unmeasured time before it
 * @param concurrency the client counts of the write runs
 * @param watchers watch streams per system
 * @param changes measured changes in the watch runs
 * @param rate changes per second
 * @param watchWarmup unmeasured changes before them
 * @param clientThreads event loop threads of the load generator's HTTP client
 * @param etcd the etcd binary
 * @param workDir where data dirs and logs go (null: a new temp dir, deleted at the end)
 * @param docs the Markdown file whose registry section is replaced (null, or "-" on the command
 *     line: none)
 * @param command the command line to quote as the way to reproduce
 * @param registryJvmArgs extra JVM options for the registry process (e.g. a JFR recording)
 * @param parts which parts to run: writes, watch or both
 * @param targets which targets to run: http, store, etcd (for profiling one alone); the watch part
 *     runs Meridian for http and etcd for etcd
 * @param jitWarmup unmeasured load on each write target before its first run, so that both JVMs
 *     (registry and load generator) have compiled the hot paths
 * @param quietWait how long each run may wait for other work on the machine to calm down
 */
record BenchOptions(
    Duration duration,
    Duration warmup,
    List<Integer> concurrency,
    int watchers,
    int changes,
    double rate,
    int watchWarmup,
    int clientThreads,
    String etcd,
    Path workDir,
    Path docs,
    String command,
    List<String> registryJvmArgs,
    String parts,
    List<String> targets,
    Duration jitWarmup,
    Duration quietWait) {

  static final String USAGE =
      """
      usage: RegistryBench [--duration 10s] [--warmup 3s] [--concurrency 1,64] [--watchers 1000]
                           [--changes 500] [--rate 50] [--watch-warmup 500] [--client-threads 2]
                           [--etcd /usr/bin/etcd] [--work-dir DIR] [--docs docs/benchmarks.md]
                           [--command "how to reproduce"] [--registry-jvm-arg OPT]...
                           [--parts writes,watch] [--targets http,store,etcd]
                           [--jit-warmup 5s] [--quiet-wait 5s]
      """;

  BenchOptions {
    require(!duration.isNegative() && !duration.isZero(), "--duration must be positive");
    require(!warmup.isNegative(), "--warmup must not be negative");
    require(duration.compareTo(Duration.ofMinutes(10)) <= 0, "--duration must be at most 10m");
    require(!concurrency.isEmpty(), "--concurrency needs at least one value");
    for (int c : concurrency) {
      require(c >= 1 && c <= 1024, "--concurrency values must be 1..1024");
    }
    require(!jitWarmup.isNegative(), "--jit-warmup must not be negative");
    require(!quietWait.isNegative(), "--quiet-wait must not be negative");
    require(watchers >= 1 && watchers <= 10_000, "--watchers must be 1..10000");
    require(changes >= 1 && changes <= 100_000, "--changes must be 1..100000");
    require(rate > 0 && rate <= 10_000, "--rate must be in (0, 10000]");
    require(watchWarmup >= 0 && watchWarmup <= 100_000, "--watch-warmup must be 0..100000");
    require(clientThreads >= 1 && clientThreads <= 64, "--client-threads must be 1..64");
    require(
        List.of("writes", "watch", "writes,watch", "watch,writes").contains(parts),
        "--parts must be writes, watch or writes,watch");
    require(
        !targets.isEmpty() && List.of("http", "store", "etcd").containsAll(targets),
        "--targets takes a subset of http,store,etcd");
    concurrency = List.copyOf(concurrency);
    targets = List.copyOf(targets);
    registryJvmArgs = List.copyOf(registryJvmArgs);
  }

  boolean writes() {
    return parts.contains("writes");
  }

  boolean watch() {
    return parts.contains("watch");
  }

  static BenchOptions parse(String[] args) {
    Duration duration = Duration.ofSeconds(10);
    Duration warmup = Duration.ofSeconds(3);
    List<Integer> concurrency = List.of(1, 64);
    int watchers = 1000;
    int changes = 500;
    double rate = 50;
    int watchWarmup = 500;
    int clientThreads = Math.min(2, Runtime.getRuntime().availableProcessors());
    String etcd = "etcd";
    Path workDir = null;
    Path docs = null;
    String command = "meridian-bench/run-registry-bench.sh";
    List<String> jvmArgs = new ArrayList<>();
    String parts = "writes,watch";
    List<String> targets = List.of("http", "store", "etcd");
    Duration jitWarmup = Duration.ofSeconds(5);
    Duration quietWait = Duration.ofSeconds(5);
    for (int i = 0; i < args.length; i++) {
      String a = args[i];
      if (a.equals("-h") || a.equals("--help")) {
        throw new IllegalArgumentException("");
      }
      if (i + 1 >= args.length) {
        throw new IllegalArgumentException("missing value for " + a);
      }
      String v = args[++i];
      switch (a) {
        case "--duration" -> duration = duration(v);
        case "--warmup" -> warmup = duration(v);
        case "--concurrency" -> {
          List<Integer> cs = new ArrayList<>();
          for (String s : v.split(",")) {
            cs.add(integer(s.trim(), a));
          }
          concurrency = cs;
        }
        case "--watchers" -> watchers = integer(v, a);
        case "--changes" -> changes = integer(v, a);
        case "--rate" -> rate = number(v, a);
        case "--watch-warmup" -> watchWarmup = integer(v, a);
        case "--client-threads" -> clientThreads = integer(v, a);
        case "--etcd" -> etcd = v;
        case "--work-dir" -> workDir = Path.of(v);
        case "--docs" -> docs = v.equals("-") ? null : Path.of(v);
        case "--command" -> command = v;
        case "--registry-jvm-arg" -> jvmArgs.add(v);
        case "--parts" -> parts = v;
        case "--targets" -> targets = List.of(v.split(","));
        case "--jit-warmup" -> jitWarmup = duration(v);
        case "--quiet-wait" -> quietWait = duration(v);
        default -> throw new IllegalArgumentException("unknown option " + a);
      }
    }
    return new BenchOptions(
        duration,
        warmup,
        concurrency,
        watchers,
        changes,
        rate,
        watchWarmup,
        clientThreads,
        etcd,
        workDir,
        docs,
        command,
        jvmArgs,
        parts,
        targets,
        jitWarmup,
        quietWait);
  }

  /** "10s", "500ms", "2m", or a bare number of seconds. */
  static Duration duration(String v) {
    try {
      if (v.endsWith("ms")) {
        return Duration.ofMillis(Long.parseLong(v.substring(0, v.length() - 2)));
      }
      if (v.endsWith("s")) {
        return Duration.ofMillis(
            Math.round(Double.parseDouble(v.substring(0, v.length() - 1)) * 1000));
      }
      if (v.endsWith("m")) {
        return Duration.ofSeconds(Long.parseLong(v.substring(0, v.length() - 1)) * 60);
      }
      return Duration.ofMillis(Math.round(Double.parseDouble(v) * 1000));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("not a duration: " + v + " (use 10s, 500ms, 2m)");
    }
  }

  private static int integer(String v, String option) {
    try {
      return Integer.parseInt(v);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(option + " needs a whole number, got " + v);
    }
  }

  private static double number(String v, String option) {
    try {
      return Double.parseDouble(v);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(option + " needs a number, got " + v);
    }
  }

  private static void require(boolean ok, String message) {
    if (!ok) {
      throw new IllegalArgumentException(message);
    }
  }
}
