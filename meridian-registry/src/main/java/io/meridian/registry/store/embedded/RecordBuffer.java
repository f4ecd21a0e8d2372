package io.meridian.registry.store.embedded;

import io.meridian.registry.store.Event;
import io.meridian.registry.store.KeyValue;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A growable big-endian byte buffer that WAL records and snapshots are encoded into, with the
 * matching decoders for {@link ByteBuffer}s.
 *
 * <p>Encoding of a {@link KeyValue}: {@code [u32 keyLen][key UTF-8][u32 valueLen][value] [u64
 * createRevision][u64 modRevision][u64 version][u64 lease]}. An {@link Event}: {@code [u8
 * type][kv][u8 hasPrev][prevKv if hasPrev]}.
 *
 * <p>Thread-safety: none; each instance is owned by one thread. The static decoders are stateless.
 */
final class RecordBuffer {

  private byte[] bytes;
  private int size;

  RecordBuffer(int initialCapacity) {
    bytes = new byte[Math.max(16, initialCapacity)];
  }

  void clear() {
    size = 0;
  }

  int size() {
    return size;
  }

  byte[] array() {
    return bytes;
  }

  ByteBuffer asByteBuffer() {
    return ByteBuffer.wrap(bytes, 0, size);
  }

  private void ensure(int more) {
    int needed = size + more;
    if (needed < 0) {
      throw new IllegalStateException("record too large");
    }
    if (needed > bytes.length) {
      bytes = Arrays.copyOf(bytes, Math.max(needed, bytes.length * 2));
    }
  }

  void putByte(int b) {
    ensure(1);
    bytes[size++] = (byte) b;
  }

  void putInt(int v) {
    ensure(4);
    putIntAt(size, v);
    size += 4;
  }

  void putIntAt(int pos, int v) {
    bytes[pos] = (byte) (v >>> 24);
    bytes[pos + 1] = (byte) (v >>> 16);
    bytes[pos + 2] = (byte) (v >>> 8);
    bytes[pos + 3] = (byte) v;
  }

  void putLong(long v) {
    putInt((int) (v >>> 32));
    putInt((int) v);
  }

  void putBytes(byte[] src, int offset, int length) {
    ensure(length);
    System.arraycopy(src, offset, bytes, size, length);
    size += length;
  }

  void putBlob(byte[] src) {
    putInt(src.length);
    putBytes(src, 0, src.length);
  }

  void putKeyValue(KeyValue kv) {
    putBlob(kv.key().getBytes(StandardCharsets.UTF_8));
    putBlob(kv.value());
    putLong(kv.createRevision());
    putLong(kv.modRevision());
    putLong(kv.version());
    putLong(kv.lease());
  }

  void putEvent(Event event) {
    putByte(event.type() == Event.Type.PUT ? 0 : 1);
    putKeyValue(event.kv());
    if (event.prevKv() == null) {
      putByte(0);
    } else {
      putByte(1);
      putKeyValue(event.prevKv());
    }
  }

  // ---- decoders; they throw IllegalArgumentException on anything malformed ----

  static byte[] getBlob(ByteBuffer in) {
    int length = in.getInt();
    if (length < 0 || length > in.remaining()) {
      throw new IllegalArgumentException("blob length " + length + " exceeds the record");
    }
    byte[] out = new byte[length];
    in.get(out);
    return out;
  }

  static KeyValue getKeyValue(ByteBuffer in) {
    String key = new String(getBlob(in), StandardCharsets.UTF_8);
    byte[] value = getBlob(in);
    long create = in.getLong();
    long mod = in.getLong();
    long version = in.getLong();
    long lease = in.getLong();
    if (create < 0 || mod <= 0 || version < 0 || key.isEmpty()) {
      throw new IllegalArgumentException("malformed key-value for '" + key + "'");
    }
    return new KeyValue(key, value, create, mod, version, lease);
  }

  static Event getEvent(ByteBuffer in) {
    int type = in.get();
    if (type != 0 && type != 1) {
      throw new IllegalArgumentException("unknown event type " + type);
    }
    KeyValue kv = getKeyValue(in);
    int hasPrev = in.get();
    if (hasPrev != 0 && hasPrev != 1) {
      throw new IllegalArgumentException("bad prevKv flag " + hasPrev);
    }
    KeyValue prev = hasPrev == 1 ? getKeyValue(in) : null;
    return new Event(type == 0 ? Event.Type.PUT : Event.Type.DELETE, kv, prev);
  }
}
