package io.meridian.registry.http;

import io.meridian.api.codec.Codec;
import io.meridian.registry.resource.StoredResources;
import io.meridian.registry.store.Event;
import io.meridian.registry.store.KeyValue;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * Encodes store events as watch lines ({@code {"type":"MODIFIED","object":{…}}\n}) once, however
 * many watchers send them: a thousand watchers of one service cost one JSON encoding per change. A
 * direct-mapped table keyed by (key, revision) keeps recent lines; a miss only costs an encode.
 *
 * <p>Thread-safety: safe from any thread; slots are replaced atomically.
 */
final class EventLines {

  private static final int SLOTS = 4096;
  private static final byte[] END = "}\n".getBytes(StandardCharsets.UTF_8);

  private record Slot(String key, long revision, byte[] line) {}

  private final StoredResources codec;
  private final AtomicReferenceArray<Slot> table = new AtomicReferenceArray<>(SLOTS);

  EventLines(StoredResources codec) {
    this.codec = codec;
  }

  /** The line for {@code event}. */
  byte[] line(Event event) {
    KeyValue kv = event.kv();
    long rev = event.revision();
    int i = (kv.key().hashCode() * 31 + Long.hashCode(rev)) & (SLOTS - 1);
    Slot s = table.get(i);
    if (s != null && s.revision == rev && s.key.equals(kv.key())) {
      return s.line;
    }
    String type;
    Object object;
    if (event.type() == Event.Type.DELETE) {
      type = "DELETED";
      object = codec.decode(event.prevKv(), rev);
    } else {
      type = kv.version() == 1 ? "ADDED" : "MODIFIED";
      object = codec.decode(kv);
    }
    byte[] line = line(type, Codec.toJson(object));
    table.set(i, new Slot(kv.key(), rev, line));
    return line;
  }

  static byte[] line(String type, byte[] objectJson) {
    byte[] head = ("{\"type\":\"" + type + "\",\"object\":").getBytes(StandardCharsets.UTF_8);
    byte[] out = new byte[head.length + objectJson.length + END.length];
    System.arraycopy(head, 0, out, 0, head.length);
    System.arraycopy(objectJson, 0, out, head.length, objectJson.length);
    System.arraycopy(END, 0, out, head.length + objectJson.length, END.length);
    return out;
  }
}
