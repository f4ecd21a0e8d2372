package io.meridian.registry.store.embedded;

import io.meridian.registry.store.Op;
import io.meridian.registry.store.Txn;
import io.meridian.registry.store.TxnResult;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.UnaryOperator;

/** Builds stores the way the tests want them: no fsync unless asked, quick lease checks. */
final class TestStores {

  private TestStores() {}

  static EmbeddedStore open(Path dir) {
    return open(dir, b -> b);
  }

  static EmbeddedStore open(Path dir, UnaryOperator<EmbeddedStore.Builder> tweak) {
    EmbeddedStore store =
        tweak
            .apply(EmbeddedStore.builder(dir).fsync(false).leaseCheckInterval(Duration.ofMillis(5)))
            .build();
    store.start().join();
    return store;
  }

  static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  static TxnResult put(EmbeddedStore store, String key, String value) {
    return store.txn(Txn.unconditional(Op.put(key, bytes(value)))).join();
  }

  static TxnResult delete(EmbeddedStore store, String key) {
    return store.txn(Txn.unconditional(Op.delete(key))).join();
  }
}
