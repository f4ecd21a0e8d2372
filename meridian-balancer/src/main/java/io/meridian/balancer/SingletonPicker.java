package io.meridian.balancer;

import java.util.Objects;

/**
 * The picker over exactly one backend, whatever the policy: every pick, with or without a hash,
 * answers it, with no counter to contend on and no draw to make. Policies return it for a
 * one-backend set.
 *
 * <p>Thread-safety: immutable.
 *
 * @param policy the policy's name, for {@link #toString()}
 * @param only the backend
 */
public record SingletonPicker<E>(String policy, Backend<E> only) implements Picker<E> {

  public SingletonPicker {
    Objects.requireNonNull(policy, "policy");
    Objects.requireNonNull(only, "only");
  }

  @Override
  public Backend<E> pick() {
    return only;
  }

  @Override
  public Backend<E> pick(long hash) {
    return only;
  }

  @Override
  public int size() {
    return 1;
  }

  @Override
  public String toString() {
    return policy + "{size=1}";
  }
}
