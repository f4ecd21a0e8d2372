package io.meridian.registry.store.embedded;

import static io.meridian.registry.store.embedded.TestStores.bytes;
import static org.assertj.core.api.Assertions.assertThat;

import io.meridian.registry.store.KeyValue;
import io.meridian.registry.store.Lease;
import io.meridian.registry.store.Op;
import io.meridian.registry.store.RecoveryReport;
import io.meridian.registry.store.Txn;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.statistics.Statistics;

/**
 * Writes a random history, damages the tail of the last WAL segment the way crashes and disks do,
 * and checks that recovery starts, reports the damage, and keeps exactly the writes whose records
 * lie wholly before the damaged byte.
 */
class WalDamagePropertyTest {

  enum Damage {
    TRUNCATE,
    FLIP_BITS,
    ZERO_TAIL,
    GARBAGE_TAIL
  }

  /** The model's view of the store: keys (value and lease) and live lease ids. */
  record State(Map<String, String> kvs, Set<Long> leases, long revision) {}

  /** Where the log ended once a write was acknowledged. */
  record Position(String segment, long end) {}

  @Property(tries = 200, seed = "7215")
  void recoveryKeepsExactlyTheIntactPrefixOfTheLog(
      @ForAll @IntRange(min = 1, max = 60) int writes,
      @ForAll Damage damage,
      @ForAll long seed,
      @ForAll boolean crash)
      throws IOException {
    Path dir = Files.createTempDirectory("wal-damage");
    try {
      check(dir, writes, damage, new Random(seed), crash);
    } finally {
      deleteRecursively(dir);
    }
  }

  private void check(Path dir, int writes, Damage damage, Random random, boolean crash)
      throws IOException {
    List<State> states = new ArrayList<>();
    List<Position> positions = new ArrayList<>();
    EmbeddedStore store = open(dir);
    states.add(new State(Map.of(), Set.of(), 0));
    positions.add(new Position("", 0));
    List<Long> leases = new ArrayList<>();
    for (int i = 0; i < writes; i++) {
      writeSomething(store, random, leases);
      states.add(snapshot(store, leases));
      positions.add(endOfLog(dir));
    }
    if (crash) {
      store.crashForTest();
    } else {
      store.close();
    }

    String last = endOfLog(dir).segment();
    long size = endOfLog(dir).end();
    long damagedAt = last.isEmpty() ? 0 : inflict(dir.resolve("wal").resolve(last), damage, random);
    Set<Long> boundaries = new HashSet<>();
    boundaries.add(0L);
    positions.stream().filter(p -> p.segment().equals(last)).forEach(p -> boundaries.add(p.end()));
    boolean damageExpected =
        switch (damage) {
          case TRUNCATE -> !boundaries.contains(damagedAt);
          case FLIP_BITS -> size > 0;
          case ZERO_TAIL, GARBAGE_TAIL -> !last.isEmpty();
        };

    Statistics.collect(damage, damageExpected, crash);
    int intact = 0; // the last write whose record lies wholly before the damage
    for (int i = 1; i < positions.size(); i++) {
      Position p = positions.get(i);
      if (!p.segment().equals(last) || p.end() <= damagedAt) {
        intact = i;
      }
    }

    EmbeddedStore reopened = open(dir);
    try {
      RecoveryReport report = reopened.recovery().orElseThrow();
      assertThat(report.damage().isPresent())
          .as("damage %s at %d of %d: %s", damage, damagedAt, size, report)
          .isEqualTo(damageExpected);
      State expected = states.get(intact);
      assertThat(snapshot(reopened, allLeaseIds(states))).isEqualTo(expected);

      reopened.txn(Txn.unconditional(Op.put("after", bytes("x")))).join();
      assertThat(reopened.currentRevision()).isEqualTo(expected.revision() + 1);
    } finally {
      reopened.close();
    }
    EmbeddedStore third = open(dir);
    try {
      assertThat(third.recovery().orElseThrow().damage()).isEmpty();
      assertThat(third.currentRevision()).isEqualTo(states.get(intact).revision() + 1);
    } finally {
      third.close();
    }
  }

  private static EmbeddedStore open(Path dir) {
    return TestStores.open(dir, b -> b.segmentBytes(1024).snapshotEvery(1_000_000));
  }

  private static void writeSomething(EmbeddedStore store, Random random, List<Long> leases) {
    String key = "k" + random.nextInt(8);
    int dice = random.nextInt(100);
    if (dice < 55) {
      byte[] value = new byte[random.nextInt(120)];
      random.nextBytes(value);
      long lease =
          !leases.isEmpty() && random.nextInt(4) == 0
              ? leases.get(random.nextInt(leases.size()))
              : 0;
      store.txn(Txn.unconditional(Op.put(key, value, lease), Op.put("n", bytes(key)))).join();
    } else if (dice < 75) {
      store.txn(Txn.unconditional(Op.delete(key))).join();
    } else if (dice < 90) {
      Lease l = store.grantLease(Duration.ofHours(1)).join();
      leases.add(l.id());
    } else if (!leases.isEmpty()) {
      long id = leases.remove(random.nextInt(leases.size()));
      store.revokeLease(id).join();
    } else {
      store.compact(store.currentRevision()).join();
    }
  }

  private static State snapshot(EmbeddedStore store, List<Long> leaseIds) {
    return snapshot(store, new HashSet<>(leaseIds));
  }

  private static State snapshot(EmbeddedStore store, Set<Long> leaseIds) {
    Map<String, String> kvs = new TreeMap<>();
    for (KeyValue kv : store.range("").kvs()) {
      kvs.put(
          kv.key(),
          java.util.HexFormat.of().formatHex(kv.value())
              + " c"
              + kv.createRevision()
              + " m"
              + kv.modRevision()
              + " v"
              + kv.version()
              + " l"
              + kv.lease());
    }
    Set<Long> live = new HashSet<>();
    for (long id : leaseIds) {
      if (store.lease(id).isPresent()) {
        live.add(id);
      }
    }
    return new State(kvs, live, store.currentRevision());
  }

  private static Set<Long> allLeaseIds(List<State> states) {
    Set<Long> all = new HashSet<>();
    states.forEach(s -> all.addAll(s.leases()));
    return all;
  }

  /** Damages the file and returns the offset of the first damaged byte. */
  private static long inflict(Path file, Damage damage, Random random) throws IOException {
    long size = Files.size(file);
    switch (damage) {
      case TRUNCATE -> {
        long at = size == 0 ? 0 : random.nextLong(size + 1);
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
          ch.truncate(at);
        }
        return at;
      }
      case FLIP_BITS -> {
        byte[] content = Files.readAllBytes(file);
        if (content.length == 0) {
          return 0;
        }
        int window = Math.min(1024, content.length);
        long first = Long.MAX_VALUE;
        for (int i = 0, n = 1 + random.nextInt(3); i < n; i++) {
          int at = content.length - 1 - random.nextInt(window);
          content[at] ^= (byte) (1 << random.nextInt(8));
          first = Math.min(first, at);
        }
        Files.write(file, content);
        return first;
      }
      case ZERO_TAIL -> {
        Files.write(file, new byte[1 + random.nextInt(600)], StandardOpenOption.APPEND);
        return size;
      }
      case GARBAGE_TAIL -> {
        byte[] garbage = new byte[1 + random.nextInt(600)];
        random.nextBytes(garbage);
        Files.write(file, garbage, StandardOpenOption.APPEND);
        return size;
      }
    }
    throw new AssertionError(damage);
  }

  /** The last segment and its size; ("", 0) while the log has no segment yet. */
  private static Position endOfLog(Path dir) {
    try (Stream<Path> s = Files.list(dir.resolve("wal"))) {
      Path last = s.max(Comparator.naturalOrder()).orElse(null);
      return last == null
          ? new Position("", 0)
          : new Position(last.getFileName().toString(), Files.size(last));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void deleteRecursively(Path dir) throws IOException {
    try (Stream<Path> s = Files.walk(dir)) {
      for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }
}
