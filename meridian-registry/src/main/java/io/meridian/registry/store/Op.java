package io.meridian.registry.store;

import java.util.Objects;

/** A write inside a {@link Txn}. */
public sealed interface Op {

  String key();

  /** Creates or replaces {@code key}, attaching it to {@code lease} (0 for none). */
  record Put(String key, byte[] value, long lease) implements Op {
    public Put {
      Objects.requireNonNull(key, "key");
      Objects.requireNonNull(value, "value");
    }
  }

  /** Deletes {@code key}; deleting a missing key is not an error and changes nothing. */
  record Delete(String key) implements Op {
    public Delete {
      Objects.requireNonNull(key, "key");
    }
  }

  static Op put(String key, byte[] value) {
    return new Put(key, value, 0);
  }

  static Op put(String key, byte[] value, long lease) {
    return new Put(key, value, lease);
  }

  static Op delete(String key) {
    return new Delete(key);
  }
}
