package io.meridian.registry.store.embedded;

import io.meridian.registry.store.KeyValue;
import io.meridian.registry.store.RangeResult;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.locks.StampedLock;

/**
 * The published key space: what readers see. Only durable writes ever reach it.
 *
 * <p>Keys are kept in a {@link ConcurrentSkipListMap} ordered by Unicode code point, which is the
 * order of their UTF-8 bytes (etcd's order), so a prefix is one contiguous run. The writer applies
 * a whole batch and moves the revision under the write side of a {@link StampedLock}; readers use
 * an optimistic read and retry under the read lock if a publish overlapped, so {@link #range}
 * returns every key exactly as of one revision without readers ever blocking one another.
 *
 * <p>Thread-safety: reads from any thread; {@link #publish} and the {@code recover*} methods from
 * the writer thread (or recovery) only. {@code revision} and the map are guarded by {@code lock}
 * for writers; readers validate their stamp.
 */
final class KvState {

  /** Orders strings by code point (= by UTF-8 bytes) rather than by UTF-16 unit. */
  static final Comparator<String> KEY_ORDER = KvState::compareCodePoints;

  private final ConcurrentSkipListMap<String, KeyValue> map =
      new ConcurrentSkipListMap<>(KEY_ORDER);
  private final StampedLock lock = new StampedLock();
  private volatile long revision;

  long revision() {
    return revision;
  }

  KeyValue get(String key) {
    long stamp = lock.tryOptimisticRead();
    KeyValue kv = map.get(key);
    if (lock.validate(stamp)) {
      return kv;
    }
    stamp = lock.readLock();
    try {
      return map.get(key);
    } finally {
      lock.unlockRead(stamp);
    }
  }

  RangeResult range(String prefix) {
    long stamp = lock.tryOptimisticRead();
    if (stamp != 0) {
      long rev = revision;
      List<KeyValue> kvs = collect(prefix);
      if (lock.validate(stamp)) {
        return new RangeResult(rev, kvs);
      }
    }
    stamp = lock.readLock();
    try {
      return new RangeResult(revision, collect(prefix));
    } finally {
      lock.unlockRead(stamp);
    }
  }

  private List<KeyValue> collect(String prefix) {
    List<KeyValue> out = new ArrayList<>();
    for (KeyValue kv : map.tailMap(prefix, true).values()) {
      if (!kv.key().startsWith(prefix)) {
        break;
      }
      out.add(kv);
    }
    return out;
  }

  /**
   * Makes a batch visible atomically.
   *
   * @param changes new state per key; a null value deletes the key
   */
  void publish(Map<String, KeyValue> changes, long newRevision) {
    long stamp = lock.writeLock();
    try {
      for (Map.Entry<String, KeyValue> e : changes.entrySet()) {
        if (e.getValue() == null) {
          map.remove(e.getKey());
        } else {
          map.put(e.getKey(), e.getValue());
        }
      }
      revision = newRevision;
    } finally {
      lock.unlockWrite(stamp);
    }
  }

  void recoverPut(KeyValue kv) {
    map.put(kv.key(), kv);
  }

  void recoverRemove(String key) {
    map.remove(key);
  }

  void recoverRevision(long rev) {
    revision = rev;
  }

  /** Every key-value; consistent only on the writer thread, which is the only mutator. */
  List<KeyValue> values() {
    return new ArrayList<>(map.values());
  }

  static int compareCodePoints(String a, String b) {
    int n = Math.min(a.length(), b.length());
    for (int i = 0; i < n; i++) {
      char x = a.charAt(i);
      char y = b.charAt(i);
      if (x != y) {
        // Surrogates (U+D800..DFFF) encode code points above U+FFFF, so they must sort after
        // U+E000..FFFF: shift the two ranges past each other (ICU's code point order fix-up).
        if (x >= 0xD800 && y >= 0xD800) {
          x = (char) (x >= 0xE000 ? x - 0x800 : x + 0x2000);
          y = (char) (y >= 0xE000 ? y - 0x800 : y + 0x2000);
        }
        return x - y;
      }
    }
    return a.length() - b.length();
  }
}
