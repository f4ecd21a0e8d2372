package io.meridian.bench.balancer;

import io.meridian.balancer.Backend;
import io.meridian.balancer.HashKeys;
import io.meridian.balancer.Picker;
import io.meridian.balancer.Policies;
import io.meridian.balancer.RandomSource;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * The cost of one {@link Picker#pick()} (and, for the hash policies, one {@link Picker#pick(long)})
 * for every Meridian policy over 10, 100 and 1,000 backends: average ns per pick, and with {@code
 * -prof gc} bytes allocated per pick ({@code gc.alloc.rate.norm}).
 *
 * <p>Design note. What is measured is the picker as a client's request path sees it: built once by
 * {@link Policies#create(String)} with its defaults over the same backends for every policy
 * (weights 1..10 drawn from a seeded generator, so weighted policies do real weighted work and
 * every run sees the same set), with {@link RandomSource#threadLocal()}, the production source. Per
 * pick, round robin and weighted round robin do one atomic increment and one array read; random one
 * {@code ThreadLocalRandom} draw into an alias table; least request two such draws and two reads of
 * in-flight counters (all zero here: no request is ever started); ring hash, without a hash, one
 * alias draw by arc share and, with one, a bucket lookup and a branchless count over at most 8 ring
 * points; maglev a draw and one table read. Building the picker is not measured.
 *
 * <p>{@link #pickHash} feeds precomputed XXH64 hashes of 4,096 distinct client keys, cycled by a
 * per-thread index, so the hash of the key is not measured (it is the caller's, once per request,
 * and the same for every policy); the index costs an increment and a mask. For policies that ignore
 * the hash it measures their fallback to {@code pick()}; the report runs it for {@code ring_hash}
 * and {@code maglev} only.
 *
 * <p>Fairness against {@link GrpcRoundRobinBenchmark}: the same JMH run, mode and fork settings;
 * grpc's round-robin picker also does one atomic increment per pick plus a list read and a call to
 * its child's fixed picker. Single-threaded: contention on the shared counter is not measured.
 *
 * <p>Thread-safety: JMH state; the picker is shared by all benchmark threads (as in a client).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class PickBenchmark {

  /** How many precomputed hashes {@link #pickHash} cycles over; a power of two. */
  static final int HASHES = 4096;

  @Param({"round_robin", "weighted_round_robin", "random", "least_request", "ring_hash", "maglev"})
  public String policy;

  @Param({"10", "100", "1000"})
  public int endpoints;

  private Picker<String> picker;
  private long[] hashes;

  @Setup
  public void setUp() {
    SplittableRandom seeded = new SplittableRandom(20261126L);
    List<Backend<String>> backends = new ArrayList<>(endpoints);
    for (int i = 0; i < endpoints; i++) {
      String address = "10.0." + (i >> 8) + "." + (i & 0xff) + ":8080";
      backends.add(Backend.of(address, address, 1 + seeded.nextInt(10), "zone-" + (i % 3)));
    }
    picker = Policies.create(policy).picker(backends, RandomSource.threadLocal());
    if (picker.size() != endpoints) {
      throw new IllegalStateException(policy + " picker has " + picker.size() + " backends");
    }
    hashes = new long[HASHES];
    for (int i = 0; i < HASHES; i++) {
      hashes[i] = HashKeys.hash("client-" + i);
    }
  }

  /** A cursor into the hashes, one per benchmark thread (JMH state; never shared). */
  @State(Scope.Thread)
  public static class Cursor {
    int next;
  }

  @Benchmark
  public Backend<String> pick() {
    return picker.pick();
  }

  @Benchmark
  public Backend<String> pickHash(Cursor cursor) {
    return picker.pick(hashes[cursor.next++ & (HASHES - 1)]);
  }
}
