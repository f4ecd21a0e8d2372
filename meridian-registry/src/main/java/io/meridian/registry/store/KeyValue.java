package io.meridian.registry.store;

import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * One key's state at one revision, as etcd's {@code mvccpb.KeyValue}.
 *
 * @param key the key
 * @param value the value; never mutated by anyone once built (empty for a deletion's tombstone)
 * @param createRevision the revision that created this key (its latest incarnation)
 * @param modRevision the revision that last wrote it
 * @param version writes since creation, 1 for a new key; 0 for a tombstone
 * @param lease the lease the key is attached to, 0 for none
 */
public record KeyValue(
    String key, byte[] value, long createRevision, long modRevision, long version, long lease) {

  public KeyValue {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(value, "value");
  }

  public String valueAsString() {
    return new String(value, StandardCharsets.UTF_8);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof KeyValue kv
        && key.equals(kv.key)
        && java.util.Arrays.equals(value, kv.value)
        && createRevision == kv.createRevision
        && modRevision == kv.modRevision
        && version == kv.version
        && lease == kv.lease;
  }

  @Override
  public int hashCode() {
    return Objects.hash(key, java.util.Arrays.hashCode(value), modRevision);
  }

  @Override
  public String toString() {
    return "KeyValue["
        + key
        + "@"
        + modRevision
        + " v"
        + version
        + " lease="
        + lease
        + " "
        + value.length
        + "B]";
  }
}
