package io.meridian.bench.registry;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * Drives a {@link WriteTarget} with {@code clients} closed-loop chains: each chain issues a write,
 * waits for its acknowledgement, and issues the next one at once. That is the classic "N concurrent
 * clients" load; the achieved rate is what the system sustains with N writes in flight.
 *
 * <p>Timeline: writes run for {@code warmup + measure}. Only writes that start after the warm-up
 * and complete before its end count, for both the rate and the latencies; nothing is issued after
 * the end, and the run waits at most {@code drain} for the last writes. A chain that sees 100
 * failures in a row stops early, so a dead target cannot spin a core.
 *
 * <p>Thread-safety: {@link #run} is called from one thread; chains run on the target's completion
 * threads, each chain serially.
 */
final class ClosedLoop {

  private static final int MAX_CONSECUTIVE_ERRORS = 100;

  private final LongSupplier ticker;

  ClosedLoop(LongSupplier ticker) {
    this.ticker = ticker;
  }

  /** What one run measured. Process CPU is in CPU-seconds per wall-second (1.0 = one core). */
  record Result(
      int clients,
      long writes,
      double seconds,
      Samples.Summary latency,
      long errors,
      long unfinished,
      double clientCpuCores,
      double serverCpuCores,
      double machineCpuCores,
      String firstError) {

    double writesPerSecond() {
      return writes / seconds;
    }

    /** CPU the rest of the machine used meanwhile (other processes, the kernel's own threads). */
    double otherCpuCores() {
      return machineCpuCores - clientCpuCores - (Double.isNaN(serverCpuCores) ? 0 : serverCpuCores);
    }
  }

  Result run(WriteTarget target, int clients, Duration warmup, Duration measure, Duration drain)
      throws InterruptedException {
    long start = ticker.getAsLong();
    long measureFrom = start + warmup.toNanos();
    long end = measureFrom + measure.toNanos();
    CountDownLatch done = new CountDownLatch(clients);
    List<Chain> chains = new ArrayList<>(clients);
    AtomicLong errors = new AtomicLong();
    for (int c = 0; c < clients; c++) {
      chains.add(new Chain(target, c, measureFrom, end, done, errors));
    }
    for (Chain chain : chains) {
      chain.next();
    }
    sleepUntil(measureFrom);
    long cpuClient0 = Cpu.nanos(ProcessHandle.current());
    long cpuServer0 = Cpu.nanos(target.server());
    long cpuMachine0 = Cpu.machineNanos();
    long t0 = ticker.getAsLong();
    sleepUntil(end);
    long cpuClient1 = Cpu.nanos(ProcessHandle.current());
    long cpuServer1 = Cpu.nanos(target.server());
    long cpuMachine1 = Cpu.machineNanos();
    long t1 = ticker.getAsLong();
    boolean finished = done.await(drain.toMillis(), TimeUnit.MILLISECONDS);
    long unfinished = finished ? 0 : done.getCount();
    double wall = (t1 - t0) / 1e9;
    boolean sameProcess = target.server().pid() == ProcessHandle.current().pid();
    List<Samples> parts = new ArrayList<>();
    long writes = 0;
    String firstError = null;
    for (Chain chain : chains) {
      synchronized (chain) { // the chain may still be finishing a late write if not `finished`
        parts.add(chain.samples);
        writes += chain.samples.size();
        if (firstError == null) {
          firstError = chain.firstError;
        }
      }
    }
    return new Result(
        clients,
        writes,
        measure.toNanos() / 1e9,
        Samples.merge(parts),
        errors.get(),
        unfinished,
        Cpu.cores(cpuClient0, cpuClient1, wall),
        sameProcess ? Double.NaN : Cpu.cores(cpuServer0, cpuServer1, wall),
        Cpu.cores(cpuMachine0, cpuMachine1, wall),
        firstError);
  }

  private void sleepUntil(long deadline) throws InterruptedException {
    long left;
    while ((left = deadline - ticker.getAsLong()) > 0) {
      TimeUnit.NANOSECONDS.sleep(Math.min(left, 100_000_000L));
    }
  }

  /** One client's loop. Guarded by its own monitor (cheap: never contended but at the end). */
  private final class Chain {
    private final WriteTarget target;
    private final int client;
    private final long measureFrom;
    private final long end;
    private final CountDownLatch done;
    private final AtomicLong errors;
    private final Samples samples = new Samples();
    private long seq;
    private int consecutiveErrors;
    private String firstError;

    Chain(
        WriteTarget target,
        int client,
        long measureFrom,
        long end,
        CountDownLatch done,
        AtomicLong errors) {
      this.target = target;
      this.client = client;
      this.measureFrom = measureFrom;
      this.end = end;
      this.done = done;
      this.errors = errors;
    }

    /** Issues writes until one is pending; trampolines over futures that completed already. */
    void next() {
      while (true) {
        long t0 = ticker.getAsLong();
        if (t0 >= end || consecutiveErrors >= MAX_CONSECUTIVE_ERRORS) {
          done.countDown();
          return;
        }
        CompletableFuture<?> f = issue();
        if (f.isDone()) {
          complete(f, t0);
          continue;
        }
        f.whenComplete(
            (v, e) -> {
              complete(f, t0);
              next();
            });
        return;
      }
    }

    private CompletableFuture<?> issue() {
      try {
        return target.write(client, seq++);
      } catch (RuntimeException e) {
        return CompletableFuture.failedFuture(e);
      }
    }

    private synchronized void complete(CompletableFuture<?> f, long t0) {
      long t1 = ticker.getAsLong();
      if (f.isCompletedExceptionally()) {
        consecutiveErrors++;
        errors.incrementAndGet();
        if (firstError == null) {
          firstError = f.exceptionNow().toString();
        }
        return;
      }
      consecutiveErrors = 0;
      if (t0 >= measureFrom && t1 <= end) {
        samples.add(t1 - t0);
      }
    }
  }
}
