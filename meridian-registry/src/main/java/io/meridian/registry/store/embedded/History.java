package io.meridian.registry.store.embedded;

import io.meridian.registry.store.CompactedException;
import io.meridian.registry.store.Event;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The bounded ring of recent events that watches replay from, and the compaction watermark.
 *
 * <p>The ring holds whole revisions, oldest first, and at most {@code limit} events (it may hold
 * more only while the newest revision alone exceeds the limit). When a revision falls out of the
 * ring, or {@link #compact} discards it, {@code compactedRevision} moves up to it: a watch can
 * start at any revision above the watermark, because every revision between the watermark and
 * {@link #revision()} is still here. Appending an event that skips revisions (possible only while
 * recovery rebuilds history from a log with holes) moves the watermark up the same way, so that
 * invariant always holds.
 *
 * <p>Thread-safety: all methods synchronize on this object. The writer appends at publish time; the
 * notifier copies slices out with {@link #read} and calls listeners after releasing the lock.
 */
final class History {

  private final int limit;
  private Event[] ring;
  private int head; // index of the oldest event; guarded by this
  private int size; // guarded by this
  private long revision; // newest revision published; guarded by this
  private long compacted; // guarded by this

  History(int limit) {
    this.limit = limit;
    this.ring = new Event[Math.min(limit, 1024)];
  }

  /**
   * A copy of events for the notifier.
   *
   * @param events every retained event with revision in {@code [from, through]}, in order
   * @param through the revision up to which {@code events} is complete
   * @param compacted the watermark when the copy was taken
   * @param revision the newest published revision when the copy was taken
   */
  record Slice(List<Event> events, long through, long compacted, long revision) {}

  synchronized long revision() {
    return revision;
  }

  synchronized long compactedRevision() {
    return compacted;
  }

  synchronized int size() {
    return size;
  }

  /**
   * Appends events (in revision order) and marks every revision up to {@code through} published.
   */
  synchronized void append(List<Event> events, long through) {
    for (Event e : events) {
      long rev = e.revision();
      if (rev > revision + 1) {
        dropAll(rev - 1); // a hole: nothing at or below it can be replayed completely
      }
      push(e);
      revision = Math.max(revision, rev);
    }
    if (through > revision) {
      dropAll(through);
      revision = through;
    }
    while (size > limit && get(0).revision() != revision) {
      dropOldestRevision();
    }
  }

  /** Discards every event at or below {@code rev}. */
  synchronized void compact(long rev) {
    while (size > 0 && get(0).revision() <= rev) {
      dropFirst();
    }
    compacted = Math.max(compacted, Math.min(rev, revision));
  }

  /**
   * Where a new watch starts.
   *
   * @return the first revision it must see
   */
  synchronized long startCursor(long startRevision) throws CompactedException {
    if (startRevision <= 0) {
      return revision + 1;
    }
    if (startRevision <= compacted) {
      throw new CompactedException(startRevision, compacted);
    }
    return startRevision;
  }

  /**
   * Copies retained events from revision {@code from} on: at least {@code max} events if there are
   * that many, and always whole revisions.
   */
  synchronized Slice read(long from, int max) {
    long start = Math.max(from, compacted + 1);
    int i = lowerBound(start);
    List<Event> out = new ArrayList<>(Math.min(size - i, max + 16));
    long through = revision;
    for (; i < size; i++) {
      Event e = get(i);
      if (out.size() >= max && e.revision() != out.get(out.size() - 1).revision()) {
        through = out.get(out.size() - 1).revision();
        break;
      }
      out.add(e);
    }
    return new Slice(out, through, compacted, revision);
  }

  private int lowerBound(long rev) {
    int lo = 0;
    int hi = size;
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      if (get(mid).revision() < rev) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    return lo;
  }

  private Event get(int i) {
    return ring[(head + i) % ring.length];
  }

  private void push(Event e) {
    if (size == ring.length) {
      grow();
    }
    ring[(head + size) % ring.length] = e;
    size++;
  }

  private void grow() {
    int capacity = ring.length >= limit ? ring.length * 2 : Math.min(limit, ring.length * 2);
    Event[] next = new Event[Math.max(capacity, ring.length + 1)];
    for (int i = 0; i < size; i++) {
      next[i] = get(i);
    }
    ring = next;
    head = 0;
  }

  private void dropFirst() {
    Event e = ring[head];
    ring[head] = null;
    head = (head + 1) % ring.length;
    size--;
    compacted = Math.max(compacted, e.revision());
  }

  private void dropOldestRevision() {
    long rev = get(0).revision();
    while (size > 0 && get(0).revision() == rev) {
      dropFirst();
    }
  }

  private void dropAll(long watermark) {
    Arrays.fill(ring, null);
    head = 0;
    size = 0;
    compacted = Math.max(compacted, watermark);
  }
}
