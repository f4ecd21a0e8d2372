package io.meridian.client;

import java.util.function.LongSupplier;

/**
 * Bounds retries to a share of requests, so that retries cannot multiply load on a fleet that is
 * already failing (a retry storm). After Finagle's {@code RetryBudget} and Envoy's retry budgets.
 *
 * <h2>Design note</h2>
 *
 * <p>A token bucket: every original request deposits {@code ratio} of a token, every retry
 * withdraws one, and a trickle of {@code minPerSecond} tokens a second lets a client that sends
 * little still retry. The bucket holds at most {@code 10 * minPerSecond + 100 * ratio} tokens (ten
 * seconds of trickle plus the deposits of a hundred requests), so a long quiet spell does not bank
 * an unbounded burst. The defaults, 20 % and 10/s, are Finagle's: at most one retry per five
 * requests in steady failure, yet a trickle of retries for a client that sends few requests.
 *
 * <p>Thread-safety: safe from any thread; {@code balance} and {@code lastRefill} are guarded by
 * {@code this} (two short critical sections per request, uncontended in practice).
 */
public final class RetryBudget {

  /** Absorbs the rounding of repeated deposits (100 x 0.2 sums to 19.99999999999996). */
  private static final double EPSILON = 1e-9;

  private final double ratio;
  private final double minPerSecond;
  private final double cap;
  private final LongSupplier nanoTime;
  private double balance; // guarded by this
  private long lastRefill; // guarded by this

  private RetryBudget(double ratio, double minPerSecond, LongSupplier nanoTime) {
    if (!(ratio >= 0 && ratio <= 1)) {
      throw new IllegalArgumentException("ratio must be 0..1, got " + ratio);
    }
    if (!(minPerSecond >= 0)) {
      throw new IllegalArgumentException("minPerSecond must be >= 0, got " + minPerSecond);
    }
    this.ratio = ratio;
    this.minPerSecond = minPerSecond;
    this.cap = Math.max(1, 10 * minPerSecond + 100 * ratio);
    this.nanoTime = nanoTime;
    this.balance = Math.min(cap, minPerSecond);
    this.lastRefill = nanoTime.getAsLong();
  }

  /** 20 % of requests, and at least 10 retries a second. */
  public static RetryBudget defaults() {
    return of(0.2, 10, System::nanoTime);
  }

  /** A budget allowing {@code ratio} retries per request plus {@code minPerSecond}. */
  public static RetryBudget of(double ratio, double minPerSecond, LongSupplier nanoTime) {
    return new RetryBudget(ratio, minPerSecond, nanoTime);
  }

  /** No retries at all. */
  public static RetryBudget none() {
    return of(0, 0, () -> 0L);
  }

  /** Called once per original request. */
  public synchronized void deposit() {
    refill();
    balance = Math.min(cap, balance + ratio);
  }

  /** Takes one retry from the budget: true if there was one. */
  public synchronized boolean tryWithdraw() {
    refill();
    if (balance >= 1 - EPSILON) {
      balance = Math.max(0, balance - 1);
      return true;
    }
    return false;
  }

  /** Retries available now (rounded down). */
  public synchronized int available() {
    refill();
    return (int) (balance + EPSILON);
  }

  private void refill() {
    long now = nanoTime.getAsLong();
    long elapsed = now - lastRefill;
    if (elapsed > 0) {
      lastRefill = now;
      balance = Math.min(cap, balance + minPerSecond * (elapsed / 1e9));
    }
  }
}
