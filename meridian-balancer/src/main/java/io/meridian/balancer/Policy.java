package io.meridian.balancer;

import java.util.List;

/**
 * A load-balancing algorithm with its configuration: turns a list of backends into a {@link
 * Picker}. Building may be expensive (a Maglev table, a hash ring); picking must be cheap. Policies
 * are immutable and reusable; get one by name from {@link Policies}.
 */
public interface Policy {

  /** The name it is configured by: {@code round_robin}, {@code maglev}, ... */
  String name();

  /**
   * A picker over {@code backends} (keys unique; order does not matter to hash policies).
   *
   * @param random randomness for this picker: random choices, and the starting offset of rotating
   *     policies so that a fleet of clients does not move in lockstep
   */
  <E> Picker<E> picker(List<Backend<E>> backends, RandomSource random);
}
