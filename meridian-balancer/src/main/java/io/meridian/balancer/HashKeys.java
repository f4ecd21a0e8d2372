package io.meridian.balancer;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.net.InetAddress;
import java.nio.ByteOrder;
import java.util.Objects;

/**
 * 64-bit hashes of affinity keys (a client IP, a header value, a cookie) for {@link
 * Picker#pick(long)}, and of backend keys for the hash policies ({@code ring_hash}, {@code
 * maglev}): one function everywhere, so a key hashed by a caller lands where the policies expect.
 *
 * <p>Design note. The function is XXH64 (Yann Collet, xxHash, <a
 * href="https://github.com/Cyan4973/xxHash/blob/dev/doc/xxhash_spec.md">xxhash_spec.md</a>) with
 * seed 0 unless a seed is given: it passes SMHasher, mixes every input bit into every output bit
 * (what a ring of 64-bit points and a prime-modulus table both need), runs at several GB/s with no
 * table, and is what Envoy hashes its ring points and Maglev permutations with, so operators can
 * reproduce a value with any xxHash tool ({@code xxhsum -H1}). The five primes are the
 * specification's; they are not tunable. A murmur3 finalizer alone was rejected for keys: it mixes
 * one word, not a byte string.
 *
 * <p>Strings hash as their UTF-8 bytes ({@code hash("é") == hash("é".getBytes(UTF_8))}, with an
 * unpaired surrogate encoded as {@code '?'} as {@link String#getBytes} does), but are encoded on
 * the fly into registers, so hashing a header value allocates nothing. {@link #hash(InetAddress)}
 * is the exception: {@link InetAddress} hands out its bytes only as a fresh copy (4 or 16 bytes);
 * on a hot path hash the address bytes where they already are ({@link #hash(byte[], int, int)}) or
 * an IPv4 address as an int ({@link #hashIpv4(int)}).
 *
 * <p>Thread-safety: stateless.
 */
public final class HashKeys {

  private static final long P1 = 0x9E3779B185EBCA87L;
  private static final long P2 = 0xC2B2AE3D27D4EB4FL;
  private static final long P3 = 0x165667B19E3779F9L;
  private static final long P4 = 0x85EBCA77C2B2AE63L;
  private static final long P5 = 0x27D4EB2F165667C5L;

  private static final VarHandle LONGS =
      MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
  private static final VarHandle INTS =
      MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);

  private HashKeys() {}

  /** XXH64 of {@code bytes}, seed 0. */
  public static long hash(byte[] bytes) {
    return hash(bytes, 0, bytes.length, 0);
  }

  /** XXH64 of {@code bytes[offset, offset + length)}, seed 0. */
  public static long hash(byte[] bytes, int offset, int length) {
    return hash(bytes, offset, length, 0);
  }

  /** XXH64 of {@code bytes[offset, offset + length)} with {@code seed}. */
  public static long hash(byte[] bytes, int offset, int length, long seed) {
    Objects.checkFromIndexSize(offset, length, bytes.length);
    int p = offset;
    int end = offset + length;
    long h;
    if (length >= 32) {
      long v1 = seed + P1 + P2;
      long v2 = seed + P2;
      long v3 = seed;
      long v4 = seed - P1;
      for (int limit = end - 32; p <= limit; p += 32) {
        v1 = round(v1, (long) LONGS.get(bytes, p));
        v2 = round(v2, (long) LONGS.get(bytes, p + 8));
        v3 = round(v3, (long) LONGS.get(bytes, p + 16));
        v4 = round(v4, (long) LONGS.get(bytes, p + 24));
      }
      h = converge(v1, v2, v3, v4);
    } else {
      h = seed + P5;
    }
    h += length;
    for (; p + 8 <= end; p += 8) {
      h = mixLane(h, (long) LONGS.get(bytes, p));
    }
    if (p + 4 <= end) {
      h = mixWord(h, (int) INTS.get(bytes, p));
      p += 4;
    }
    for (; p < end; p++) {
      h = mixByte(h, bytes[p]);
    }
    return avalanche(h);
  }

  /** XXH64 of the UTF-8 encoding of {@code text}, seed 0, without encoding it into memory. */
  public static long hash(CharSequence text) {
    return hash(text, 0);
  }

  /** XXH64 of the UTF-8 encoding of {@code text} with {@code seed}; allocates nothing. */
  public static long hash(CharSequence text, long seed) {
    long v1 = seed + P1 + P2;
    long v2 = seed + P2;
    long v3 = seed;
    long v4 = seed - P1;
    long l0 = 0; // completed 8-byte lanes of the current 32-byte stripe
    long l1 = 0;
    long l2 = 0;
    long lane = 0; // the lane being filled, little-endian
    int laneBytes = 0;
    int lanes = 0;
    long length = 0;
    int n = text.length();
    for (int i = 0; i < n; i++) {
      int c = text.charAt(i);
      int utf8; // up to four bytes, the first in the low byte
      int k;
      if (c < 0x80) {
        utf8 = c;
        k = 1;
      } else if (c < 0x800) {
        utf8 = (0xC0 | c >>> 6) | (0x80 | c & 0x3F) << 8;
        k = 2;
      } else if (!Character.isSurrogate((char) c)) {
        utf8 = (0xE0 | c >>> 12) | (0x80 | c >>> 6 & 0x3F) << 8 | (0x80 | c & 0x3F) << 16;
        k = 3;
      } else if (Character.isHighSurrogate((char) c)
          && i + 1 < n
          && Character.isLowSurrogate(text.charAt(i + 1))) {
        int cp = Character.toCodePoint((char) c, text.charAt(++i));
        utf8 =
            (0xF0 | cp >>> 18)
                | (0x80 | cp >>> 12 & 0x3F) << 8
                | (0x80 | cp >>> 6 & 0x3F) << 16
                | (0x80 | cp & 0x3F) << 24;
        k = 4;
      } else {
        utf8 = '?';
        k = 1;
      }
      length += k;
      for (; k > 0; k--, utf8 >>>= 8) {
        lane |= (long) (utf8 & 0xFF) << (laneBytes << 3);
        if (++laneBytes == 8) {
          switch (lanes) {
            case 0 -> l0 = lane;
            case 1 -> l1 = lane;
            case 2 -> l2 = lane;
            default -> {
              v1 = round(v1, l0);
              v2 = round(v2, l1);
              v3 = round(v3, l2);
              v4 = round(v4, lane);
            }
          }
          lanes = (lanes + 1) & 3;
          lane = 0;
          laneBytes = 0;
        }
      }
    }
    long h = length >= 32 ? converge(v1, v2, v3, v4) : seed + P5;
    h += length;
    if (lanes > 0) {
      h = mixLane(h, l0);
    }
    if (lanes > 1) {
      h = mixLane(h, l1);
    }
    if (lanes > 2) {
      h = mixLane(h, l2);
    }
    if (laneBytes >= 4) {
      h = mixWord(h, (int) lane);
      lane >>>= 32;
      laneBytes -= 4;
    }
    for (; laneBytes > 0; laneBytes--, lane >>>= 8) {
      h = mixByte(h, (byte) lane);
    }
    return avalanche(h);
  }

  /**
   * XXH64 of the address bytes in network order (4 for IPv4, 16 for IPv6), seed 0. Allocates a copy
   * of the address (the JDK offers no other access); see {@link #hashIpv4(int)}.
   */
  public static long hash(InetAddress address) {
    return hash(address.getAddress());
  }

  /**
   * XXH64 of an IPv4 address given as an int in network order ({@code 10.0.0.7 == 0x0A000007}):
   * equal to {@link #hash(InetAddress)} of that address, without allocating.
   */
  public static long hashIpv4(int address) {
    long h = P5 + 4;
    h = mixWord(h, Integer.reverseBytes(address));
    return avalanche(h);
  }

  /**
   * Spreads a 64-bit value over all 64 bits (MurmurHash3's {@code fmix64}, a bijection): for values
   * that are unique but not uniform, such as counters or a weak random source.
   */
  public static long mix(long x) {
    x ^= x >>> 33;
    x *= 0xFF51AFD7ED558CCDL;
    x ^= x >>> 33;
    x *= 0xC4CEB9FE1A85EC53L;
    x ^= x >>> 33;
    return x;
  }

  private static long round(long acc, long lane) {
    return Long.rotateLeft(acc + lane * P2, 31) * P1;
  }

  private static long converge(long v1, long v2, long v3, long v4) {
    long h =
        Long.rotateLeft(v1, 1)
            + Long.rotateLeft(v2, 7)
            + Long.rotateLeft(v3, 12)
            + Long.rotateLeft(v4, 18);
    h = (h ^ round(0, v1)) * P1 + P4;
    h = (h ^ round(0, v2)) * P1 + P4;
    h = (h ^ round(0, v3)) * P1 + P4;
    h = (h ^ round(0, v4)) * P1 + P4;
    return h;
  }

  private static long mixLane(long h, long lane) {
    return Long.rotateLeft(h ^ round(0, lane), 27) * P1 + P4;
  }

  private static long mixWord(long h, int word) {
    return Long.rotateLeft(h ^ (word & 0xFFFFFFFFL) * P1, 23) * P2 + P3;
  }

  private static long mixByte(long h, byte b) {
    return Long.rotateLeft(h ^ (b & 0xFFL) * P5, 11) * P1;
  }

  private static long avalanche(long h) {
    h ^= h >>> 33;
    h *= P2;
    h ^= h >>> 29;
    h *= P3;
    h ^= h >>> 32;
    return h;
  }
}
