package io.meridian.registry.store;

import java.util.List;

/**
 * The outcome of a {@link Txn}.
 *
 * @param succeeded whether every comparison held (so the success branch ran)
 * @param revision the revision the transaction wrote at, or the store's revision when it changed
 *     nothing
 * @param events the changes it made, in op order (a delete of a missing key makes none)
 */
public record TxnResult(boolean succeeded, long revision, List<Event> events) {

  public TxnResult {
    events = List.copyOf(events);
  }
}
