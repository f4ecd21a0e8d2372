package io.meridian.balancer.core;

import static io.meridian.balancer.core.Fleet.named;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.meridian.balancer.Backend;
import io.meridian.balancer.Outcome;
import io.meridian.balancer.outlier.OutlierDetectionConfig;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The report path is on every request: it must not allocate until a failure streak completes. */
class ReportAllocationTest {

  @Test
  void reportingAllocatesNothingUntilAStreakCompletes() {
    assumeTrue(
        ManagementFactory.getThreadMXBean() instanceof com.sun.management.ThreadMXBean bean
            && bean.isThreadAllocatedMemorySupported(),
        "per-thread allocation counting is not available on this JVM");
    com.sun.management.ThreadMXBean bean =
        (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    bean.setThreadAllocatedMemoryEnabled(true);
    ManualScheduler scheduler = new ManualScheduler();
    LoadBalancer<String> lb =
        LoadBalancer.builder(SequencePolicy.INSTANCE, scheduler)
            .ticker(scheduler::nanoTime)
            .outlierDetection(OutlierDetectionConfig.defaults())
            .build();
    List<Backend<String>> fleet = named("a", 10);
    lb.update(fleet);
    scheduler.runPending();
    Duration latency = Duration.ofMillis(3);
    Outcome[] cycle = {
      Outcome.SUCCESS, Outcome.FAILURE, Outcome.CONNECT_FAILURE, Outcome.TIMEOUT, Outcome.SUCCESS
    };
    Runnable burst =
        () -> {
          for (int i = 0; i < 20_000; i++) {
            lb.report(fleet.get(i % 10), cycle[(i / 10) % cycle.length], latency);
          }
        };
    burst.run(); // warm up: class loading, first-call paths
    int timers = scheduler.pending(); // the outlier interval

    long thread = Thread.currentThread().threadId();
    long before = bean.getThreadAllocatedBytes(thread);
    burst.run();
    long allocated = bean.getThreadAllocatedBytes(thread) - before;

    assertThat(allocated).isLessThan(1024); // 20 000 reports: nothing per report
    assertThat(scheduler.pending()).isEqualTo(timers); // no streak completed: nothing handed off
  }
}
