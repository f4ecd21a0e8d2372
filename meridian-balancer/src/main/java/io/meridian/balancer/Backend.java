package io.meridian.balancer;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Objects;

/**
 * One endpoint as the balancer sees it: the caller's value (an address, a channel, a subchannel), a
 * stable key that identifies it across updates ({@code 10.0.0.7:8080}), its weight and zone, and a
 * count of requests in flight for least-request balancing.
 *
 * <p>A {@code Backend} is created once per endpoint and reused across updates (reconcile by {@link
 * #key()}), so that its in-flight count and its identity survive a new snapshot. Hash policies
 * place endpoints by key, never by position, so keys must be stable and unique within a picker.
 *
 * <p>Thread-safety: immutable except the in-flight counter, which is atomic.
 *
 * @param <E> the caller's endpoint type
 */
public final class Backend<E> {

  /** Weights are 1..{@value}: the model's range (1..1000) with room for slow-start scaling. */
  public static final int MAX_WEIGHT = 1_000_000;

  private static final VarHandle ACTIVE;

  static {
    try {
      ACTIVE = MethodHandles.lookup().findVarHandle(Backend.class, "active", int.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  private final E value;
  private final String key;
  private final int weight;
  private final String zone;
  private final Backend<E> counter; // whose in-flight count this one keeps: itself or its origin

  @SuppressWarnings("unused") // accessed through ACTIVE, on counter only
  private volatile int active;

  private Backend(E value, String key, int weight, String zone) {
    this(value, key, weight, zone, null);
  }

  private Backend(E value, String key, int weight, String zone, Backend<E> origin) {
    this.value = Objects.requireNonNull(value, "value");
    this.key = Objects.requireNonNull(key, "key");
    if (weight < 1 || weight > MAX_WEIGHT) {
      throw new IllegalArgumentException("weight must be 1.." + MAX_WEIGHT + ", got " + weight);
    }
    this.weight = weight;
    this.zone = zone == null ? "" : zone;
    this.counter = origin == null ? this : origin;
  }

  public static <E> Backend<E> of(E value, String key) {
    return new Backend<>(value, key, 1, "");
  }

  public static <E> Backend<E> of(E value, String key, int weight, String zone) {
    return new Backend<>(value, key, weight, zone);
  }

  /**
   * This backend with another weight (slow start's ramp), sharing this one's in-flight count, so
   * that a request started on either is seen, and finished, on both.
   */
  public Backend<E> withWeight(int weight) {
    return weight == this.weight ? this : new Backend<>(value, key, weight, zone, counter);
  }

  public E value() {
    return value;
  }

  public String key() {
    return key;
  }

  public int weight() {
    return weight;
  }

  /** The zone, "" when unknown. */
  public String zone() {
    return zone;
  }

  /** Requests in flight, as counted by {@link #started()} and {@link #finished()}. */
  public int activeRequests() {
    return (int) ACTIVE.getVolatile(counter);
  }

  /** Call when a request to this backend starts (least-request balancing reads the count). */
  public void started() {
    ACTIVE.getAndAdd(counter, 1);
  }

  /** Call when a request to this backend ends, however it ended. */
  public void finished() {
    ACTIVE.getAndAdd(counter, -1);
  }

  @Override
  public String toString() {
    return key + (weight == 1 ? "" : " w" + weight) + (zone.isEmpty() ? "" : " @" + zone);
  }
}
