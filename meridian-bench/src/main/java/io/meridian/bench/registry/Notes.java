package io.meridian.bench.registry;

import java.util.List;
import java.util.Locale;

/**
 * The "what limits these numbers" part of the report, derived from the measured figures, so it
 * stays true when the run is repeated on another machine.
 *
 * <p>Thread-safety: stateless.
 */
final class Notes {

  /** Above this many busy cores (of all processes) a 2-core run is CPU-bound. */
  private static final double SATURATED = 0.85;

  private Notes() {}

  static void append(
      StringBuilder b,
      int cpus,
      Samples.Summary disk,
      List<Report.WriteRow> writes,
      List<Report.WatchRow> watches) {
    b.append("### What limits these numbers\n\n");
    if (!writes.isEmpty()) {
      writes(b, cpus, disk, writes);
    }
    if (!watches.isEmpty()) {
      watches(b, cpus, watches);
    }
    b.append(
        "- **One run.** The *other processes* columns show CPU that work outside this"
            + " benchmark took meanwhile; above ~0.2 expect lower rates and higher tails. While this"
            + " benchmark was written, repeated runs on a shared 2-core VM differed by tens of percent"
            + " in the write rows, so treat ratios under ~1.3× as a tie.\n\n");
  }

  private static void writes(
      StringBuilder b, int cpus, Samples.Summary disk, List<Report.WriteRow> writes) {
    double ceiling = 1000 / disk.percentileMillis(50);
    StringBuilder single = new StringBuilder();
    for (Report.WriteRow w : writes) {
      ClosedLoop.Result r = w.result();
      if (r.clients() == 1) {
        double share = r.writesPerSecond() / ceiling;
        single
            .append(single.isEmpty() ? "" : "; ")
            .append(
                String.format(
                    Locale.ROOT,
                    "%s %.0f%% of it (%s)",
                    label(w),
                    share * 100,
                    share >= 0.6
                        ? "close: fsync latency is most of its per-write time"
                        : "bound by its own per-write path: CPU, thread hand-offs, the loopback round trip"));
      }
    }
    b.append(
        String.format(
            Locale.ROOT,
            "- **Disk.** A lone fdatasync takes %.2f ms (p50) here, so a single waiting client could in"
                + " principle reach ~%,.0f writes/s.%s With more clients every system batches several"
                + " writes per fsync (group commit in Meridian, raft batching in etcd), so the disk"
                + " stops being the limit.%n",
            disk.percentileMillis(50),
            ceiling,
            single.isEmpty() ? "" : " With 1 client: " + single + "."));
    b.append(
        "- **CPU per acknowledged write** (load generator + server, all threads, kernel"
            + " included): ");
    boolean firstItem = true;
    for (Report.WriteRow w : writes) {
      ClosedLoop.Result r = w.result();
      double cores =
          r.clientCpuCores() + (Double.isNaN(r.serverCpuCores()) ? 0 : r.serverCpuCores());
      b.append(firstItem ? "" : "; ");
      b.append(
          String.format(
              Locale.ROOT,
              "%s, %d client%s: %.0f µs",
              label(w),
              r.clients(),
              r.clients() == 1 ? "" : "s",
              cores / r.writesPerSecond() * 1e6));
      firstItem = false;
    }
    b.append(".\n");
    for (Report.WriteRow w : writes) {
      ClosedLoop.Result r = w.result();
      double busy = r.machineCpuCores() / cpus;
      if (r.clients() > 1 && busy >= SATURATED) {
        b.append(
            String.format(
                Locale.ROOT,
                "- %s with %d clients: the machine was %.0f%% busy (%s; other processes %.2f cores),"
                    + " so that row is CPU-bound on %d cores, not disk-bound.%n",
                label(w),
                r.clients(),
                busy * 100,
                Double.isNaN(r.serverCpuCores())
                    ? String.format(
                        Locale.ROOT,
                        "the load generator with the store in it %.2f cores",
                        r.clientCpuCores())
                    : String.format(
                        Locale.ROOT,
                        "load generator %.2f, server %.2f cores",
                        r.clientCpuCores(),
                        r.serverCpuCores()),
                Math.max(0, r.otherCpuCores()),
                cpus));
      }
    }
    for (Report.WriteRow w : writes) {
      ClosedLoop.Result r = w.result();
      if (w.system().equals("etcd") && r.clientCpuCores() >= 0.5 * r.serverCpuCores()) {
        b.append(
            String.format(
                Locale.ROOT,
                "- **The etcd client, %d client%s.** jetcd (gRPC over Vert.x) used %.2f cores of the"
                    + " load generator against etcd's %.2f: on %d cores that CPU is taken from the"
                    + " server%s, so this row is partly limited by the Java client. etcd's Go"
                    + " `benchmark` tool would load it more cheaply; it is not packaged here.%n",
                r.clients(),
                r.clients() == 1 ? "" : "s",
                r.clientCpuCores(),
                r.serverCpuCores(),
                cpus,
                r.clients() == 1 ? ", and each put's client-side work adds to its latency" : ""));
      }
    }
    b.append(
        "- **The HTTP path vs the store.** The HTTP rows pay for what the store rows do not:"
            + " HTTP parsing, JSON decoding and validation of the Instance, the resource layer's"
            + " read-modify-write, encoding the answer, and the registry's controllers (endpoints,"
            + " health, graceful deletion) decoding every change they are told about. The store rows"
            + " run in the load generator's JVM with no network hop, so they are an upper bound for"
            + " the storage engine, not a figure users see.\n");
  }

  private static void watches(StringBuilder b, int cpus, List<Report.WatchRow> watches) {
    for (Report.WatchRow w : watches) {
      WatchBench.Result r = w.result();
      double eventsPerSecond = r.watchers() * r.ratePerSecond();
      b.append(
          String.format(
              Locale.ROOT,
              "- **Fan-out, %s.** %,.0f events/s delivered; the server spent %.0f µs of CPU per"
                  + " delivered event (%.2f cores) and the load generator %.0f µs (%.2f cores) to"
                  + " receive them; the whole machine was %.0f%% busy.%s%n",
              w.system(),
              eventsPerSecond,
              r.serverCpuCores() / eventsPerSecond * 1e6,
              r.serverCpuCores(),
              r.clientCpuCores() / eventsPerSecond * 1e6,
              r.clientCpuCores(),
              r.machineCpuCores() / cpus * 100,
              r.transport().startsWith("1 HTTP/1.1")
                  ? " Each change is one chunk write (one `writev`) per watcher connection, so the"
                      + " kernel's TCP cost is paid a thousand times per change; etcd's gRPC sends to"
                      + " all its watch streams over one HTTP/2 connection in batched frames."
                  : ""));
    }
    b.append(
        "- **Watch latency includes the write.** A change's latency starts when the writer"
            + " sends it, so it contains the write's fsync and acknowledgement path; compare the"
            + " *write ack* column with the same systems' 1-client write latency above: with a"
            + " thousand watchers on 2 shared cores each write also waits for CPU taken by the"
            + " fan-out of the previous changes, on the server and in the load generator.\n");
    for (Report.WatchRow w : watches) {
      WatchBench.Result r = w.result();
      double warm = r.warmupLatency().percentileMillis(99);
      double steady = r.latency().percentileMillis(99);
      if (warm > 2 * steady) {
        b.append(
            String.format(
                Locale.ROOT,
                "- **Warm-up, %s.** p99 was %.0f ms over the first %.0f s after the watchers"
                    + " connected, against %.0f ms after: %s, and on %d cores the JIT compiler"
                    + " competes with the fan-out itself.%n",
                w.system(),
                warm,
                r.warmupChanges() / r.ratePerSecond(),
                steady,
                w.system().equals("Meridian")
                    ? "both JVMs (registry and load generator) were still compiling the fan-out and"
                        + " receive paths; a freshly started registry shows such tails for its first"
                        + " seconds under this load"
                    : "etcd is compiled ahead of time, so this is mostly the load generator's JVM"
                        + " still compiling jetcd's receive path",
                cpus));
      }
    }
  }

  private static String label(Report.WriteRow w) {
    if (w.path().startsWith("HTTP")) {
      return w.system() + " HTTP";
    }
    if (w.path().startsWith("embedded")) {
      return w.system() + " store";
    }
    return w.system();
  }
}
