package io.meridian.balancer.ringhash;

import io.meridian.balancer.Backend;
import io.meridian.balancer.HashKeys;
import io.meridian.balancer.Picker;
import io.meridian.balancer.RandomSource;
import io.meridian.balancer.SingletonPicker;
import io.meridian.balancer.random.AliasTable;
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
 * per point.
 *
 * <p>Pick. A binary search over the whole ring costs {@code log2(points)} dependent, unpredictable
 * steps (12 to 19 for the 2,800 to 280,000 points of 10 to 1,000 backends of weights 1 to 10) and,
 * past the first levels, a cache miss each. Instead the ring has an index by the top {@code k} bits
 * of the hash: {@code bucketStart[b]} is the first point whose top bits are at least b ({@code
 * bucketStart[2^k]} is the ring's length). A hash in bucket b belongs to the first point at or
 * after it from {@code bucketStart[b]} on, and no further than {@code bucketStart[b + 1]}: every
 * point before is in a lower bucket, and every point from the end of the bucket on is in a higher
 * one, so above the hash (past the last point, the ring wraps to its first). So a pick answers
 * exactly the point the binary search would.
 *
 * <p>{@code k = ceil(log2 points) - 2} (at least 1, as Java shifts a long by 64 as by 0) puts 2 to
 * 4 points in a bucket on average, and the index costs 4 bytes per 2 to 4 points (at most 1/4 of
 * the ring's memory; 512 KiB for the 280,000 points of 1,000 backends of weights 1 to 10). The
 * points are XXH64 values, so a bucket's count is about Poisson: a scan that stops at the first
 * point at or above the hash stops at a random place, a mispredicted branch per pick (measured:
 * more than the rest of the pick together). Instead a pick counts, without stopping, which of the
 * {@value #WINDOW} points from the bucket's start are below the hash: that is the hash's position,
 * since the points past the bucket are all above it; the compares depend on nothing but the hash,
 * so they need no branch, and {@value #WINDOW} longs are one or two cache lines. The ring is padded
 * with {@value #WINDOW} points of {@code Long.MAX_VALUE}, above every hash, so the window never
 * leaves the array. A bucket of more than {@value #WINDOW} points (under 2.2% of them at 4 on
 * average, under 0.1% at 2) is scanned to its end instead. One bit fewer for {@code k} (4 to 8
 * points a bucket) would send up to 40% of picks to that scan; one more would double the index.
 *
 * <p>{@link #pick(long)} expects a well-mixed hash ({@link HashKeys}); a raw counter or IPv4 int
 * would cluster on one arc. {@link #pick()}, with no hash to keep affinity to, draws a backend with
 * the probability a uniformly random hash would land on it, its arcs' share of the ring, from an
 * {@link AliasTable} built with the ring (as {@code maglev}'s draws a slot of its table): weights
 * are each backend's arcs in units of 2^33, at least 1, so a share moves by less than 2^-31.
 * Hashing a random draw and searching the ring gives the same distribution, but at 1,000 backends
 * it costs two cache misses in 2.7 MB (index and ring), for a pick that needs no position on the
 * ring; the table takes under 16 bytes a backend and a pick costs what the {@code random} policy's
 * does.
 *
 * <p>Thread-safety: immutable. Keys must be unique; backends are placed by key, so the order they
 * are given in does not matter.
 */
final class RingHashPicker<E> implements Picker<E> {

  /** Points counted per pick from a bucket's start; see the class note. */
  static final int WINDOW = 8;

  private final Backend<E>[] backends; // sorted by key
  private final long[] ring; // points, then WINDOW × Long.MAX_VALUE
  private final int points; // ring.length - WINDOW
  private final long ownerMask;
  private final int[] bucketStart; // 2^k + 1 entries; see the class note
  private final int bucketShift; // 64 - k: a hash's bucket is hash >>> bucketShift
  private final AliasTable byArc; // pick() without a hash: backends by arc share
  private final RandomSource random;

  private RingHashPicker(Backend<E>[] backends, long[] ring, long ownerMask, RandomSource random) {
    this.backends = backends;
    this.ring = ring;
    this.points = ring.length - WINDOW;
    this.ownerMask = ownerMask;
    int k = Math.max(1, 32 - Integer.numberOfLeadingZeros(points - 1) - 2);
    this.bucketShift = 64 - k;
    this.bucketStart = bucketStarts(ring, points, k);
    this.byArc = AliasTable.of(arcWeights(ring, points, ownerMask, backends.length));
    this.random = random;
  }

  /**
   * Each backend's share of the ring in units of 2^33, at least 1: the hashes ending at its points,
   * point i taking those in {@code (point i-1, point i]} and point 0 those past the last point too.
   */
  private static int[] arcWeights(long[] ring, int points, long ownerMask, int n) {
    long[] arcs = new long[n]; // unsigned; a backend holds less than the whole ring
    long previous = ring[points - 1];
    for (int i = 0; i < points; i++) {
      arcs[(int) (ring[i] & ownerMask)] += ring[i] - previous; // mod 2^64: wraps at point 0
      previous = ring[i];
    }
    int[] weights = new int[n];
    for (int b = 0; b < n; b++) {
      weights[b] = (int) Math.max(1, arcs[b] >>> 33);
    }
    return weights;
  }

  /** For each bucket b of the top {@code k} bits, the first point in it or above; then the end. */
  private static int[] bucketStarts(long[] ring, int points, int k) {
    int buckets = 1 << k;
    int[] start = new int[buckets + 1];
    int shift = 64 - k;
    int i = 0;
    for (int b = 0; b <= buckets; b++) {
      while (i < points && (ring[i] ^ Long.MIN_VALUE) >>> shift < b) {
        i++;
      }
      start[b] = i;
    }
    return start;
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
    long[] ring = new long[Math.toIntExact(total + WINDOW)];
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
    Arrays.sort(ring, 0, r);
    Arrays.fill(ring, r, ring.length, Long.MAX_VALUE);
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
    return backends[byArc.next(random)];
  }

  @Override
  public Backend<E> pick(long hash) {
    long[] r = ring;
    int bucket = (int) (hash >>> bucketShift);
    int i = bucketStart[bucket];
    int end = bucketStart[bucket + 1];
    long x = hash ^ Long.MIN_VALUE;
    if (end - i <= WINDOW) { // points past the bucket are above x: count the window's below x
      int below = 0;
      for (int j = 0; j < WINDOW; j++) {
        below += r[i + j] < x ? 1 : 0;
      }
      i += below;
    } else {
      while (i < end && r[i] < x) {
        i++;
      }
    }
    return backends[(int) (r[i == points ? 0 : i] & ownerMask)];
  }

  /** Buckets in the index, for tests. */
  int buckets() {
    return bucketStart.length - 1;
  }

  /** The most points in one bucket, for tests. */
  int largestBucket() {
    int largest = 0;
    for (int b = 0; b + 1 < bucketStart.length; b++) {
      largest = Math.max(largest, bucketStart[b + 1] - bucketStart[b]);
    }
    return largest;
  }

  @Override
  public int size() {
    return backends.length;
  }

  /** Points on the ring. */
  int ringSize() {
    return points;
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
    return "ring_hash{size=" + backends.length + ", ring=" + points + "}";
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
