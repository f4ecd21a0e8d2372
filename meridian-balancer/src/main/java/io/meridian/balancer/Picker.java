package io.meridian.balancer;

/**
 * Chooses a backend for one request. Built by a {@link Policy} from an immutable list of backends
 * and never changed afterwards: a new endpoint set means a new picker, published by whoever owns
 * the balancing (grpc-java's {@code SubchannelPicker}).
 *
 * <p>Contract for implementations: thread-safe without locks; {@code pick} allocates nothing; the
 * only mutable state is a counter (round robin's position) or the backends' in-flight counts.
 *
 * @param <E> the caller's endpoint type
 */
public interface Picker<E> {

  /** A backend for a request with no affinity, or null when there are none. */
  Backend<E> pick();

  /**
   * A backend for a request whose affinity key hashes to {@code hash} (a client IP, a header). Hash
   * policies map equal hashes to the same backend while it stays in the set; the others ignore the
   * hash and behave as {@link #pick()}.
   */
  default Backend<E> pick(long hash) {
    return pick();
  }

  /** How many backends this picker chooses from. */
  int size();

  /** A picker over nothing: every pick answers null. */
  @SuppressWarnings("unchecked")
  static <E> Picker<E> empty() {
    return (Picker<E>) EmptyPicker.INSTANCE;
  }
}
