package io.meridian.registry.store.embedded;

import static io.meridian.registry.store.embedded.TestStores.bytes;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.meridian.registry.store.Event;
import io.meridian.registry.store.Lease;
import io.meridian.registry.store.Op;
import io.meridian.registry.store.Txn;
import io.meridian.registry.store.Watch;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EmbeddedStoreLeaseTest {

  @TempDir Path dir;
  final FakeTicker ticker = new FakeTicker();
  EmbeddedStore store;

  @BeforeEach
  void open() {
    store = TestStores.open(dir, b -> b.ticker(ticker));
  }

  @AfterEach
  void close() {
    store.close();
  }

  private void putWithLease(String key, long lease) {
    store.txn(Txn.unconditional(Op.put(key, bytes("v"), lease))).join();
  }

  @Test
  void grantedLeaseReportsItsRemainingTime() {
    Lease lease = store.grantLease(Duration.ofSeconds(10)).join();
    assertThat(lease.id()).isNotZero();
    assertThat(lease.ttl()).isEqualTo(Duration.ofSeconds(10));

    ticker.advance(Duration.ofSeconds(4));
    assertThat(store.lease(lease.id()).orElseThrow().remaining()).isEqualTo(Duration.ofSeconds(6));
    assertThat(store.lease(lease.id() + 1)).isEmpty();
  }

  @Test
  void expiryDeletesAttachedKeysAtOneRevisionAndEmitsDeletes() throws Exception {
    Lease lease = store.grantLease(Duration.ofSeconds(10)).join();
    putWithLease("svc/b", lease.id());
    putWithLease("svc/a", lease.id());
    TestStores.put(store, "svc/static", "v");
    RecordingListener listener = new RecordingListener();
    Watch watch = store.watch("svc/", 0, listener);

    ticker.advance(Duration.ofSeconds(9));
    Thread.sleep(50); // several lease checks pass; nothing is due yet
    assertThat(store.get("svc/a")).isPresent();

    ticker.advance(Duration.ofSeconds(2));
    await().atMost(Duration.ofSeconds(5)).until(() -> store.lease(lease.id()).isEmpty());
    assertThat(store.range("svc/").kvs()).hasSize(1);
    assertThat(store.currentRevision()).isEqualTo(4);
    await().until(() -> listener.events().size() == 2);
    assertThat(listener.events())
        .allSatisfy(e -> assertThat(e.type()).isEqualTo(Event.Type.DELETE))
        .extracting(Event::revision)
        .containsExactly(4L, 4L);
    assertThat(listener.keys()).containsExactly("DELETE svc/a", "DELETE svc/b");
    assertThat(listener.calls).hasSize(1);
    watch.close();
  }

  @Test
  void keepAliveRestartsTheTtl() throws Exception {
    Lease lease = store.grantLease(Duration.ofSeconds(10)).join();
    putWithLease("k", lease.id());
    for (int i = 0; i < 5; i++) {
      ticker.advance(Duration.ofSeconds(8));
      Lease renewed = store.keepAlive(lease.id()).join().orElseThrow();
      assertThat(renewed.remaining()).isEqualTo(Duration.ofSeconds(10));
    }
    Thread.sleep(30);
    assertThat(store.get("k")).isPresent();
    assertThat(store.lease(lease.id())).isPresent();
  }

  @Test
  void keepAliveOfAnExpiredOrUnknownLeaseIsEmpty() {
    Lease lease = store.grantLease(Duration.ofSeconds(1)).join();
    putWithLease("k", lease.id());
    ticker.advance(Duration.ofSeconds(2));

    assertThat(store.keepAlive(lease.id()).join()).isEmpty();
    assertThat(store.get("k")).isEmpty();
    assertThat(store.keepAlive(999).join()).isEmpty();
  }

  @Test
  void revokeDeletesKeysAndAnswersWhetherTheLeaseExisted() {
    Lease lease = store.grantLease(Duration.ofSeconds(10)).join();
    putWithLease("a", lease.id());
    putWithLease("b", lease.id());

    assertThat(store.revokeLease(lease.id()).join()).isTrue();
    assertThat(store.range("").kvs()).isEmpty();
    assertThat(store.currentRevision()).isEqualTo(3);
    assertThat(store.revokeLease(lease.id()).join()).isFalse();
    assertThat(store.lease(lease.id())).isEmpty();
  }

  @Test
  void revokingALeaseWithoutKeysTakesNoRevision() {
    Lease lease = store.grantLease(Duration.ofSeconds(10)).join();
    assertThat(store.revokeLease(lease.id()).join()).isTrue();
    assertThat(store.currentRevision()).isZero();
  }

  @Test
  void aKeyMovedToAnotherLeaseSurvivesTheFirstOnesRevoke() {
    Lease first = store.grantLease(Duration.ofSeconds(10)).join();
    Lease second = store.grantLease(Duration.ofSeconds(10)).join();
    putWithLease("k", first.id());
    putWithLease("k", second.id());
    TestStores.put(store, "k2", "v"); // no lease
    putWithLease("k3", first.id());
    TestStores.put(store, "k3", "detached");

    store.revokeLease(first.id()).join();
    assertThat(store.get("k").orElseThrow().lease()).isEqualTo(second.id());
    assertThat(store.get("k3")).isPresent();
  }

  @Test
  void leaseIdsAreUniqueAndNeverZero() {
    Set<Long> ids = new HashSet<>();
    for (int i = 0; i < 50; i++) {
      ids.add(store.grantLease(Duration.ofSeconds(1)).join().id());
    }
    assertThat(ids).hasSize(50).doesNotContain(0L);
  }

  @Test
  void aLeaseGrantedAndUsedInOneBatchWorks() {
    // grant + put pipelined without waiting: the put may land in the same batch as the grant
    var grant = store.grantLease(Duration.ofSeconds(5));
    long id = grant.join().id();
    var puts =
        List.of(
            store.txn(Txn.unconditional(Op.put("x", bytes("1"), id))),
            store.txn(Txn.unconditional(Op.put("y", bytes("1"), id))));
    puts.forEach(f -> f.join());
    store.revokeLease(id).join();
    assertThat(store.range("").kvs()).isEmpty();
  }
}
