package io.meridian.bench.registry;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongSupplier;

/**
 * Meridian's registry against etcd on the same machine in the same run: acknowledged (fsynced)
 * writes per second at several client counts, through the HTTP API, through the embedded store
 * alone, and through etcd's own client; then change-to-watch-event latency with a thousand watchers
 * on each. Prints Markdown, and with {@code --docs} replaces the registry section of that file. It
 * never passes or fails on speed: the exit code says only whether it could measure.
 *
 * <p>The registry and etcd run as separate processes, each with its own data dir under the work
 * dir; the embedded store runs in this process. Every loop is bounded in count and time, and every
 * process started here is stopped at the end, on failure, and on Ctrl-C. See {@code
 * run-registry-bench.sh} for the supported way to run it.
 *
 * <p>Thread-safety: a main.
 */
public final class RegistryBench {

  /** Below this much CPU used by others, the machine counts as quiet. */
  private static final double QUIET_CORES = 0.25;

  private RegistryBench() {}

  public static void main(String[] args) {
    BenchOptions options;
    try {
      options = BenchOptions.parse(args);
    } catch (IllegalArgumentException e) {
      if (!e.getMessage().isEmpty()) {
        System.err.println("registry-bench: " + e.getMessage());
      }
      System.err.print(BenchOptions.USAGE);
      System.exit(2);
      return;
    }
    int code;
    try (Cleanup cleanup = new Cleanup()) {
      run(options, cleanup);
      code = 0;
    } catch (Exception e) {
      System.err.println("registry-bench: failed: " + e);
      e.printStackTrace();
      code = 1;
    }
    System.exit(code);
  }

  private static void run(BenchOptions o, Cleanup cleanup) throws Exception {
    LongSupplier ticker = System::nanoTime;
    Path work;
    if (o.workDir() == null) {
      work = cleanup.deleteAtClose(Files.createTempDirectory("meridian-registry-bench-"));
    } else {
      work = Files.createDirectories(o.workDir());
    }
    Machine machine = Machine.describe(work, o.etcd());
    progress("machine: " + machine.oneLine());
    progress("work dir: " + work);

    Samples.Summary disk = DiskProbe.fdatasync(work, 2000, ticker);
    progress(
        String.format(
            "disk: fdatasync of a 200-byte append p50 %.2f ms, p90 %.2f ms," + " p99 %.2f ms",
            disk.percentileMillis(50), disk.percentileMillis(90), disk.percentileMillis(99)));

    EtcdServer etcd =
        cleanup.add(
            EtcdServer.start(o.etcd(), work.resolve("etcd-data"), work.resolve("etcd.log")));
    progress("etcd: pid " + etcd.process().pid() + " at " + etcd.clientUrl());
    RegistryProcess registry =
        cleanup.add(
            RegistryProcess.start(
                work.resolve("registry-data"), work.resolve("registry.log"), o.registryJvmArgs()));
    progress("registry: pid " + registry.process().pid() + " at " + registry.address());
    ClientEventLoops loops = cleanup.add(new ClientEventLoops(o.clientThreads()));
    ClientEventLoops writerLoop = cleanup.add(new ClientEventLoops(1));

    List<Report.WriteRow> writes = new ArrayList<>();
    if (o.writes()) {
      ClosedLoop loop = new ClosedLoop(ticker);
      if (!o.jitWarmup().isZero()) {
        int most = o.concurrency().stream().mapToInt(Integer::intValue).max().orElse(1);
        progress(
            "JIT warm-up: "
                + o.jitWarmup().toSeconds()
                + "s of "
                + most
                + " clients on each target, not measured");
        if (o.targets().contains("http")) {
          prewarm(
              cleanup,
              loop,
              o,
              most,
              new HttpWriteTarget(loops, registry.address(), registry.process()));
        }
        if (o.targets().contains("store")) {
          prewarm(cleanup, loop, o, most, new StoreWriteTarget(work.resolve("store-jit")));
        }
        if (o.targets().contains("etcd")) {
          prewarm(cleanup, loop, o, most, new EtcdWriteTarget(etcd));
        }
      }
      for (int clients : o.concurrency()) {
        if (o.targets().contains("http")) {
          writes.add(
              writeRun(
                  cleanup,
                  loop,
                  o,
                  clients,
                  "Meridian",
                  "HTTP API: PUT instance",
                  new HttpWriteTarget(loops, registry.address(), registry.process())));
        }
        if (o.targets().contains("store")) {
          writes.add(
              writeRun(
                  cleanup,
                  loop,
                  o,
                  clients,
                  "Meridian",
                  "embedded store, in-process txn",
                  new StoreWriteTarget(work.resolve("store-c" + clients))));
        }
        if (o.targets().contains("etcd")) {
          writes.add(
              writeRun(cleanup, loop, o, clients, "etcd", "jetcd put", new EtcdWriteTarget(etcd)));
        }
      }
    }

    List<Report.WatchRow> watches = new ArrayList<>();
    if (o.watch()) {
      WatchBench bench = new WatchBench(ticker);
      if (o.targets().contains("http")) {
        watches.add(
            watchRun(
                cleanup,
                bench,
                o,
                "Meridian",
                work.resolve("watch-meridian.csv"),
                new MeridianWatchFleet(
                    loops, writerLoop, registry.address(), registry.process(), ticker)));
      }
      if (o.targets().contains("etcd")) {
        watches.add(
            watchRun(
                cleanup,
                bench,
                o,
                "etcd",
                work.resolve("watch-etcd.csv"),
                new EtcdWatchFleet(etcd, ticker)));
      }
    }

    Report report = new Report(machine, o, disk, writes, watches);
    System.out.println(report.markdown());
    if (o.docs() != null) {
      report.writeSection(o.docs());
      progress("wrote the registry section of " + o.docs());
    }
  }

  private static void prewarm(
      Cleanup cleanup, ClosedLoop loop, BenchOptions o, int clients, WriteTarget target)
      throws Exception {
    cleanup.add(target);
    try {
      target.open(clients);
      loop.run(target, clients, Duration.ZERO, o.jitWarmup(), Duration.ofSeconds(30));
    } finally {
      cleanup.closeNow(target);
    }
  }

  private static void awaitQuiet(BenchOptions o) throws InterruptedException {
    if (o.quietWait().isZero()) {
      return;
    }
    double load = Cpu.awaitQuiet(QUIET_CORES, o.quietWait().toMillis());
    if (load >= QUIET_CORES) {
      progress(
          String.format(
              "note: other work keeps %.2f of the machine's CPUs busy;"
                  + " this run's figures will be lower and noisier",
              load));
    }
  }

  private static Report.WriteRow writeRun(
      Cleanup cleanup,
      ClosedLoop loop,
      BenchOptions o,
      int clients,
      String system,
      String path,
      WriteTarget target)
      throws Exception {
    cleanup.add(target);
    try {
      target.open(clients);
      awaitQuiet(o);
      progress(
          String.format(
              "writes: %s, %s, %d client(s): %s warm-up + %s ...",
              system, path, clients, o.warmup().toSeconds() + "s", o.duration().toSeconds() + "s"));
      ClosedLoop.Result r =
          loop.run(target, clients, o.warmup(), o.duration(), Duration.ofSeconds(30));
      progress(
          String.format(
              "  %.0f writes/s, p50 %.2f ms, p99 %.2f ms, errors %d, CPU: load generator %.2f,"
                  + " server %.2f, other %.2f%s",
              r.writesPerSecond(),
              r.latency().percentileMillis(50),
              r.latency().percentileMillis(99),
              r.errors(),
              r.clientCpuCores(),
              r.serverCpuCores(),
              r.otherCpuCores(),
              r.firstError() == null ? "" : " (first error: " + r.firstError() + ")"));
      return new Report.WriteRow(system, path, r);
    } finally {
      cleanup.closeNow(target);
    }
  }

  private static Report.WatchRow watchRun(
      Cleanup cleanup, WatchBench bench, BenchOptions o, String system, Path csv, WatchFleet fleet)
      throws Exception {
    cleanup.add(fleet);
    try {
      awaitQuiet(o);
      progress(
          String.format(
              "watch: %s, %d watchers, %d + %d changes at %.0f/s ...",
              system, o.watchers(), o.watchWarmup(), o.changes(), o.rate()));
      WatchBench.Result r =
          bench.run(fleet, o.watchers(), o.watchWarmup(), o.changes(), o.rate(), csv);
      progress(
          String.format(
              "  delivered %d/%d, p50 %.2f ms, p99 %.2f ms, max %.2f ms, write ack p50 %.2f ms,"
                  + " CPU: load generator %.2f, server %.2f, other %.2f%s",
              r.delivered(),
              r.expected(),
              r.latency().percentileMillis(50),
              r.latency().percentileMillis(99),
              r.latency().maxMillis(),
              r.writeAck().percentileMillis(50),
              r.clientCpuCores(),
              r.serverCpuCores(),
              r.otherCpuCores(),
              r.firstError() == null ? "" : " (first error: " + r.firstError() + ")"));
      return new Report.WatchRow(system, r);
    } finally {
      cleanup.closeNow(fleet);
    }
  }

  static void progress(String line) {
    System.err.println("registry-bench: " + line);
  }
}
