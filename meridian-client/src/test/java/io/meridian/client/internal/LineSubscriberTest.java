package io.meridian.client.internal;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Flow;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class LineSubscriberTest {

  private final List<String> lines = new ArrayList<>();
  private final List<Runnable> pendingRequests = new ArrayList<>();
  private final AtomicInteger requested = new AtomicInteger();
  private boolean cancelled;
  private Throwable endError;
  private int endTruncated = -1;

  private final LineSubscriber subscriber =
      new LineSubscriber(
          1024,
          new LineSubscriber.Handler() {
            @Override
            public void onLines(List<byte[]> ls, Runnable requestMore) {
              ls.forEach(l -> lines.add(new String(l, UTF_8)));
              pendingRequests.add(requestMore);
            }

            @Override
            public void onEnd(Throwable error, int truncatedBytes) {
              endError = error;
              endTruncated = truncatedBytes;
            }
          });

  private final Flow.Subscription subscription =
      new Flow.Subscription() {
        @Override
        public void request(long n) {
          requested.addAndGet((int) n);
        }

        @Override
        public void cancel() {
          cancelled = true;
        }
      };

  private static List<ByteBuffer> chunk(String s) {
    return List.of(ByteBuffer.wrap(s.getBytes(UTF_8)));
  }

  @Test
  void asksForTheNextChunkOnlyWhenTheHandlerIsDone() {
    subscriber.onSubscribe(subscription);
    assertThat(requested).hasValue(1);

    subscriber.onNext(chunk("a\nb\n"));
    assertThat(lines).containsExactly("a", "b");
    assertThat(requested).hasValue(1);

    pendingRequests.getFirst().run();
    assertThat(requested).hasValue(2);
  }

  @Test
  void aChunkWithoutAWholeLineAsksForMoreAtOnce() {
    subscriber.onSubscribe(subscription);

    subscriber.onNext(chunk("{\"par"));

    assertThat(lines).isEmpty();
    assertThat(requested).hasValue(2);
  }

  @Test
  void reportsAnEndInsideALine() {
    subscriber.onSubscribe(subscription);
    subscriber.onNext(chunk("a\npartial"));

    subscriber.onComplete();

    assertThat(endError).isNull();
    assertThat(endTruncated).isEqualTo(7);
    assertThat(subscriber.getBody().toCompletableFuture()).isCompleted();
  }

  @Test
  void aLineOverTheLimitCancelsTheStreamWithAnError() {
    subscriber.onSubscribe(subscription);

    subscriber.onNext(chunk("x".repeat(2000)));

    assertThat(cancelled).isTrue();
    assertThat(endError).isInstanceOf(LineSplitter.LineTooLongException.class);
  }

  @Test
  void afterCancelNothingReachesTheHandler() {
    subscriber.onSubscribe(subscription);

    subscriber.cancel();
    subscriber.onNext(chunk("a\n"));
    subscriber.onComplete();

    assertThat(cancelled).isTrue();
    assertThat(lines).isEmpty();
    assertThat(endTruncated).isEqualTo(-1);
  }
}
