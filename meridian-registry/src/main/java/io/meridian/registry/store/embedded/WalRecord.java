package io.meridian.registry.store.embedded;

import io.meridian.registry.store.Event;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * One logical entry of the write-ahead log. Every record carries a log {@code index} that goes up
 * by exactly one per record across the whole log (it is what recovery checks for continuity, and
 * what segments and snapshots are positioned by); records that change keys also carry the store
 * revision they wrote at, and the complete events, so that watch history can be rebuilt from the
 * log alone.
 *
 * <p>Payload layout (big-endian), framed by {@link WalWriter}:
 *
 * <pre>
 * CHANGE  [u8 1][u64 index][u64 revision][u32 n][n x event]
 * GRANT   [u8 2][u64 index][u64 leaseId][u64 ttlNanos]
 * REVOKE  [u8 3][u64 index][u64 leaseId][u64 revision or 0][u32 n][n x DELETE event]
 * COMPACT [u8 4][u64 index][u64 compactRevision]
 * </pre>
 *
 * <p>Thread-safety: immutable.
 */
sealed interface WalRecord {

  byte CHANGE = 1;
  byte GRANT = 2;
  byte REVOKE = 3;
  byte COMPACT = 4;

  long index();

  /** The revision this record wrote at, 0 if it created none. */
  default long revision() {
    return 0;
  }

  /** The key changes it made, in order; empty if none. */
  default List<Event> events() {
    return List.of();
  }

  void encode(RecordBuffer out);

  /** A transaction that changed at least one key. */
  record Change(long index, long revision, List<Event> events) implements WalRecord {
    @Override
    public void encode(RecordBuffer out) {
      out.putByte(CHANGE);
      out.putLong(index);
      out.putLong(revision);
      putEvents(out, events);
    }
  }

  /** A lease was granted. */
  record Grant(long index, long leaseId, long ttlNanos) implements WalRecord {
    @Override
    public void encode(RecordBuffer out) {
      out.putByte(GRANT);
      out.putLong(index);
      out.putLong(leaseId);
      out.putLong(ttlNanos);
    }
  }

  /** A lease was revoked or expired, deleting its keys at {@code revision} (0 if it had none). */
  record Revoke(long index, long leaseId, long revision, List<Event> events) implements WalRecord {
    @Override
    public void encode(RecordBuffer out) {
      out.putByte(REVOKE);
      out.putLong(index);
      out.putLong(leaseId);
      out.putLong(revision);
      putEvents(out, events);
    }
  }

  /** History at and below {@code compactRevision} was discarded. */
  record Compact(long index, long compactRevision) implements WalRecord {
    @Override
    public void encode(RecordBuffer out) {
      out.putByte(COMPACT);
      out.putLong(index);
      out.putLong(compactRevision);
    }
  }

  private static void putEvents(RecordBuffer out, List<Event> events) {
    out.putInt(events.size());
    for (Event e : events) {
      out.putEvent(e);
    }
  }

  /**
   * Parses one payload.
   *
   * @throws IllegalArgumentException if it is not exactly one well-formed record
   */
  static WalRecord decode(ByteBuffer in) {
    try {
      WalRecord record = decodeUnchecked(in);
      if (in.hasRemaining()) {
        throw new IllegalArgumentException(in.remaining() + " trailing bytes");
      }
      return record;
    } catch (BufferUnderflowException e) {
      throw new IllegalArgumentException("payload ends early", e);
    }
  }

  private static WalRecord decodeUnchecked(ByteBuffer in) {
    byte type = in.get();
    long index = in.getLong();
    if (index <= 0) {
      throw new IllegalArgumentException("bad index " + index);
    }
    switch (type) {
      case CHANGE -> {
        long revision = in.getLong();
        List<Event> events = getEvents(in, revision);
        if (revision <= 0 || events.isEmpty()) {
          throw new IllegalArgumentException("change without revision or events");
        }
        return new Change(index, revision, events);
      }
      case GRANT -> {
        long id = in.getLong();
        long ttl = in.getLong();
        if (id == 0 || ttl <= 0) {
          throw new IllegalArgumentException("bad lease grant " + id + "/" + ttl);
        }
        return new Grant(index, id, ttl);
      }
      case REVOKE -> {
        long id = in.getLong();
        long revision = in.getLong();
        List<Event> events = getEvents(in, revision);
        if (id == 0 || revision < 0 || (revision == 0) != events.isEmpty()) {
          throw new IllegalArgumentException("bad lease revoke " + id);
        }
        for (Event e : events) {
          if (e.type() != Event.Type.DELETE) {
            throw new IllegalArgumentException("revoke with a PUT event");
          }
        }
        return new Revoke(index, id, revision, events);
      }
      case COMPACT -> {
        long revision = in.getLong();
        if (revision < 0) {
          throw new IllegalArgumentException("bad compact revision " + revision);
        }
        return new Compact(index, revision);
      }
      default -> throw new IllegalArgumentException("unknown record type " + type);
    }
  }

  private static List<Event> getEvents(ByteBuffer in, long revision) {
    int n = in.getInt();
    // every event takes well over 8 bytes, so this bounds n by the payload before allocating
    if (n < 0 || n > in.remaining() / 8) {
      throw new IllegalArgumentException("bad event count " + n);
    }
    List<Event> events = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      Event e = RecordBuffer.getEvent(in);
      if (e.revision() != revision) {
        throw new IllegalArgumentException(
            "event at " + e.revision() + " in record at " + revision);
      }
      events.add(e);
    }
    return List.copyOf(events);
  }
}
