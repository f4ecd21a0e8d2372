package io.meridian.registry.store;

import java.util.List;

/** A consistent view of every key under a prefix, taken at {@code revision}. */
public record RangeResult(long revision, List<KeyValue> kvs) {

  public RangeResult {
    kvs = List.copyOf(kvs);
  }
}
