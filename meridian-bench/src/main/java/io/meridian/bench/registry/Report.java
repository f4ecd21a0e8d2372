package io.meridian.bench.registry;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The benchmark's figures as Markdown: the tables, the machine, the command, whether the product
 * goals hold, and what limits each number. The same text goes to stdout and, with {@code --docs},
 * replaces the section {@value #HEADING} of that file (up to the next {@code ## } heading).
 *
 * <p>Thread-safety: immutable after construction.
 */
final class Report {

  static final String HEADING = "## Registry: writes and watch latency vs etcd";
  static final double WATCH_P99_GOAL_MILLIS = 50;

  record WriteRow(String system, String path, ClosedLoop.Result result) {}

  record WatchRow(String system, WatchBench.Result result) {}

  private final Machine machine;
  private final BenchOptions options;
  private final Samples.Summary disk;
  private final List<WriteRow> writes;
  private final List<WatchRow> watches;

  Report(
      Machine machine,
      BenchOptions options,
      Samples.Summary disk,
      List<WriteRow> writes,
      List<WatchRow> watches) {
    this.machine = machine;
    this.options = options;
    this.disk = disk;
    this.writes = List.copyOf(writes);
    this.watches = List.copyOf(watches);
  }

  String markdown() {
    StringBuilder b = new StringBuilder();
    b.append(HEADING).append("\n\n");
    b.append("Measured ")
        .append(machine.date())
        .append(" on ")
        .append(machine.oneLine())
        .append(
            ". Registry, etcd and the load generator share these CPUs; figures are from one run.")
        .append("\n\n");
    b.append("Reproduce (about 3 minutes after the build): `")
        .append(options.command())
        .append("`\n\n");
    b.append(
        String.format(
            Locale.ROOT,
            "Disk floor: appending 200 bytes and `fdatasync` on this disk takes p50 %.2f ms, p99 %.2f ms,"
                + " so one client waiting for each fsync can make at most ~%,.0f writes/s; more only"
                + " comes from batching several writes per fsync.%n%n",
            disk.percentileMillis(50),
            disk.percentileMillis(99),
            1000 / disk.percentileMillis(50)));
    if (!writes.isEmpty()) {
      writesTable(b);
    }
    if (!watches.isEmpty()) {
      watchTable(b);
    }
    goals(b);
    Notes.append(b, machine.cpus(), disk, writes, watches);
    return b.toString();
  }

  private void writesTable(StringBuilder b) {
    b.append("### Acknowledged writes per second (fsync before every acknowledgement)\n\n");
    b.append(
        String.format(
            Locale.ROOT,
            "Closed loop: each client waits for its write's acknowledgement, then writes again; %ds"
                + " measured after %ds of warm-up. The HTTP rows PUT a %d-byte Instance, which the"
                + " registry stores with uid, generation and timestamp added; the store and etcd rows"
                + " write that stored form (%d bytes). Each client cycles over %d keys. CPU is in cores (1.00 = one of the %d CPUs busy)"
                + " over the measured window.%n%n",
            options.duration().toSeconds(),
            options.warmup().toSeconds(),
            Instances.putBody(Instances.name(0, 0)).length,
            Instances.storedValue(Instances.name(0, 0)).length,
            Instances.KEYS_PER_CLIENT,
            machine.cpus()));
    b.append(
        "| system | path | clients | writes/s | p50 ms | p99 ms | errors |"
            + " CPU: load generator | server | other processes |\n");
    b.append("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|\n");
    for (WriteRow w : writes) {
      ClosedLoop.Result r = w.result();
      b.append(
          String.format(
              Locale.ROOT,
              "| %s | %s | %d | %,.0f | %.2f | %.2f | %d | %s | %s | %s |%n",
              w.system(),
              w.path(),
              r.clients(),
              r.writesPerSecond(),
              r.latency().percentileMillis(50),
              r.latency().percentileMillis(99),
              r.errors() + r.unfinished(),
              cores(r.clientCpuCores()),
              Double.isNaN(r.serverCpuCores()) ? "(in-process)" : cores(r.serverCpuCores()),
              cores(r.otherCpuCores())));
    }
    b.append('\n');
  }

  private void watchTable(StringBuilder b) {
    b.append(
        String.format(
            Locale.ROOT, "### Change → watch event latency, %,d watchers%n%n", options.watchers()));
    b.append(
        String.format(
            Locale.ROOT,
            "A writer in the load generator makes %d changes at %.0f/s, each stamped with"
                + " `System.nanoTime()` when sent, on connections of its own (Meridian: %d keep-alive"
                + " connections used in turn; etcd: a second jetcd client); every watcher, in the"
                + " same JVM, records when the event arrives. Latency = arrival − send over every"
                + " (watcher, change) pair, so it includes the write itself (fsync included). The"
                + " server is a separate process. Before them, %d changes (%.0f s) at the same rate"
                + " warm both JVMs up; their latencies are the *warm-up* column.%n%n",
            options.changes(),
            options.rate(),
            MeridianWatchFleet.WRITERS,
            options.watchWarmup(),
            options.watchWarmup() / options.rate()));
    b.append(
        "| system | watchers reach it over | delivered / expected | p50 ms | p99 ms | max ms |"
            + " write ack p50 / p99 ms | warm-up p50 / p99 ms | CPU: load generator | server |"
            + " other processes |\n");
    b.append("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
    for (WatchRow w : watches) {
      WatchBench.Result r = w.result();
      b.append(
          String.format(
              Locale.ROOT,
              "| %s | %s | %,d / %,d%s | %.2f | %.2f | %.2f | %.2f / %.2f | %.2f / %.2f | %s | %s |"
                  + " %s |%n",
              w.system(),
              r.transport(),
              r.delivered(),
              r.expected(),
              anomalies(r),
              r.latency().percentileMillis(50),
              r.latency().percentileMillis(99),
              r.latency().maxMillis(),
              r.writeAck().percentileMillis(50),
              r.writeAck().percentileMillis(99),
              r.warmupLatency().percentileMillis(50),
              r.warmupLatency().percentileMillis(99),
              cores(r.clientCpuCores()),
              cores(r.serverCpuCores()),
              cores(r.otherCpuCores())));
    }
    b.append('\n');
  }

  private static String anomalies(WatchBench.Result r) {
    StringBuilder s = new StringBuilder();
    if (r.duplicates() > 0) {
      s.append(", ").append(r.duplicates()).append(" duplicates");
    }
    if (r.unknown() > 0) {
      s.append(", ").append(r.unknown()).append(" unexpected events");
    }
    if (r.errors() > 0) {
      s.append(", ").append(r.errors()).append(" watch errors");
    }
    if (r.writeErrors() > 0) {
      s.append(", ").append(r.writeErrors()).append(" failed writes");
    }
    return s.toString();
  }

  private void goals(StringBuilder b) {
    b.append("### Against the product goals\n\n");
    if (!writes.isEmpty()) {
      for (int clients : options.concurrency()) {
        Optional<WriteRow> http = find(clients, "Meridian", "HTTP");
        Optional<WriteRow> store = find(clients, "Meridian", "store");
        Optional<WriteRow> etcd = find(clients, "etcd", "");
        if (etcd.isEmpty()) {
          continue;
        }
        double e = etcd.get().result().writesPerSecond();
        b.append(String.format(Locale.ROOT, "- Write rate ≥ etcd's, %d client(s): ", clients));
        b.append(http.map(h -> verdict("HTTP API", h.result().writesPerSecond(), e)).orElse(""));
        b.append(
            store
                .map(s -> "; " + verdict("embedded store", s.result().writesPerSecond(), e))
                .orElse(""));
        b.append(".\n");
      }
    }
    Optional<WatchRow> etcdWatch =
        watches.stream().filter(w -> w.system().equals("etcd")).findFirst();
    for (WatchRow w : watches) {
      if (!w.system().equals("Meridian")) {
        continue;
      }
      WatchBench.Result r = w.result();
      double p99 = r.latency().percentileMillis(99);
      double warmP99 = r.warmupLatency().percentileMillis(99);
      boolean complete = r.delivered() == r.expected();
      b.append(
          String.format(
              Locale.ROOT,
              "- Watch p99 < %.0f ms with %,d watchers: **%s** (p99 %.2f ms after the warm-up%s%s%s).%n",
              WATCH_P99_GOAL_MILLIS,
              r.watchers(),
              p99 < WATCH_P99_GOAL_MILLIS && complete ? "holds" : "does not hold",
              p99,
              complete
                  ? ", every event delivered"
                  : ", but only " + r.delivered() + " of " + r.expected() + " events arrived",
              warmP99 >= WATCH_P99_GOAL_MILLIS
                  ? String.format(
                      Locale.ROOT,
                      "; during the %.0f s warm-up it was %.2f ms",
                      r.warmupChanges() / r.ratePerSecond(),
                      warmP99)
                  : "",
              etcdWatch
                  .map(
                      e ->
                          String.format(
                              Locale.ROOT,
                              "; etcd: %.2f ms",
                              e.result().latency().percentileMillis(99)))
                  .orElse("")));
    }
    b.append('\n');
  }

  private static String verdict(String what, double meridian, double etcd) {
    return String.format(
        Locale.ROOT,
        "%s **%s** (%,.0f vs %,.0f writes/s, %.2f×)",
        what,
        meridian >= etcd ? "holds" : "does not hold",
        meridian,
        etcd,
        meridian / etcd);
  }

  Optional<WriteRow> find(int clients, String system, String pathPart) {
    return writes.stream()
        .filter(
            w ->
                w.result().clients() == clients
                    && w.system().equals(system)
                    && w.path().contains(pathPart))
        .findFirst();
  }

  /** Cores with two decimals; a slightly negative difference (tick rounding) shows as 0.00. */
  private static String cores(double c) {
    return Double.isNaN(c) ? "n/a" : String.format(Locale.ROOT, "%.2f", Math.max(0, c));
  }

  /** Replaces (or appends) this report's section in {@code file}, creating the file if needed. */
  void writeSection(Path file) throws IOException {
    String section = markdown();
    String old =
        Files.exists(file)
            ? Files.readString(file, StandardCharsets.UTF_8)
            : "# Benchmarks\n\nFigures printed by the benchmarks in `meridian-bench`; each section"
                + " names the command that reproduces it. Benchmarks never pass or fail on speed.\n\n";
    String updated;
    int start = old.indexOf(HEADING + "\n");
    if (start < 0) {
      updated = (old.endsWith("\n\n") ? old : old.stripTrailing() + "\n\n") + section;
    } else {
      int end = old.indexOf("\n## ", start + HEADING.length());
      updated = old.substring(0, start) + section + (end < 0 ? "" : old.substring(end + 1));
    }
    if (file.getParent() != null) {
      Files.createDirectories(file.getParent());
    }
    Files.writeString(file, updated, StandardCharsets.UTF_8);
  }
}
