package io.meridian.registry.store.embedded;

import static io.meridian.registry.store.embedded.TestStores.bytes;
import static io.meridian.registry.store.embedded.TestStores.delete;
import static io.meridian.registry.store.embedded.TestStores.put;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meridian.registry.store.Compare;
import io.meridian.registry.store.Event;
import io.meridian.registry.store.KeyValue;
import io.meridian.registry.store.Op;
import io.meridian.registry.store.RangeResult;
import io.meridian.registry.store.Txn;
import io.meridian.registry.store.TxnResult;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EmbeddedStoreTxnTest {

  @TempDir Path dir;
  EmbeddedStore store;

  @BeforeEach
  void open() {
    store = TestStores.open(dir);
  }

  @AfterEach
  void close() {
    store.close();
  }

  @Test
  void anEmptyStoreIsAtRevisionZero() {
    assertThat(store.currentRevision()).isZero();
    assertThat(store.compactedRevision()).isZero();
    assertThat(store.range("").kvs()).isEmpty();
    assertThat(store.recovery()).hasValueSatisfying(r -> assertThat(r.damage()).isEmpty());
  }

  @Test
  void eachChangingTxnTakesExactlyOneRevision() {
    TxnResult first =
        store.txn(Txn.unconditional(Op.put("a", bytes("1")), Op.put("b", bytes("2")))).join();
    TxnResult second = put(store, "a", "3");

    assertThat(first.revision()).isEqualTo(1);
    assertThat(first.events()).extracting(Event::revision).containsExactly(1L, 1L);
    assertThat(second.revision()).isEqualTo(2);
    KeyValue a = store.get("a").orElseThrow();
    assertThat(a.valueAsString()).isEqualTo("3");
    assertThat(a.createRevision()).isEqualTo(1);
    assertThat(a.modRevision()).isEqualTo(2);
    assertThat(a.version()).isEqualTo(2);
    assertThat(store.currentRevision()).isEqualTo(2);
  }

  @Test
  void aTxnThatChangesNothingTakesNoRevision() {
    put(store, "a", "1");
    TxnResult noop = delete(store, "missing");
    TxnResult failedCompare =
        store.txn(Txn.of(List.of(Compare.absent("a")), List.of(Op.put("a", bytes("x"))))).join();

    assertThat(noop.revision()).isEqualTo(1);
    assertThat(noop.events()).isEmpty();
    assertThat(failedCompare.succeeded()).isFalse();
    assertThat(failedCompare.revision()).isEqualTo(1);
    assertThat(store.currentRevision()).isEqualTo(1);
  }

  @Test
  void comparesChooseTheBranch() {
    Txn create =
        new Txn(
            List.of(Compare.absent("k")),
            List.of(Op.put("k", bytes("created"))),
            List.of(Op.put("other", bytes("existed"))));
    assertThat(store.txn(create).join().succeeded()).isTrue();
    assertThat(store.txn(create).join().succeeded()).isFalse();
    assertThat(store.get("other")).isPresent();

    long rev = store.get("k").orElseThrow().modRevision();
    Txn cas =
        Txn.of(
            List.of(Compare.present("k"), Compare.modRevision("k", rev)),
            List.of(Op.put("k", bytes("v2"))));
    assertThat(store.txn(cas).join().succeeded()).isTrue();
    assertThat(store.txn(cas).join().succeeded()).isFalse(); // modRevision moved on
    assertThat(store.get("k").orElseThrow().valueAsString()).isEqualTo("v2");
  }

  @Test
  void deleteEmitsATombstoneWithThePreviousValue() {
    put(store, "k", "v");
    TxnResult r = delete(store, "k");

    Event e = r.events().getFirst();
    assertThat(e.type()).isEqualTo(Event.Type.DELETE);
    assertThat(e.kv().modRevision()).isEqualTo(2);
    assertThat(e.kv().version()).isZero();
    assertThat(e.kv().value()).isEmpty();
    assertThat(e.prevKv().valueAsString()).isEqualTo("v");
    assertThat(store.get("k")).isEmpty();

    TxnResult recreated = put(store, "k", "again");
    assertThat(recreated.events().getFirst().prevKv()).isNull();
    assertThat(store.get("k").orElseThrow().createRevision()).isEqualTo(3);
    assertThat(store.get("k").orElseThrow().version()).isEqualTo(1);
  }

  @Test
  void transactionsOfOneBatchSeeEachOther() {
    // Many concurrent creates of the same key land in few batches; exactly one must win.
    List<CompletableFuture<TxnResult>> futures = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      futures.add(
          store.txn(
              Txn.of(List.of(Compare.absent("leader")), List.of(Op.put("leader", bytes("" + i))))));
    }
    long winners =
        futures.stream().map(CompletableFuture::join).filter(TxnResult::succeeded).count();
    assertThat(winners).isEqualTo(1);
    assertThat(store.currentRevision()).isEqualTo(1);
  }

  @Test
  void rangeReturnsThePrefixSortedByUtf8Bytes() {
    put(store, "svc/b", "1");
    put(store, "svc/a", "1");
    put(store, "svc/\uFFFD", "1");
    put(store, "svc/\uD83D\uDE00", "1"); // U+1F600 sorts after U+FFFD in UTF-8
    put(store, "svd", "1");
    put(store, "sv", "1");

    RangeResult r = store.range("svc/");
    assertThat(r.revision()).isEqualTo(6);
    assertThat(r.kvs())
        .extracting(KeyValue::key)
        .containsExactly("svc/a", "svc/b", "svc/\uFFFD", "svc/\uD83D\uDE00");
  }

  @Test
  void rangeIsAConsistentViewWhileWritesRace() throws Exception {
    AtomicBoolean stop = new AtomicBoolean();
    AtomicReference<String> broken = new AtomicReference<>();
    Thread reader =
        new Thread(
            () -> {
              while (!stop.get()) {
                RangeResult r = store.range("pair/");
                if (r.kvs().size() == 2) {
                  KeyValue a = r.kvs().get(0);
                  KeyValue b = r.kvs().get(1);
                  if (!a.valueAsString().equals(b.valueAsString())
                      || a.modRevision() != b.modRevision()
                      || a.modRevision() != r.revision()) {
                    broken.set(r.toString());
                  }
                } else if (!r.kvs().isEmpty()) {
                  broken.set("size " + r.kvs().size());
                }
              }
            });
    reader.start();
    List<CompletableFuture<TxnResult>> writes = new ArrayList<>();
    for (int i = 0; i < 2_000; i++) {
      writes.add(
          store.txn(
              Txn.unconditional(Op.put("pair/a", bytes("" + i)), Op.put("pair/b", bytes("" + i)))));
    }
    writes.forEach(CompletableFuture::join);
    stop.set(true);
    reader.join();
    assertThat(broken.get()).isNull();
  }

  @Test
  void aReadAfterAnAcknowledgedWriteSeesIt() {
    for (int i = 0; i < 100; i++) {
      TxnResult r = put(store, "k" + i, "v");
      assertThat(store.get("k" + i)).isPresent();
      assertThat(store.currentRevision()).isGreaterThanOrEqualTo(r.revision());
    }
  }

  @Test
  void malformedTransactionsAreRejected() {
    assertThatThrownBy(
            () -> store.txn(Txn.unconditional(Op.put("a", bytes("1")), Op.delete("a"))).join())
        .isInstanceOf(CompletionException.class)
        .hasCauseInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("duplicate key");
    assertThatThrownBy(() -> store.txn(Txn.unconditional(Op.put("", bytes("1")))).join())
        .hasCauseInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> store.txn(Txn.unconditional(Op.put("a\uD800", bytes("1")))).join())
        .hasCauseInstanceOf(IllegalArgumentException.class);
    assertThat(store.currentRevision()).isZero();
  }

  @Test
  void putWithAnUnknownLeaseFailsTheWholeTxn() {
    assertThatThrownBy(
            () ->
                store
                    .txn(Txn.unconditional(Op.put("a", bytes("1")), Op.put("b", bytes("1"), 42)))
                    .join())
        .hasCauseInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("lease 42 not found");
    assertThat(store.get("a")).isEmpty();
    assertThat(store.currentRevision()).isZero();
  }

  @Test
  void compactingTheFutureFails() {
    put(store, "a", "1");
    assertThatThrownBy(() -> store.compact(5).join())
        .hasCauseInstanceOf(IllegalArgumentException.class);
    store.compact(1).join();
    assertThat(store.compactedRevision()).isEqualTo(1);
  }

  @Test
  void closeIsIdempotentAndLaterCallsFailFast() {
    put(store, "a", "1");
    store.close();
    store.close();

    assertThatThrownBy(() -> store.get("a")).isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> put(store, "a", "2"))
        .hasCauseInstanceOf(IllegalStateException.class)
        .hasMessageContaining("store closed");
    assertThat(store.currentRevision()).isEqualTo(1);
  }

  @Test
  void callsBeforeStartFail() {
    EmbeddedStore notStarted = EmbeddedStore.builder(dir.resolve("other")).build();
    assertThatThrownBy(() -> notStarted.get("a")).hasMessageContaining("not started");
    assertThat(notStarted.txn(Txn.unconditional(Op.delete("a")))).isCompletedExceptionally();
    notStarted.close();
    assertThat(notStarted.start()).isCompletedExceptionally();
  }

  @Test
  void aSecondStoreOnTheSameDirectoryCannotStart() {
    EmbeddedStore second = EmbeddedStore.builder(dir).fsync(false).build();
    assertThatThrownBy(() -> second.start().join()).hasMessageContaining("in use");
    second.close();
  }

  @Test
  void anUnexpectedFailureOnTheWriterFailsWritesInsteadOfHangingThem() {
    AtomicBoolean broken = new AtomicBoolean();
    EmbeddedStore fragile =
        TestStores.open(
            dir.resolve("fragile"),
            b ->
                b.ticker(
                    () -> {
                      if (broken.get()) {
                        throw new IllegalStateException("clock broke");
                      }
                      return 0;
                    }));
    try {
      put(fragile, "a", "1");
      broken.set(true);
      assertThatThrownBy(() -> put(fragile, "b", "1")).hasMessageContaining("store failed");
      assertThatThrownBy(() -> put(fragile, "c", "1")).hasMessageContaining("store failed");
      assertThat(fragile.get("a")).isPresent();
      assertThat(fragile.get("b")).isEmpty();
    } finally {
      fragile.close();
    }
  }

  @Test
  void builderRejectsBadValuesNamingTheField() {
    assertThatThrownBy(() -> EmbeddedStore.builder(dir).historyLimit(0).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("historyLimit");
    assertThatThrownBy(() -> EmbeddedStore.builder(dir).segmentBytes(10).build())
        .hasMessageContaining("segmentBytes");
  }
}
