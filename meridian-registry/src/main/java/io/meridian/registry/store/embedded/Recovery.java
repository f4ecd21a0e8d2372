package io.meridian.registry.store.embedded;

import io.meridian.registry.store.Event;
import io.meridian.registry.store.KeyValue;
import io.meridian.registry.store.RecoveryReport;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Rebuilds the store from its data dir: the newest intact snapshot, then every WAL record after it,
 * stopping cleanly at the first record that cannot be trusted.
 *
 * <p>Records at or below the snapshot's log index only refill the watch history; later ones are
 * applied. A record is trusted if it is intact (see {@link WalReader}) and continues the log: its
 * index is the next one, and a record that writes a revision writes exactly the next revision. At
 * the first untrusted record the segment is truncated right before it and every later segment is
 * deleted: framing after corrupt bytes cannot be trusted, and a record after a hole can never be
 * applied. The one exception is damage in a part of the log the snapshot already covers, where the
 * next segment can still be read if it starts no later than right after the snapshot: only watch
 * history is lost then. Nothing here throws for a damaged tail; it throws only when the log cannot
 * be joined to any snapshot (records are missing in the middle), since opening then would silently
 * lose acknowledged writes.
 *
 * <p>Thread-safety: single use, on the thread running {@code start()}, before any other thread
 * touches the state it fills.
 */
final class Recovery {

  /**
   * @param segments the surviving segments, oldest first, with their metadata filled in
   * @param appendToLast whether the last of them ends at {@code nextIndex - 1}
   * @param olderSnapshotIndex log index of the intact snapshot kept before the newest, 0 if none
   */
  record Result(
      RecoveryReport report,
      long revision,
      long nextIndex,
      long snapshotIndex,
      long snapshotRevision,
      long olderSnapshotIndex,
      List<Segment> segments,
      boolean appendToLast) {}

  private final Path walDir;
  private final Snapshotter snapshotter;
  private final boolean fsync;
  private final KvState kv;
  private final LeaseTable leases;
  private final History history;
  private final long now;

  private long snapIndex;
  private long revision;
  private long expected = -1;
  private long replayed;
  private Segment current;

  Recovery(
      Path walDir,
      Snapshotter snapshotter,
      boolean fsync,
      KvState kv,
      LeaseTable leases,
      History history,
      long now) {
    this.walDir = walDir;
    this.snapshotter = snapshotter;
    this.fsync = fsync;
    this.kv = kv;
    this.leases = leases;
    this.history = history;
    this.now = now;
  }

  Result run() throws IOException {
    List<String> damage = new ArrayList<>();
    snapshotter.deleteTemporaries();
    Snapshotter.Loaded loaded = snapshotter.load(damage);
    Optional<Snapshotter.Image> snapshot = loaded.newest();
    long snapCompacted = 0;
    if (snapshot.isPresent()) {
      Snapshotter.Image image = snapshot.get();
      snapIndex = image.index();
      revision = image.revision();
      snapCompacted = image.compactedRevision();
      for (Snapshotter.LeaseImage l : image.leases()) {
        leases.restore(l.id(), l.ttlNanos(), now);
      }
      leases.observeId(image.maxLeaseId());
      for (KeyValue v : image.kvs()) {
        kv.recoverPut(v);
        leases.attach(v.lease(), v.key());
      }
    }
    long snapRevision = revision;

    List<Segment> segments = WalReader.list(walDir);
    List<Segment> kept = new ArrayList<>();
    for (int i = 0; i < segments.size(); i++) {
      Segment seg = segments.get(i);
      if (expected < 0) {
        if (seg.firstIndex > snapIndex + 1) {
          throw new IOException(
              "cannot recover: the log starts at record "
                  + seg.firstIndex
                  + " but the newest intact snapshot ends at record "
                  + snapIndex);
        }
        expected = seg.firstIndex;
      } else if (seg.firstIndex != expected) {
        if (seg.firstIndex < expected || seg.firstIndex > snapIndex + 1) {
          String reason = "starts at record " + seg.firstIndex + " where " + expected + " is next";
          damage.add(where(seg, 0, reason) + cutFrom(segments, i));
          break;
        }
        expected = seg.firstIndex; // a hole the snapshot covers: only history is lost
      }
      current = seg;
      WalReader.Scan scan = WalReader.scan(seg.path, this::accept);
      seg.size = scan.validBytes();
      if (scan.damage() != null) {
        truncate(seg, scan.validBytes());
      }
      if (seg.size > 0) {
        kept.add(seg);
      } else {
        Files.deleteIfExists(seg.path);
      }
      if (scan.damage() == null) {
        continue;
      }
      String where = where(seg, scan.validBytes(), scan.damage());
      boolean nextStillUsable =
          expected <= snapIndex
              && i + 1 < segments.size()
              && segments.get(i + 1).firstIndex <= snapIndex + 1;
      if (nextStillUsable) {
        damage.add(where + "; watch history before the next segment dropped");
        continue;
      }
      damage.add(where + cutFrom(segments, i + 1));
      break;
    }
    if (fsync && !damage.isEmpty()) {
      WalWriter.syncDirectory(walDir);
    }

    history.append(List.of(), revision); // a snapshot newer than any logged event compacts all
    history.compact(snapCompacted);
    kv.recoverRevision(revision);
    leases.publishAll();
    long nextIndex = Math.max(expected, snapIndex + 1);
    boolean appendToLast = !kept.isEmpty() && kept.getLast().lastIndex == nextIndex - 1;
    RecoveryReport report =
        new RecoveryReport(
            snapRevision,
            replayed,
            revision,
            damage.isEmpty() ? Optional.empty() : Optional.of(String.join("; ", damage)));
    return new Result(
        report,
        revision,
        nextIndex,
        snapIndex,
        snapRevision,
        loaded.olderIndex(),
        kept,
        appendToLast);
  }

  private String accept(WalRecord r) {
    if (r.index() != expected) {
      return "record " + r.index() + " where " + expected + " is next";
    }
    if (r.index() > snapIndex) {
      if (r.revision() != 0 && r.revision() != revision + 1) {
        return "revision " + r.revision() + " where " + (revision + 1) + " is next";
      }
      apply(r);
      replayed++;
    } else if (r instanceof WalRecord.Grant g) {
      leases.observeId(g.leaseId());
    }
    if (!r.events().isEmpty()) {
      history.append(r.events(), r.revision());
    }
    if (r instanceof WalRecord.Compact c) {
      history.compact(c.compactRevision());
    }
    current.lastIndex = r.index();
    current.maxRevision = Math.max(current.maxRevision, r.revision());
    expected++;
    return null;
  }

  private void apply(WalRecord r) {
    switch (r) {
      case WalRecord.Change c -> c.events().forEach(this::applyEvent);
      case WalRecord.Grant g -> leases.restore(g.leaseId(), g.ttlNanos(), now);
      case WalRecord.Revoke v -> {
        leases.remove(v.leaseId());
        v.events().forEach(this::applyEvent);
      }
      case WalRecord.Compact c -> {}
    }
    if (r.revision() != 0) {
      revision = r.revision();
    }
  }

  private void applyEvent(Event e) {
    String key = e.kv().key();
    KeyValue prev = kv.get(key);
    if (prev != null) {
      leases.detach(prev.lease(), key);
    }
    if (e.type() == Event.Type.PUT) {
      kv.recoverPut(e.kv());
      leases.attach(e.kv().lease(), key);
    } else {
      kv.recoverRemove(key);
    }
  }

  private void truncate(Segment seg, long size) throws IOException {
    try (FileChannel ch = FileChannel.open(seg.path, StandardOpenOption.WRITE)) {
      ch.truncate(size);
      if (fsync) {
        ch.force(true);
      }
    }
  }

  private static String cutFrom(List<Segment> segments, int from) throws IOException {
    for (int j = from; j < segments.size(); j++) {
      Files.deleteIfExists(segments.get(j).path);
    }
    int n = segments.size() - from;
    return n == 0 ? "" : "; deleted " + n + " segment(s) from there on";
  }

  private static String where(Segment seg, long offset, String reason) {
    return "wal/" + seg.path.getFileName() + " at byte " + offset + ": " + reason;
  }
}
