package io.meridian.balancer.policies;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.meridian.balancer.Backend;
import io.meridian.balancer.HashKeys;
import io.meridian.balancer.Picker;
import io.meridian.balancer.Policies;
import io.meridian.balancer.RandomSource;
import io.meridian.balancer.testing.Fleet;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The pick path allocates nothing: bytes allocated by this thread, as HotSpot counts them ({@code
 * com.sun.management.ThreadMXBean}), around 100,000 picks after a warm-up that lets the JIT compile
 * the loop. The count is exact (TLAB-level), so the bar is zero, with {@value #NOISE} bytes allowed
 * for a one-off JIT or safepoint artefact; measured: 0 for every policy.
 */
class PickersAllocateNothingTest {

  private static final int PICKS = 100_000;

  private static final long NOISE = 256;

  private static com.sun.management.ThreadMXBean threads;

  private static volatile long sink;

  @BeforeAll
  static void needsAllocationCounting() {
    assumeTrue(
        ManagementFactory.getThreadMXBean() instanceof com.sun.management.ThreadMXBean,
        "this JVM does not count allocated bytes per thread");
    threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    assumeTrue(threads.isThreadAllocatedMemorySupported(), "no per-thread allocation counting");
    threads.setThreadAllocatedMemoryEnabled(true);
  }

  private static long picks(Picker<String> picker, boolean hashed) {
    long sum = 0;
    for (int i = 0; i < PICKS; i++) {
      Backend<String> b = hashed ? picker.pick(HashKeys.mix(i)) : picker.pick();
      sum += b.weight();
    }
    return sum;
  }

  private static long allocatedBy(Picker<String> picker, boolean hashed) {
    for (int warm = 0; warm < 5; warm++) {
      sink += picks(picker, hashed);
    }
    long before = threads.getCurrentThreadAllocatedBytes();
    sink += picks(picker, hashed);
    return threads.getCurrentThreadAllocatedBytes() - before;
  }

  private static void allocatesNothing(Picker<String> picker) {
    assertThat(allocatedBy(picker, false)).as("%s pick()", picker).isLessThanOrEqualTo(NOISE);
    assertThat(allocatedBy(picker, true)).as("%s pick(hash)", picker).isLessThanOrEqualTo(NOISE);
  }

  /** A control: the meter does see a picker that allocates a backend per pick. */
  @Test
  void theMeterSeesAPickerThatAllocates() {
    Picker<String> allocating =
        new Picker<>() {
          @Override
          public Backend<String> pick() {
            return Backend.of("fresh", "fresh");
          }

          @Override
          public int size() {
            return 1;
          }
        };
    assertThat(allocatedBy(allocating, false)).isGreaterThan(PICKS * 16L);
  }

  @Test
  void measuringItselfAllocatesNothing() {
    long before = threads.getCurrentThreadAllocatedBytes();
    long after = threads.getCurrentThreadAllocatedBytes();
    assertThat(after - before).isZero();
  }

  @Test
  void everyPolicyPicksWithoutAllocatingWeightedOrNot() {
    for (List<Backend<String>> fleet : List.of(Fleet.of(10), Fleet.weighted(5, 1, 1, 30, 7, 2))) {
      for (String name : Policies.names()) {
        allocatesNothing(Policies.create(name).picker(fleet, RandomSource.threadLocal()));
      }
    }
  }

  @Test
  void leastRequestWithAnotherBiasAllocatesNothing() {
    List<Backend<String>> fleet = Fleet.weighted(5, 1, 1, 30);
    fleet.get(0).started();
    allocatesNothing(
        Policies.create("least_request", Map.of("activeRequestBias", 1.5, "choiceCount", 3))
            .picker(fleet, RandomSource.threadLocal()));
  }

  @Test
  void hashingAKeyAllocatesNothing() {
    String header = "session=8c1f6a0e-5d5b-4d8a-9f1e-3b2c1a0d9e8f; région=ouest";
    byte[] bytes = header.getBytes(StandardCharsets.UTF_8);
    for (int round = 0; round < 6; round++) {
      long before = threads.getCurrentThreadAllocatedBytes();
      long sum = 0;
      for (int i = 0; i < PICKS; i++) {
        sum += HashKeys.hash(header) + HashKeys.hash(bytes, 0, bytes.length) + HashKeys.hashIpv4(i);
      }
      long allocated = threads.getCurrentThreadAllocatedBytes() - before;
      sink += sum;
      if (round == 5) {
        assertThat(allocated).isLessThanOrEqualTo(NOISE);
      }
    }
  }
}
