package io.meridian.dns;

import java.util.concurrent.atomic.LongAdder;

/**
 * What a server has seen, shared by its handlers: queries read, answers not sent (malformed beyond
 * answering, or responses), answers held back by the rate limiter, handler errors.
 *
 * <p>Thread-safety: adders, safe from any thread.
 */
public final class DnsStats {
  final LongAdder queries = new LongAdder();
  final LongAdder dropped = new LongAdder();
  final LongAdder limited = new LongAdder();
  final LongAdder errors = new LongAdder();
  final LongAdder forwarded = new LongAdder();

  public long forwarded() {
    return forwarded.sum();
  }

  public long queries() {
    return queries.sum();
  }

  public long dropped() {
    return dropped.sum();
  }

  public long limited() {
    return limited.sum();
  }

  public long errors() {
    return errors.sum();
  }
}
