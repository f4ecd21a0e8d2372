package io.meridian.registry.store;

/**
 * One change to one key.
 *
 * @param type what happened
 * @param kv for PUT the new state; for DELETE a tombstone: the key, an empty value, version 0 and
 *     the deleting revision as {@code modRevision}
 * @param prevKv the state before the change; null for a PUT that created the key
 */
public record Event(Type type, KeyValue kv, KeyValue prevKv) {

  public enum Type {
    PUT,
    DELETE
  }

  public long revision() {
    return kv.modRevision();
  }
}
