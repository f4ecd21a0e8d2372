package io.meridian.registry.store;

import java.util.List;

/** An etcd-style transaction: if every comparison holds, the success ops, else the failure ops. */
public record Txn(List<Compare> compares, List<Op> success, List<Op> failure) {

  public Txn {
    compares = List.copyOf(compares);
    success = List.copyOf(success);
    failure = List.copyOf(failure);
  }

  public static Txn of(List<Compare> compares, List<Op> success) {
    return new Txn(compares, success, List.of());
  }

  public static Txn unconditional(Op... ops) {
    return new Txn(List.of(), List.of(ops), List.of());
  }
}
