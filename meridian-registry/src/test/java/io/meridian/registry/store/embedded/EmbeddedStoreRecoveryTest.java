package io.meridian.registry.store.embedded;

import static io.meridian.registry.store.embedded.TestStores.bytes;
import static io.meridian.registry.store.embedded.TestStores.put;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.meridian.registry.store.KeyValue;
import io.meridian.registry.store.Lease;
import io.meridian.registry.store.Op;
import io.meridian.registry.store.RecoveryReport;
import io.meridian.registry.store.Txn;
import io.meridian.registry.store.TxnResult;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EmbeddedStoreRecoveryTest {

  @TempDir Path dir;

  @Test
  void restartRecoversKeysRevisionAndLeasesWithAFreshTtl() {
    FakeTicker ticker = new FakeTicker();
    EmbeddedStore first = TestStores.open(dir, b -> b.ticker(ticker));
    Lease lease = first.grantLease(Duration.ofSeconds(10)).join();
    first.txn(Txn.unconditional(Op.put("leased", bytes("v"), lease.id()))).join();
    put(first, "plain", "1");
    put(first, "plain", "2");
    TestStores.delete(first, "gone");
    put(first, "gone", "x");
    TestStores.delete(first, "gone");
    ticker.advance(Duration.ofSeconds(8));
    List<KeyValue> before = first.range("").kvs();
    first.close();

    EmbeddedStore second = TestStores.open(dir, b -> b.ticker(ticker));
    try {
      assertThat(second.range("").kvs()).isEqualTo(before);
      assertThat(second.currentRevision()).isEqualTo(5);
      assertThat(second.lease(lease.id()).orElseThrow().remaining())
          .isEqualTo(Duration.ofSeconds(10));
      RecoveryReport report = second.recovery().orElseThrow();
      assertThat(report.recoveredRevision()).isEqualTo(5);
      assertThat(report.recordsReplayed()).isEqualTo(6);
      assertThat(report.damage()).isEmpty();

      ticker.advance(Duration.ofSeconds(11));
      await().until(() -> second.get("leased").isEmpty());
    } finally {
      second.close();
    }
  }

  @Test
  void aCrashWithoutCloseLosesNoAcknowledgedWrite() {
    EmbeddedStore first = TestStores.open(dir, b -> b.fsync(true));
    for (int i = 0; i < 100; i++) {
      put(first, "k" + i, "v" + i);
    }
    List<KeyValue> before = first.range("").kvs();
    first.crashForTest();

    EmbeddedStore second = TestStores.open(dir);
    try {
      assertThat(second.range("").kvs()).isEqualTo(before);
      assertThat(second.recovery().orElseThrow().damage()).isEmpty();
    } finally {
      second.close();
    }
  }

  @Test
  void concurrentWritersAreAllAcknowledgedAndAllPresentAfterReopen() throws Exception {
    int threads = 64;
    int perThread = 200;
    EmbeddedStore first = TestStores.open(dir, b -> b.fsync(true));
    List<Thread> writers = new ArrayList<>();
    List<Throwable> errors = new java.util.concurrent.CopyOnWriteArrayList<>();
    for (int t = 0; t < threads; t++) {
      int id = t;
      writers.add(
          Thread.ofPlatform()
              .start(
                  () -> {
                    try {
                      for (int i = 0; i < perThread; i++) {
                        put(first, "w" + id + "/" + i, "" + i);
                      }
                    } catch (Throwable e) {
                      errors.add(e);
                    }
                  }));
    }
    for (Thread w : writers) {
      w.join();
    }
    assertThat(errors).isEmpty();
    assertThat(first.currentRevision()).isEqualTo(threads * perThread);
    first.crashForTest();

    EmbeddedStore second = TestStores.open(dir);
    try {
      assertThat(second.range("").kvs()).hasSize(threads * perThread);
      assertThat(second.currentRevision()).isEqualTo(threads * perThread);
    } finally {
      second.close();
    }
  }

  @Test
  void snapshotsLetOldSegmentsGoAndRecoveryStartsFromTheNewest() throws Exception {
    EmbeddedStore first =
        TestStores.open(dir, b -> b.snapshotEvery(50).segmentBytes(1024).historyLimit(20));
    for (int i = 0; i < 600; i++) {
      put(first, "k" + (i % 40), "value-" + i);
    }
    await()
        .untilAsserted(
            () -> {
              put(first, "tick", "t"); // each batch gives the writer a chance to trim
              assertThat(files("snap")).hasSize(2);
              assertThat(files("wal").size()).isLessThan(40);
            });
    List<KeyValue> before = first.range("").kvs();
    long revision = first.currentRevision();
    long compacted = first.compactedRevision();
    first.crashForTest();

    EmbeddedStore second =
        TestStores.open(dir, b -> b.snapshotEvery(50).segmentBytes(1024).historyLimit(20));
    try {
      RecoveryReport report = second.recovery().orElseThrow();
      assertThat(report.snapshotRevision()).isPositive();
      assertThat(report.damage()).isEmpty();
      assertThat(second.range("").kvs()).isEqualTo(before);
      assertThat(second.currentRevision()).isEqualTo(revision);
      assertThat(second.compactedRevision()).isLessThanOrEqualTo(compacted);

      RecordingListener listener = new RecordingListener();
      second.watch("", compacted + 1, listener);
      await().until(() -> listener.events().size() == revision - compacted);
    } finally {
      second.close();
    }
  }

  @Test
  void aCorruptNewestSnapshotFallsBackToTheOlderOne() throws Exception {
    EmbeddedStore first = TestStores.open(dir, b -> b.snapshotEvery(20).segmentBytes(1024));
    for (int i = 0; i < 200; i++) {
      put(first, "k" + (i % 10), "" + i);
    }
    await().until(() -> files("snap").size() == 2);
    List<KeyValue> before = first.range("").kvs();
    first.close();
    Path newest = files("snap").getLast();
    byte[] content = Files.readAllBytes(newest);
    content[content.length / 2] ^= 0x10;
    Files.write(newest, content);

    EmbeddedStore second = TestStores.open(dir);
    try {
      assertThat(second.range("").kvs()).isEqualTo(before);
      assertThat(second.recovery().orElseThrow().damage())
          .hasValueSatisfying(d -> assertThat(d).contains("snap/").contains("checksum"));
    } finally {
      second.close();
    }
  }

  @Test
  void aWriteAfterReopeningContinuesTheNumbering() {
    EmbeddedStore first = TestStores.open(dir);
    put(first, "a", "1");
    Lease lease = first.grantLease(Duration.ofMinutes(1)).join();
    put(first, "a", "2");
    first.crashForTest();

    EmbeddedStore second = TestStores.open(dir);
    TxnResult next = put(second, "a", "3");
    Lease another = second.grantLease(Duration.ofMinutes(1)).join();
    assertThat(next.revision()).isEqualTo(3);
    assertThat(second.get("a").orElseThrow().version()).isEqualTo(3);
    assertThat(another.id()).isGreaterThan(lease.id());
    second.close();

    EmbeddedStore third = TestStores.open(dir);
    try {
      assertThat(third.currentRevision()).isEqualTo(3);
      assertThat(third.recovery().orElseThrow().damage()).isEmpty();
    } finally {
      third.close();
    }
  }

  @Test
  void compactionSurvivesARestart() throws Exception {
    EmbeddedStore first = TestStores.open(dir);
    for (int i = 0; i < 10; i++) {
      put(first, "k", "" + i);
    }
    first.compact(7).join();
    first.close();

    EmbeddedStore second = TestStores.open(dir);
    try {
      assertThat(second.compactedRevision()).isEqualTo(7);
      RecordingListener listener = new RecordingListener();
      second.watch("", 8, listener);
      await().until(() -> listener.events().size() == 3);
    } finally {
      second.close();
    }
  }

  @Test
  void garbageAfterTheLastRecordIsCutAndReported() throws Exception {
    EmbeddedStore first = TestStores.open(dir);
    for (int i = 0; i < 10; i++) {
      put(first, "k" + i, "v");
    }
    first.close();
    Path wal = files("wal").getLast();
    long size = Files.size(wal);
    Files.write(wal, new byte[4096], StandardOpenOption.APPEND); // a zero-filled tail

    EmbeddedStore second = TestStores.open(dir);
    assertThat(second.recovery().orElseThrow().damage())
        .hasValueSatisfying(d -> assertThat(d).contains("at byte " + size).contains("zero"));
    assertThat(second.range("").kvs()).hasSize(10);
    assertThat(Files.size(wal)).isEqualTo(size);
    put(second, "k10", "v");
    second.close();

    EmbeddedStore third = TestStores.open(dir);
    try {
      assertThat(third.recovery().orElseThrow().damage()).isEmpty();
      assertThat(third.range("").kvs()).hasSize(11);
    } finally {
      third.close();
    }
  }

  @Test
  void damageInAnEarlierSegmentCutsEverySegmentAfterIt() throws Exception {
    EmbeddedStore first = TestStores.open(dir, b -> b.segmentBytes(512));
    for (int i = 0; i < 100; i++) {
      put(first, "k" + i, "v");
    }
    first.close();
    List<Path> segments = files("wal");
    assertThat(segments.size()).isGreaterThan(4);
    Path damaged = segments.get(2);
    byte[] content = Files.readAllBytes(damaged);
    content[content.length - 3] ^= 0x01; // inside its last record
    Files.write(damaged, content);

    EmbeddedStore second = TestStores.open(dir, b -> b.segmentBytes(512));
    try {
      String damage = second.recovery().orElseThrow().damage().orElseThrow();
      assertThat(damage).contains(damaged.getFileName().toString()).contains("checksum");
      assertThat(files("wal")).hasSize(3);
      assertThat(Files.size(damaged)).isLessThan(content.length).isPositive();
      long kept = second.currentRevision();
      assertThat(kept).isLessThan(100);
      assertThat(second.range("").kvs()).hasSize((int) kept);
    } finally {
      second.close();
    }
  }

  @Test
  void damageInALogPartTheSnapshotCoversOnlyCostsWatchHistory() throws Exception {
    EmbeddedStore first = TestStores.open(dir, b -> b.snapshotEvery(30).segmentBytes(512));
    for (int i = 0; i < 200; i++) {
      put(first, "k" + (i % 10), "" + i);
    }
    await().until(() -> files("snap").size() == 2);
    List<KeyValue> before = first.range("").kvs();
    first.close();
    List<Path> segments = files("wal");
    Path early = segments.get(1); // long covered by both snapshots
    byte[] content = Files.readAllBytes(early);
    content[content.length - 3] ^= 0x01;
    Files.write(early, content);

    EmbeddedStore second = TestStores.open(dir, b -> b.snapshotEvery(30).segmentBytes(512));
    try {
      assertThat(second.recovery().orElseThrow().damage())
          .hasValueSatisfying(d -> assertThat(d).contains("history"));
      assertThat(second.range("").kvs()).isEqualTo(before);
      // The log is not cut at the damage. (The first store may close before it applied its
      // second snapshot; then this one trims the segments both snapshots cover, which may include
      // the damaged one: allowed.)
      assertThat(files("wal"))
          .isSubsetOf(segments)
          .containsAll(segments.subList(2, segments.size()));
      assertThat(second.compactedRevision()).isPositive();
      RecordingListener listener = new RecordingListener();
      second.watch("", second.compactedRevision() + 1, listener);
      await().until(() -> listener.revisions().contains(200L));
    } finally {
      second.close();
    }
    EmbeddedStore third = TestStores.open(dir);
    try {
      assertThat(third.recovery().orElseThrow().damage()).isEmpty(); // the hole is now expected
      assertThat(third.range("").kvs()).isEqualTo(before);
    } finally {
      third.close();
    }
  }

  @Test
  void aLogThatCannotBeJoinedToASnapshotFailsToStart() throws Exception {
    EmbeddedStore first = TestStores.open(dir, b -> b.segmentBytes(512));
    for (int i = 0; i < 50; i++) {
      put(first, "k" + i, "v");
    }
    first.close();
    Files.delete(files("wal").getFirst()); // records 1.. are gone and there is no snapshot

    EmbeddedStore second = EmbeddedStore.builder(dir).fsync(false).build();
    assertThatThrownBy(() -> second.start().join()).hasMessageContaining("cannot recover");
    second.close();
  }

  @Test
  void closeFailsQueuedWritesAndCompletesTheRest() {
    EmbeddedStore store = TestStores.open(dir, b -> b.fsync(true));
    List<CompletableFuture<TxnResult>> futures = new ArrayList<>();
    for (int i = 0; i < 5_000; i++) {
      futures.add(store.txn(Txn.unconditional(Op.put("k" + i, bytes("v")))));
    }
    store.close();
    long ok = futures.stream().filter(f -> !f.isCompletedExceptionally()).count();
    assertThat(futures).allMatch(CompletableFuture::isDone);
    futures.stream()
        .filter(CompletableFuture::isCompletedExceptionally)
        .forEach(
            f ->
                assertThatThrownBy(f::join)
                    .hasCauseInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("store closed"));

    EmbeddedStore reopened = TestStores.open(dir);
    try {
      assertThat(reopened.currentRevision()).isEqualTo(ok);
    } finally {
      reopened.close();
    }
  }

  private List<Path> files(String sub) throws IOException {
    try (Stream<Path> s = Files.list(dir.resolve(sub))) {
      return s.filter(p -> !p.toString().endsWith(".tmp")).sorted().toList();
    }
  }
}
