package io.meridian.balancer.policies;

import static org.assertj.core.api.Assertions.assertThat;

import io.meridian.balancer.Backend;
import io.meridian.balancer.HashKeys;
import io.meridian.balancer.Picker;
import io.meridian.balancer.Policies;
import io.meridian.balancer.RandomSource;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.Test;

/** Smoke test: four threads share one picker of each policy. */
class ConcurrentPicksTest {

  private static final int THREADS = 4;

  private static final int PICKS = 100_000;

  private static final int[] WEIGHTS = {1, 2, 3, 4};

  private static List<Backend<Integer>> fleet() {
    List<Backend<Integer>> out = new ArrayList<>();
    for (int i = 0; i < WEIGHTS.length; i++) {
      out.add(Backend.of(i, "10.0.0." + (i + 1) + ":8080", WEIGHTS[i], ""));
    }
    return out;
  }

  /** Counts per backend over {@code THREADS × PICKS} picks, half with a hash, half without. */
  private static long[] pickFromFourThreads(Picker<Integer> picker) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(THREADS);
    try {
      CountDownLatch start = new CountDownLatch(1);
      List<Future<long[]>> results = new ArrayList<>();
      for (int t = 0; t < THREADS; t++) {
        results.add(
            pool.submit(
                () -> {
                  long[] counts = new long[WEIGHTS.length];
                  start.await();
                  for (int i = 0; i < PICKS; i++) {
                    Backend<Integer> b =
                        (i & 1) == 0
                            ? picker.pick()
                            : picker.pick(HashKeys.mix(ThreadLocalRandom.current().nextLong()));
                    counts[b.value()]++; // a null would throw here
                  }
                  return counts;
                }));
      }
      start.countDown();
      long[] total = new long[WEIGHTS.length];
      for (Future<long[]> f : results) {
        long[] c = f.get();
        for (int i = 0; i < total.length; i++) {
          total[i] += c[i];
        }
      }
      return total;
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void everyPolicyAnswersEveryPickFromManyThreads() throws Exception {
    for (String name : Policies.names()) {
      Picker<Integer> picker = Policies.create(name).picker(fleet(), RandomSource.threadLocal());
      long[] counts = pickFromFourThreads(picker);
      assertThat(Arrays.stream(counts).min().orElseThrow()).as(name).isPositive();
      assertThat(Arrays.stream(counts).sum()).as(name).isEqualTo(THREADS * PICKS);
    }
  }

  @Test
  void sharedCountersStillRotateExactly() throws Exception {
    Picker<Integer> roundRobin =
        Policies.create("round_robin").picker(fleet(), RandomSource.threadLocal());
    assertThat(pickFromFourThreads(roundRobin)).containsOnly(THREADS * PICKS / 4);

    Picker<Integer> weighted =
        Policies.create("weighted_round_robin").picker(fleet(), RandomSource.threadLocal());
    long cycles = THREADS * PICKS / 10; // the cycle of weights 1, 2, 3, 4 is 10 picks long
    assertThat(pickFromFourThreads(weighted))
        .containsExactly(cycles, 2 * cycles, 3 * cycles, 4 * cycles);
  }
}
