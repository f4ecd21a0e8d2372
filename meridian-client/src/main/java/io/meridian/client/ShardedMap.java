package io.meridian.client;

import java.util.AbstractMap;
import java.util.AbstractSet;
import java.util.HashMap;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Set;

/**
 * An immutable map split into a fixed number of shards, edited by copying only the shards a change
 * touches.
 *
 * <h2>Design note</h2>
 *
 * <p>Snapshots of 10,000 services must not cost 10,000 entry copies per change (DESIGN.md, "The one
 * picture"). A persistent hash trie (HAMT, Bagwell 2001, "Ideal Hash Trees") makes every update
 * O(log32 n), at the price of a page of subtle code. This class keeps the one idea that matters
 * here, path copying, with a tree of depth one: {@value #SHARDS} plain {@link HashMap} shards
 * selected by the spread hash of the key. An {@link Editor} copies the shard array (64 references)
 * once and each shard on its first write; untouched shards are shared with the previous map. {@link
 * ClusterWatch} also coalesces a burst of events into one snapshot, so a burst pays for each
 * touched shard once.
 *
 * <p>Cost: one change among n entries copies n / 64 entries plus 64 references, about 160 entries
 * (a few microseconds) at n = 10,000; a relist that touches every shard copies everything once,
 * O(n), as a full rebuild must. Lookup is one extra array index over a HashMap lookup.
 *
 * <p>Why 64 shards: below ~16 shards a single change still copies thousands of entries at 10,000
 * services; above ~256 the shard array copy and the empty shards of small clusters (most clusters)
 * start to dominate. 64 keeps both under a few hundred words.
 *
 * <p>Thread-safety: a built map is immutable and safe from any thread (its fields are final and its
 * shards are never written after {@link Editor#build()}). An {@link Editor} is not thread-safe.
 */
final class ShardedMap<K, V> extends AbstractMap<K, V> {

  static final int SHARDS = 64;

  private static final ShardedMap<?, ?> EMPTY = new ShardedMap<>(emptyShards(), 0);

  private final HashMap<K, V>[] shards;
  private final int size;
  private Set<Entry<K, V>> entrySet;

  private ShardedMap(HashMap<K, V>[] shards, int size) {
    this.shards = shards;
    this.size = size;
  }

  @SuppressWarnings("unchecked")
  static <K, V> ShardedMap<K, V> empty() {
    return (ShardedMap<K, V>) EMPTY;
  }

  /** An editor whose changes start from this map and never affect it. */
  Editor<K, V> edit() {
    return new Editor<>(this);
  }

  @Override
  public V get(Object key) {
    return shards[shardOf(key)].get(key);
  }

  @Override
  public boolean containsKey(Object key) {
    return shards[shardOf(key)].containsKey(key);
  }

  @Override
  public int size() {
    return size;
  }

  @Override
  public Set<Entry<K, V>> entrySet() {
    Set<Entry<K, V>> es = entrySet;
    if (es == null) {
      es = new EntrySet();
      entrySet = es; // racy but idempotent: every thread builds an equivalent view
    }
    return es;
  }

  /** How many shards this map shares, by identity, with {@code other} (the copy-on-write proof). */
  int shardsSharedWith(ShardedMap<?, ?> other) {
    int n = 0;
    for (int i = 0; i < SHARDS; i++) {
      if (shards[i] == other.shards[i]) {
        n++;
      }
    }
    return n;
  }

  private static int shardOf(Object key) {
    int h = Objects.hashCode(key);
    h ^= (h >>> 16); // spread as HashMap does, so that low-entropy hashes use every shard
    h ^= (h >>> 7);
    return h & (SHARDS - 1);
  }

  @SuppressWarnings("unchecked")
  private static <K, V> HashMap<K, V>[] emptyShards() {
    HashMap<K, V>[] s = (HashMap<K, V>[]) new HashMap<?, ?>[SHARDS];
    HashMap<K, V> empty = new HashMap<>(0);
    for (int i = 0; i < SHARDS; i++) {
      s[i] = empty; // shared: never written, editors copy before writing
    }
    return s;
  }

  private final class EntrySet extends AbstractSet<Entry<K, V>> {
    @Override
    public int size() {
      return size;
    }

    @Override
    public boolean contains(Object o) {
      return o instanceof Entry<?, ?> e
          && containsKey(e.getKey())
          && Objects.equals(get(e.getKey()), e.getValue());
    }

    @Override
    public Iterator<Entry<K, V>> iterator() {
      return new Iterator<>() {
        private int shard = 0;
        private Iterator<Entry<K, V>> it = shards[0].entrySet().iterator();

        @Override
        public boolean hasNext() {
          while (!it.hasNext()) {
            if (++shard >= SHARDS) {
              return false;
            }
            it = shards[shard].entrySet().iterator();
          }
          return true;
        }

        @Override
        public Entry<K, V> next() {
          if (!hasNext()) {
            throw new NoSuchElementException();
          }
          return new SimpleImmutableEntry<>(it.next()); // HashMap entries would allow setValue
        }
      };
    }
  }

  /**
   * Copy-on-write changes to a {@link ShardedMap}. Not thread-safe. After {@link #build()} the
   * editor may keep editing: it copies shards again before writing, so a built map never changes.
   */
  static final class Editor<K, V> {
    private HashMap<K, V>[] shards;
    private boolean[] owned = new boolean[SHARDS];
    private int size;

    private Editor(ShardedMap<K, V> from) {
      this.shards = from.shards.clone();
      this.size = from.size;
    }

    V get(K key) {
      return shards[shardOf(key)].get(key);
    }

    /** Puts; returns the previous value or null. */
    V put(K key, V value) {
      Objects.requireNonNull(value, "value");
      V prev = writable(shardOf(key)).put(key, value);
      if (prev == null) {
        size++;
      }
      return prev;
    }

    /** Removes; returns the previous value or null. */
    V remove(K key) {
      int s = shardOf(key);
      if (!shards[s].containsKey(key)) {
        return null; // no copy for a no-op
      }
      V prev = writable(s).remove(key);
      size--;
      return prev;
    }

    /** The map as edited so far. */
    ShardedMap<K, V> build() {
      ShardedMap<K, V> built = new ShardedMap<>(shards, size);
      shards = shards.clone();
      owned = new boolean[SHARDS];
      return built;
    }

    private HashMap<K, V> writable(int s) {
      if (!owned[s]) {
        shards[s] = new HashMap<>(shards[s]);
        owned[s] = true;
      }
      return shards[s];
    }
  }
}
