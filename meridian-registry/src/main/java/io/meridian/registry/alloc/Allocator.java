package io.meridian.registry.alloc;

import java.util.BitSet;
import java.util.Optional;
import java.util.Set;
import java.util.random.RandomGenerator;

/**
 * Hands out values from a contiguous range (ClusterIPs, NodePorts, LoadBalancer IPs) as Kubernetes'
 * allocators do: the truth is one claim key per value in the store ({@code
 * /registry/allocations/nodeports/30080}), created in the same transaction as the object that owns
 * it and guarded there by an "absent" comparison, so two writers can never take one value. This
 * class only keeps a bitmap of the claims it has seen, to pick a likely-free candidate in
 * O(range/64) without asking the store; a stale bitmap costs a retry, never a double allocation.
 *
 * <p>Candidates start at a random offset and scan forward, so that values spread and a freed one is
 * not handed out again at once (less surprise for caches that remember an old address).
 *
 * <p>Thread-safety: safe from any thread; the bitmap is guarded by {@code this}.
 */
public final class Allocator {

  /** How values map to offsets in the range and back. */
  public interface Range {
    long size();

    /** The offset of {@code value}, or -1 if it is not in the range or not well-formed. */
    long offsetOf(String value);

    String valueAt(long offset);

    /** For messages: {@code 10.96.0.0/16}, {@code 30000-32767}. */
    String describe();
  }

  private final String name;
  private final String claimPrefix;
  private final Range range;
  private final BitSet used; // guarded by this

  public Allocator(String name, String claimPrefix, Range range) {
    if (range.size() > Integer.MAX_VALUE) {
      throw new IllegalArgumentException(name + " range is too large: " + range.describe());
    }
    this.name = name;
    this.claimPrefix = claimPrefix;
    this.range = range;
    this.used = new BitSet((int) range.size());
  }

  public String name() {
    return name;
  }

  public Range range() {
    return range;
  }

  public String claimPrefix() {
    return claimPrefix;
  }

  public String claimKey(String value) {
    return claimPrefix + value;
  }

  public boolean contains(String value) {
    return range.offsetOf(value) >= 0;
  }

  public boolean isEmpty() {
    return range.size() == 0;
  }

  /** Records that a claim for {@code value} exists in the store. */
  public synchronized void markUsed(String value) {
    long o = range.offsetOf(value);
    if (o >= 0) {
      used.set((int) o);
    }
  }

  /** Records that the claim for {@code value} is gone. */
  public synchronized void markFree(String value) {
    long o = range.offsetOf(value);
    if (o >= 0) {
      used.clear((int) o);
    }
  }

  public synchronized boolean isUsed(String value) {
    long o = range.offsetOf(value);
    return o >= 0 && used.get((int) o);
  }

  public synchronized int usedCount() {
    return used.cardinality();
  }

  /** A value believed free and not in {@code exclude}, or empty when the range is full. */
  public synchronized Optional<String> candidate(RandomGenerator random, Set<String> exclude) {
    int size = (int) range.size();
    if (size == 0) {
      return Optional.empty();
    }
    int start = random.nextInt(size);
    int i = start;
    do {
      i = used.nextClearBit(i);
      if (i >= size) {
        i = used.nextClearBit(0);
        if (i >= start || i >= size) {
          return Optional.empty();
        }
      }
      String v = range.valueAt(i);
      if (!exclude.contains(v)) {
        return Optional.of(v);
      }
      i++;
      if (i >= size) {
        i = 0;
      }
    } while (i != start);
    return Optional.empty();
  }
}
