package io.meridian.balancer.ringhash;

import io.meridian.balancer.Backend;
import io.meridian.balancer.HashKeys;
import io.meridian.balancer.Picker;
import io.meridian.balancer.RandomSource;
import io.meridian.balancer.SingletonPicker;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * Ring hash: consistent hashing on a ring of 64-bit points, so that a hash keeps its backend while
 * the backend stays in the set, and a change of the set moves few hashes.
 *
 * <p>Design note. Karger et al., "Consistent Hashing and Random Trees", STOC 1997, in the Ketama
 * form (libketama, 2007) that Envoy's {@code RingHashLoadBalancer} follows: each backend owns
 * points on the ring {@code [0, 2^64)}, point j of a backend being {@code XXH64(key + "_" + j)}
 * ({@link HashKeys}, Envoy's own point key and hash), and a hash belongs to the first point at or
 * after it, wrapping past the top. Removing a backend hands only its arcs to their clockwise
 * neighbours; adding one takes only the arcs its new points split.
 *
 * <p>Ring size. A backend's share is the total length of its arcs, so its error shrinks as {@code
 * 1/sqrt(points)}. Envoy gives the whole ring about {@code minRingSize} points, so every count
 * depends on the whole set: removing one of n backends gives each survivor about {@code 1/n} more
 * points, which take about another {@code 1/n} of the keys from their neighbours (about 2/n moved
 * instead of 1/n). Here a backend's count depends only on its weight relative to the heaviest: the
 * heaviest gets {@code R = ceil(minRingSize / 2)} points (512 by default) and backend i gets {@code
 * round(R × w_i / w_max)}, at least 1. Two equal backends already fill {@code minRingSize}; a set
 * change leaves the survivors' points alone unless it changes the heaviest weight; memory is 8
 * bytes a point, at most 4 KiB per backend by default whatever the weights (8 KiB for a backend
 * heavier than all the others together). Two corrections, both rare, and the only ways the set
 * changes survivors' points: when the heaviest outweighs all the others together, R grows until the
 * ring holds {@code minRingSize} points; when the ring would exceed {@code maxRingSize}, R shrinks
 * to fit (points then round down, plus one per backend too light for one). With 512 points a
 * backend's share is off by about 4% of itself (1 standard deviation); measured max/min share over
 * equal backends: 1.11 for 3 and for 10, 1.24 for 50 and for 100. A tighter balance needs a larger
 * {@code minRingSize} (16,384 keeps every weighted share within 2 percentage points) or Maglev.
 *
 * <p>Layout. The ring is one sorted {@code long[]}: each point's sign bit is flipped so that signed
 * order is unsigned order, and its low {@code ceil(log2 n)} bits are replaced by the owner's index
 * in the key-sorted backends. That moves a point by less than 2n in 2^64 (nothing, for balance),
 * lets a primitive sort order points with their owners, breaks hash ties by key, and leaves 8 bytes
 * per point. A pick is one binary search: {@code O(log points)}, no allocation.
 *
 * <p>{@link #pick(long)} expects a well-mixed hash ({@link HashKeys}); a raw counter or IPv4 int
 * would cluster on one arc. {@link #pick()} hashes a {@code RandomSource} draw through {@link
 * HashKeys#mix}, which also spreads a source whose high bits are weak.
 *
 * <p>Thread-safety: immutable. Keys must be unique; backends are placed by key, so the order they
 * are given in does not matter.
 */
final class RingHashPicker<E> implements Picker<E> {

  private final Backend<E>[] backends; // sorted by key
  private final long[] ring;
  private final long ownerMask;
  private final RandomSource random;

  private RingHashPicker(Backend<E>[] backends, long[] ring, long ownerMask, RandomSource random) {
    this.backends = backends;
    this.ring = ring;
    this.ownerMask = ownerMask;
    this.random = random;
  }

  static <E> Picker<E> over(
      List<Backend<E>> list, RandomSource random, int minRingSize, int maxRingSize) {
    Backend<E>[] backends = sortedByKey(list);
    int n = backends.length;
    if (n == 0) {
      return Picker.empty();
    }
    if (n == 1) {
      return new SingletonPicker<>("ring_hash", backends[0]);
    }
    long[] points = pointCounts(backends, minRingSize, maxRingSize);
    long total = 0;
    for (long p : points) {
      total += p;
    }
    int indexBits = 32 - Integer.numberOfLeadingZeros(n - 1);
    long mask = (1L << indexBits) - 1;
    long[] ring = new long[Math.toIntExact(total)];
    int r = 0;
    for (int i = 0; i < n; i++) {
      byte[] key = backends[i].key().getBytes(StandardCharsets.UTF_8);
      byte[] buffer = Arrays.copyOf(key, key.length + 1 + 20);
      buffer[key.length] = '_';
      for (long j = 0; j < points[i]; j++) {
        int length = key.length + 1 + writeDecimal(j, buffer, key.length + 1);
        long h = HashKeys.hash(buffer, 0, length);
        ring[r++] = ((h ^ Long.MIN_VALUE) & ~mask) | i;
      }
    }
    Arrays.sort(ring);
    return new RingHashPicker<>(backends, ring, mask, random);
  }

  /** Points per backend; see the class note. */
  static long[] pointCounts(Backend<?>[] backends, int minRingSize, int maxRingSize) {
    long heaviest = 0;
    long total = 0;
    for (Backend<?> b : backends) {
      heaviest = Math.max(heaviest, b.weight());
      total += b.weight();
    }
    // The heaviest backend's points; the ring then holds about perHeaviest × total / heaviest.
    long perHeaviest = (minRingSize + 1L) / 2;
    perHeaviest = Math.max(perHeaviest, ceilDiv(minRingSize * heaviest, total));
    boolean capped = (double) perHeaviest * total / heaviest > maxRingSize;
    if (capped) {
      perHeaviest = Math.max(1, maxRingSize * heaviest / total);
    }
    long[] points = new long[backends.length];
    for (int i = 0; i < backends.length; i++) {
      long scaled = perHeaviest * backends[i].weight();
      long p = capped ? scaled / heaviest : (scaled + heaviest / 2) / heaviest;
      points[i] = Math.max(1, p);
    }
    return points;
  }

  @Override
  public Backend<E> pick() {
    return pick(HashKeys.mix(random.nextLong()));
  }

  @Override
  public Backend<E> pick(long hash) {
    long[] r = ring;
    long x = hash ^ Long.MIN_VALUE;
    int lo = 0;
    int hi = r.length;
    while (lo < hi) { // the first point >= x
      int mid = (lo + hi) >>> 1;
      if (r[mid] < x) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    return backends[(int) (r[lo == r.length ? 0 : lo] & ownerMask)];
  }

  @Override
  public int size() {
    return backends.length;
  }

  /** Points on the ring. */
  int ringSize() {
    return ring.length;
  }

  /** The hash value of point {@code i}, in ring order (unsigned ascending). */
  long point(int i) {
    return ring[i] ^ Long.MIN_VALUE;
  }

  /** The backend owning point {@code i}. */
  Backend<E> owner(int i) {
    return backends[(int) (ring[i] & ownerMask)];
  }

  @Override
  public String toString() {
    return "ring_hash{size=" + backends.length + ", ring=" + ring.length + "}";
  }

  static <E> Backend<E>[] sortedByKey(List<Backend<E>> list) {
    @SuppressWarnings("unchecked")
    Backend<E>[] backends = List.copyOf(list).toArray(Backend[]::new); // no nulls
    Arrays.sort(backends, Comparator.comparing(Backend::key));
    for (int i = 1; i < backends.length; i++) {
      if (backends[i].key().equals(backends[i - 1].key())) {
        throw new IllegalArgumentException("duplicate backend key \"" + backends[i].key() + "\"");
      }
    }
    return backends;
  }

  private static long ceilDiv(long a, long b) {
    return (a + b - 1) / b;
  }

  /** Writes {@code value >= 0} in decimal at {@code offset}; answers the digit count. */
  private static int writeDecimal(long value, byte[] into, int offset) {
    int digits = 1;
    for (long v = value; v >= 10; v /= 10) {
      digits++;
    }
    long v = value;
    for (int d = offset + digits - 1; d >= offset; d--) {
      into[d] = (byte) ('0' + v % 10);
      v /= 10;
    }
    return digits;
  }
}
