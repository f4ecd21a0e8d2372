package io.meridian.bench.registry;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;

/**
 * Change-to-watch-event latency: with every watcher of a {@link WatchFleet} open, a writer makes
 * changes at a steady rate, each stamped with {@code ticker} when it is sent; every watcher records
 * when the event for it arrives (same JVM, same ticker). The latency of a (watcher, change) pair is
 * arrival minus send, so it includes the write's own fsync and acknowledgement path as far as the
 * commit, plus fan-out and delivery.
 *
 * <p>Sequence: open the watchers; change 0 is a barrier (wait until every watcher saw it, so every
 * watch is live); {@code warmupChanges} more at the rate, not counted in the main figures (a fresh
 * JVM compiles its fan-out path meanwhile; their latencies are reported apart); then {@code
 * changes} measured ones; then wait (bounded) until every watcher saw every measured change.
 *
 * <p>Per change, the send time, acknowledgement and spread of arrivals go to a CSV file, to see
 * when in the run slow deliveries happened.
 *
 * <p>Thread-safety: {@link #run} from one thread; the writer runs on a private scheduler thread.
 */
final class WatchBench {

  private static final long BARRIER_MILLIS = 60_000;
  private static final long DRAIN_MILLIS = 30_000;

  private final LongSupplier ticker;

  WatchBench(LongSupplier ticker) {
    this.ticker = ticker;
  }

  /** What one run measured. CPU is in cores over the measured changes. */
  record Result(
      String transport,
      int watchers,
      int changes,
      int warmupChanges,
      double ratePerSecond,
      long delivered,
      long expected,
      Samples.Summary latency,
      Samples.Summary writeAck,
      Samples.Summary warmupLatency,
      long duplicates,
      long unknown,
      long errors,
      String firstError,
      long writeErrors,
      double clientCpuCores,
      double serverCpuCores,
      double machineCpuCores) {

    /** CPU the rest of the machine used meanwhile. */
    double otherCpuCores() {
      return machineCpuCores - clientCpuCores - serverCpuCores;
    }
  }

  Result run(WatchFleet fleet, int watchers, int warmupChanges, int changes, double rate, Path csv)
      throws Exception {
    int total = 1 + warmupChanges + changes;
    int first = 1 + warmupChanges;
    Arrivals arrivals = new Arrivals(watchers, total);
    long[] sent = new long[total];
    long[] acked = new long[total];
    AtomicInteger writeErrors = new AtomicInteger();
    fleet.open(arrivals);

    sent[0] = ticker.getAsLong();
    fleet.change(0).get(30, TimeUnit.SECONDS);
    waitUntil(() -> arrivals.seen(0) >= watchers || arrivals.errors() > 0, BARRIER_MILLIS);
    if (arrivals.seen(0) < watchers) {
      throw new IllegalStateException(
          "only "
              + arrivals.seen(0)
              + " of "
              + watchers
              + " watchers saw the first change"
              + (arrivals.firstError() == null ? "" : "; " + arrivals.firstError()));
    }

    ScheduledExecutorService writer =
        Executors.newSingleThreadScheduledExecutor(
            r -> Thread.ofPlatform().daemon().name("watch-bench-writer").unstarted(r));
    long cpuClient0 = 0;
    long cpuServer0 = 0;
    long cpuMachine0 = 0;
    long t0 = 0;
    try {
      CountDownLatch written = new CountDownLatch(total - 1);
      AtomicInteger next = new AtomicInteger(1);
      long periodNanos = (long) (1e9 / rate);
      long[] measureStart = new long[4];
      ScheduledFuture<?> task =
          writer.scheduleAtFixedRate(
              () -> {
                int i = next.getAndIncrement();
                if (i >= total) {
                  return;
                }
                if (i == first) {
                  measureStart[0] = Cpu.nanos(ProcessHandle.current());
                  measureStart[1] = Cpu.nanos(fleet.server());
                  measureStart[2] = ticker.getAsLong();
                  measureStart[3] = Cpu.machineNanos();
                }
                sent[i] = ticker.getAsLong();
                fleet
                    .change(i)
                    .whenComplete(
                        (v, e) -> {
                          if (e != null) {
                            writeErrors.incrementAndGet();
                          } else {
                            acked[i] = ticker.getAsLong();
                          }
                          written.countDown();
                        });
              },
              0,
              periodNanos,
              TimeUnit.NANOSECONDS);
      long writeMillis = (long) ((total - 1) * 1000 / rate) + 30_000;
      boolean allWritten = written.await(writeMillis, TimeUnit.MILLISECONDS);
      task.cancel(false);
      if (!allWritten) {
        throw new IllegalStateException("the writer did not finish in " + writeMillis + " ms");
      }
      long expected = (long) watchers * changes;
      waitUntil(() -> arrivals.seen(first, total) >= expected, DRAIN_MILLIS);
      cpuClient0 = measureStart[0];
      cpuServer0 = measureStart[1];
      t0 = measureStart[2];
      cpuMachine0 = measureStart[3];
    } finally {
      writer.shutdownNow();
      writer.awaitTermination(5, TimeUnit.SECONDS);
    }
    long cpuClient1 = Cpu.nanos(ProcessHandle.current());
    long cpuServer1 = Cpu.nanos(fleet.server());
    long cpuMachine1 = Cpu.machineNanos();
    double wall = (ticker.getAsLong() - t0) / 1e9;

    List<Samples> perWatcher = new ArrayList<>(watchers);
    List<Samples> warmPerWatcher = new ArrayList<>(watchers);
    long delivered = 0;
    for (int w = 0; w < watchers; w++) {
      Samples s = new Samples();
      Samples warm = new Samples();
      for (int i = 1; i < total; i++) {
        long at = arrivals.at(w, i);
        if (at != 0) {
          (i < first ? warm : s).add(at - sent[i]);
        }
      }
      delivered += s.size();
      perWatcher.add(s);
      warmPerWatcher.add(warm);
    }
    writeCsv(csv, arrivals, sent, acked, first, total);
    Samples ack = new Samples();
    for (int i = first; i < total; i++) {
      if (acked[i] != 0) {
        ack.add(acked[i] - sent[i]);
      }
    }
    return new Result(
        fleet.transport(),
        watchers,
        changes,
        warmupChanges,
        rate,
        delivered,
        (long) watchers * changes,
        Samples.merge(perWatcher),
        Samples.merge(List.of(ack)),
        Samples.merge(warmPerWatcher),
        arrivals.duplicates(),
        arrivals.unknown(),
        arrivals.errors(),
        arrivals.firstError(),
        writeErrors.get(),
        Cpu.cores(cpuClient0, cpuClient1, wall),
        Cpu.cores(cpuServer0, cpuServer1, wall),
        Cpu.cores(cpuMachine0, cpuMachine1, wall));
  }

  private static void writeCsv(
      Path csv, Arrivals arrivals, long[] sent, long[] acked, int first, int total)
      throws IOException {
    StringBuilder b = new StringBuilder("change,sent_ms,ack_ms,seen,p50_ms,p99_ms,max_ms\n");
    for (int i = first; i < total; i++) {
      Samples s = new Samples();
      for (int w = 0; w < arrivals.watchers(); w++) {
        long at = arrivals.at(w, i);
        if (at != 0) {
          s.add(at - sent[i]);
        }
      }
      Samples.Summary sum = Samples.merge(List.of(s));
      b.append(
          String.format(
              Locale.ROOT,
              "%d,%.3f,%.3f,%d,%.3f,%.3f,%.3f%n",
              i,
              (sent[i] - sent[first]) / 1e6,
              acked[i] == 0 ? Double.NaN : (acked[i] - sent[i]) / 1e6,
              sum.count(),
              sum.percentileMillis(50),
              sum.percentileMillis(99),
              sum.maxMillis()));
    }
    Files.writeString(csv, b);
  }

  private static void waitUntil(BooleanSupplier done, long timeoutMillis)
      throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
    while (!done.getAsBoolean() && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
  }
}
