package io.meridian.dns;

import java.util.Arrays;
import java.util.Map;

/**
 * An immutable index of every name the server answers, built from one registry snapshot by {@link
 * ZoneBuilder}: a query is one hash probe and a byte comparison.
 *
 * <h2>Design note</h2>
 *
 * <p>Keys are lower-case wire names; the table is open addressing with linear probing at a load of
 * at most 1/2, so an absent name costs on average under two probes. Hashes are {@link Names#hash},
 * computed by the query parser as it folds the question name, so nothing is hashed twice and
 * nothing is allocated per query. A new snapshot builds a new zone (a few milliseconds for
 * thousands of services) which is published through one volatile field; queries in flight finish on
 * the zone they started with.
 *
 * @param apex the cluster domain in wire form ({@code cluster.local})
 * @param soa the SOA record's RDATA, for negative answers (RFC 2308)
 * @param ttl the TTL of every record, and the SOA minimum (negative-caching TTL)
 */
record Zone(byte[] apex, byte[] soa, int ttl, byte[][] keys, int[] hashes, ZoneNode[] nodes) {

  /** Builds the table from {@code names}; used by {@link ZoneBuilder}. */
  static Zone of(byte[] apex, byte[] soa, int ttl, Map<Key, ZoneNode> names) {
    int cap = Integer.highestOneBit(Math.max(4, names.size() * 2 - 1)) << 1;
    byte[][] keys = new byte[cap][];
    int[] hashes = new int[cap];
    ZoneNode[] nodes = new ZoneNode[cap];
    for (Map.Entry<Key, ZoneNode> e : names.entrySet()) {
      byte[] k = e.getKey().wire();
      int h = Names.hash(k, k.length);
      int i = h & (cap - 1);
      while (keys[i] != null) {
        i = (i + 1) & (cap - 1);
      }
      keys[i] = k;
      hashes[i] = h;
      nodes[i] = e.getValue();
    }
    return new Zone(apex, soa, ttl, keys, hashes, nodes);
  }

  /** The node at lower-case wire name {@code name[0..len)} whose hash is {@code hash}, or null. */
  ZoneNode find(byte[] name, int len, int hash) {
    int mask = keys.length - 1;
    for (int i = hash & mask; ; i = (i + 1) & mask) {
      byte[] k = keys[i];
      if (k == null) {
        return null;
      }
      if (hashes[i] == hash && k.length == len && Arrays.equals(k, 0, len, name, 0, len)) {
        return nodes[i];
      }
    }
  }

  /** How many names the zone holds. */
  int size() {
    int n = 0;
    for (byte[] k : keys) {
      n += k == null ? 0 : 1;
    }
    return n;
  }

  /** A wire name as a map key (value equality). */
  record Key(byte[] wire) {
    @Override
    public boolean equals(Object o) {
      return o instanceof Key k && Arrays.equals(wire, k.wire);
    }

    @Override
    public int hashCode() {
      return Arrays.hashCode(wire);
    }

    @Override
    public String toString() {
      return Names.text(wire);
    }
  }
}
