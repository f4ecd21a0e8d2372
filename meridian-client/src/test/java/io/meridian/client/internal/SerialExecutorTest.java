package io.meridian.client.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class SerialExecutorTest {

  @Test
  void runsTasksOneAtATimeInSubmissionOrderOnAPoolOfThreads() throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      SerialExecutor serial = new SerialExecutor(pool);
      AtomicInteger inside = new AtomicInteger();
      AtomicInteger overlaps = new AtomicInteger();
      List<Integer> order = new CopyOnWriteArrayList<>();
      CountDownLatch done = new CountDownLatch(1000);
      for (int i = 0; i < 1000; i++) {
        int n = i;
        serial.execute(
            () -> {
              if (inside.incrementAndGet() > 1) {
                overlaps.incrementAndGet();
              }
              order.add(n);
              inside.decrementAndGet();
              done.countDown();
            });
      }

      assertThat(done.await(10, TimeUnit.SECONDS)).isTrue();
      assertThat(overlaps).hasValue(0);
      assertThat(order).isSorted().hasSize(1000);
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void aFailingTaskDoesNotStopTheNext() {
    SerialExecutor serial = new SerialExecutor(Runnable::run);
    List<String> ran = new CopyOnWriteArrayList<>();

    serial.execute(
        () -> {
          throw new IllegalStateException("boom");
        });
    serial.execute(() -> ran.add("next"));

    assertThat(ran).containsExactly("next");
  }

  @Test
  void aTaskSubmittedFromATaskRunsAfterItNotInsideIt() {
    SerialExecutor serial = new SerialExecutor(Runnable::run);
    List<String> ran = new CopyOnWriteArrayList<>();

    serial.execute(
        () -> {
          serial.execute(() -> ran.add("inner"));
          ran.add("outer");
        });

    assertThat(ran).containsExactly("outer", "inner");
  }

  @Test
  void tasksForAShutDownDelegateAreDropped() {
    ExecutorService pool = Executors.newSingleThreadExecutor();
    pool.shutdownNow();
    SerialExecutor serial = new SerialExecutor(pool);

    serial.execute(() -> {}); // must not throw
  }
}
