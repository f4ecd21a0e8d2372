package io.meridian.dns;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.function.LongSupplier;

/**
 * Response rate limiting per client prefix (/24 for IPv4, /56 for IPv6), against the server being
 * used to reflect traffic at a spoofed victim (the idea of BIND's RRL, much simplified).
 *
 * <h2>Design note</h2>
 *
 * <p>The generic cell rate algorithm (ATM Forum TM 4.0; a token bucket kept as one timestamp): each
 * prefix has a theoretical arrival time {@code tat}; a response is allowed when {@code tat - now <=
 * burst}, and then {@code tat = max(tat, now) + 1/rate}. The burst is one second's worth. State
 * lives in a fixed table of 2^16 slots indexed by a hash of the prefix: bounded memory whatever an
 * attacker sends, and a slot taken over by another prefix simply starts afresh (a collision can
 * only let a few more responses through, never block a client for long). Reads and writes are
 * atomic per slot but not transactional; racing packets of one prefix may both pass, which is
 * within what a best-effort limiter promises.
 *
 * <p>Thread-safety: lock-free; safe from every event loop at once.
 */
final class RateLimiter {

  private static final int SLOTS = 1 << 16;

  private final long interval; // ns between responses at the limit
  private final long burst; // ns of credit
  private final LongSupplier nanoTime;
  private final AtomicLongArray prefixes = new AtomicLongArray(SLOTS);
  private final AtomicLongArray tats = new AtomicLongArray(SLOTS);

  RateLimiter(int perSecond, LongSupplier nanoTime) {
    this.interval = 1_000_000_000L / perSecond;
    this.burst = 1_000_000_000L;
    this.nanoTime = nanoTime;
  }

  /** Whether a response to {@code client} may be sent now; counts it when so. */
  boolean allow(InetAddress client) {
    long prefix = prefix(client);
    int slot = (int) (mix(prefix) & (SLOTS - 1));
    long now = nanoTime.getAsLong();
    long tat;
    if (prefixes.get(slot) != prefix) {
      prefixes.set(slot, prefix);
      tat = now;
    } else {
      tat = Math.max(tats.get(slot), now);
    }
    if (tat - now > burst) {
      return false;
    }
    tats.set(slot, tat + interval);
    return true;
  }

  /** The /24 or /56 a client belongs to, as one long (the family in the low bit). */
  static long prefix(InetAddress a) {
    byte[] b = a.getAddress();
    if (a instanceof Inet4Address) {
      return ((b[0] & 0xffL) << 24 | (b[1] & 0xffL) << 16 | (b[2] & 0xffL) << 8) << 1;
    }
    long p = 0;
    for (int i = 0; i < 7; i++) {
      p = p << 8 | (b[i] & 0xff);
    }
    return p << 1 | 1;
  }

  private static long mix(long x) {
    x ^= x >>> 33;
    x *= 0xff51afd7ed558ccdL;
    x ^= x >>> 33;
    return x;
  }
}
