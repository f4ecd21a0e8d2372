package io.meridian.registry.store.embedded;

import static io.meridian.registry.store.embedded.TestStores.bytes;
import static io.meridian.registry.store.embedded.TestStores.put;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.meridian.registry.store.CompactedException;
import io.meridian.registry.store.Event;
import io.meridian.registry.store.Op;
import io.meridian.registry.store.Txn;
import io.meridian.registry.store.Watch;
import io.meridian.registry.store.WatchListener;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EmbeddedStoreWatchTest {

  @TempDir Path dir;
  EmbeddedStore store;

  @AfterEach
  void close() {
    if (store != null) {
      store.close();
    }
  }

  @Test
  void watchFromARevisionReplaysExactlyTheLaterEventsThenLiveOnes() throws Exception {
    store = TestStores.open(dir);
    for (int i = 1; i <= 10; i++) {
      put(store, (i % 2 == 0 ? "even/" : "odd/") + i, "v");
    }
    RecordingListener listener = new RecordingListener();
    store.watch("even/", 5, listener);
    put(store, "even/12", "v");
    put(store, "odd/13", "v");
    put(store, "even/14", "v");

    await().until(() -> listener.events().size() == 5);
    assertThat(listener.revisions()).containsExactly(6L, 8L, 10L, 11L, 13L);
  }

  @Test
  void watchFromZeroStartsAfterTheCurrentRevision() throws Exception {
    store = TestStores.open(dir);
    put(store, "a", "1");
    RecordingListener listener = new RecordingListener();
    Watch w = store.watch("", 0, listener);
    assertThat(w.progressRevision()).isEqualTo(1);
    put(store, "b", "2");
    await().until(() -> listener.events().size() == 1);
    assertThat(listener.revisions()).containsExactly(2L);
  }

  @Test
  void registeringWhileWritesRaceLosesAndDuplicatesNothing() throws Exception {
    store = TestStores.open(dir);
    List<CompletableFuture<?>> writes = new ArrayList<>();
    List<RecordingListener> listeners = new ArrayList<>();
    for (int i = 0; i < 1_000; i++) {
      writes.add(store.txn(Txn.unconditional(Op.put("k" + (i % 7), bytes("" + i)))));
      if (i % 100 == 50) {
        RecordingListener l = new RecordingListener();
        store.watch("", 0, l);
        listeners.add(l);
      }
    }
    writes.forEach(CompletableFuture::join);
    await()
        .until(
            () ->
                listeners.stream()
                    .allMatch(l -> !l.revisions().isEmpty() && l.revisions().getLast() == 1_000));
    for (RecordingListener l : listeners) {
      List<Long> revs = l.revisions();
      long first = revs.getFirst();
      assertThat(revs).isEqualTo(LongStream.rangeClosed(first, 1_000).boxed().toList());
    }
  }

  @Test
  void progressAdvancesForWatchesWithNoMatchingEvents() throws Exception {
    store = TestStores.open(dir);
    RecordingListener listener = new RecordingListener();
    Watch w = store.watch("nothing-here/", 0, listener);
    for (int i = 0; i < 5; i++) {
      put(store, "x" + i, "v");
    }
    await().until(() -> w.progressRevision() == 5);
    assertThat(listener.calls).isEmpty();
  }

  @Test
  void eventsOfConsecutiveRevisionsAreBatchedInOrder() throws Exception {
    store = TestStores.open(dir);
    for (int i = 0; i < 50; i++) {
      put(store, "k" + i, "v");
    }
    RecordingListener listener = new RecordingListener();
    store.watch("", 1, listener);
    await().until(() -> listener.events().size() == 50);
    assertThat(listener.calls).hasSize(1);
    assertThat(listener.revisions()).isSorted();
  }

  @Test
  void watchFromACompactedRevisionThrows() throws Exception {
    store = TestStores.open(dir);
    for (int i = 0; i < 5; i++) {
      put(store, "k", "" + i);
    }
    store.compact(3).join();
    assertThat(store.compactedRevision()).isEqualTo(3);
    assertThatThrownBy(() -> store.watch("", 3, new RecordingListener()))
        .isInstanceOf(CompactedException.class)
        .satisfies(e -> assertThat(((CompactedException) e).compactedRevision()).isEqualTo(3));

    RecordingListener listener = new RecordingListener();
    store.watch("", 4, listener);
    await().until(() -> listener.events().size() == 2);
    assertThat(listener.revisions()).containsExactly(4L, 5L);
  }

  @Test
  void historyOverflowAdvancesTheCompactedRevision() throws Exception {
    store = TestStores.open(dir, b -> b.historyLimit(10));
    for (int i = 0; i < 25; i++) {
      put(store, "k" + i, "v");
    }
    assertThat(store.compactedRevision()).isEqualTo(15);
    assertThatThrownBy(() -> store.watch("", 15, new RecordingListener()))
        .isInstanceOf(CompactedException.class);
    RecordingListener listener = new RecordingListener();
    store.watch("", 16, listener);
    await().until(() -> listener.events().size() == 10);
    assertThat(listener.revisions()).startsWith(16L).endsWith(25L);
  }

  @Test
  void aWatchThatFallsBehindTheHistoryIsClosedAsCompacted() throws Exception {
    store = TestStores.open(dir, b -> b.historyLimit(100));
    CompletableFuture<Void> release = new CompletableFuture<>();
    RecordingListener slow =
        new RecordingListener() {
          @Override
          public void onEvents(List<Event> events) {
            release.join(); // blocks the notifier (which a listener must never do)
            super.onEvents(events);
          }
        };
    store.watch("", 0, slow);
    put(store, "first", "v");
    for (int i = 0; i < 300; i++) {
      put(store, "k" + i, "v");
    }
    release.complete(null);
    await().until(() -> slow.closedCompacted != null);
    assertThat(slow.closedCompacted).isTrue();
  }

  @Test
  void aListenerThatThrowsIsClosed() throws Exception {
    store = TestStores.open(dir);
    AtomicInteger attempts = new AtomicInteger();
    RecordingListener throwing =
        new RecordingListener() {
          @Override
          public void onEvents(List<Event> events) {
            attempts.incrementAndGet();
            throw new IllegalStateException("boom");
          }
        };
    RecordingListener healthy = new RecordingListener();
    store.watch("", 0, throwing);
    store.watch("", 0, healthy);
    put(store, "a", "1");
    put(store, "b", "1");
    await().until(() -> healthy.events().size() == 2);
    assertThat(attempts).hasValue(1);
    assertThat(throwing.closedCompacted).isFalse();
  }

  @Test
  void closingAWatchStopsDeliveryWithoutOnClosed() throws Exception {
    store = TestStores.open(dir);
    RecordingListener listener = new RecordingListener();
    Watch w = store.watch("", 0, listener);
    put(store, "a", "1");
    await().until(() -> listener.events().size() == 1);
    w.close();
    put(store, "b", "1");
    RecordingListener after = new RecordingListener();
    store.watch("", 2, after);
    await().until(() -> after.events().size() == 1);
    assertThat(listener.events()).hasSize(1);
    assertThat(listener.closedCompacted).isNull();
  }

  @Test
  void closingTheStoreClosesWatchesAfterDeliveringPublishedEvents() throws Exception {
    store = TestStores.open(dir);
    RecordingListener listener = new RecordingListener();
    store.watch("", 0, listener);
    put(store, "a", "1");
    store.close();
    assertThat(listener.events()).hasSize(1);
    assertThat(listener.closedCompacted).isFalse();
  }

  @Test
  void watchResumesAcrossARestart() throws Exception {
    store = TestStores.open(dir);
    for (int i = 1; i <= 20; i++) {
      put(store, "k" + (i % 3), "" + i);
    }
    store.close();

    store = TestStores.open(dir);
    RecordingListener listener = new RecordingListener();
    store.watch("", 15, listener);
    put(store, "new", "v");
    await().until(() -> listener.events().size() == 7);
    assertThat(listener.revisions()).containsExactly(15L, 16L, 17L, 18L, 19L, 20L, 21L);
    assertThat(listener.events().getFirst().kv().valueAsString()).isEqualTo("15");
  }

  @Test
  void aListenerMayCloseItsOwnWatchOrTheStore() throws Exception {
    store = TestStores.open(dir);
    Watch[] self = new Watch[1];
    AtomicInteger calls = new AtomicInteger();
    self[0] =
        store.watch(
            "",
            0,
            new WatchListener() {
              @Override
              public void onEvents(List<Event> events) {
                calls.incrementAndGet();
                self[0].close();
                store.close();
              }
            });
    put(store, "a", "1");
    await().until(() -> calls.get() == 1);
    await()
        .untilAsserted(
            () ->
                assertThatThrownBy(() -> store.get("a")).isInstanceOf(IllegalStateException.class));
  }
}
