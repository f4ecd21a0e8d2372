package io.meridian.registry.resource;

import io.meridian.api.Kind;
import io.meridian.api.Resource;
import io.meridian.api.codec.Codec;
import io.meridian.registry.store.KeyValue;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * Turns stored values into resources and back, memoizing the decoded object per (key, revision).
 *
 * <p>Stored values are the resource's JSON without {@code metadata.resourceVersion}: the revision
 * is the key's {@code modRevision}, set on the way out, so it can never disagree with the store.
 * Decoding is memoized in a small direct-mapped table because the same revision of an object is
 * read by every list, every watcher and every controller; a miss only costs a decode.
 *
 * <p>Thread-safety: safe from any thread; the table's slots are replaced atomically.
 */
public final class StoredResources {

  private static final int SLOTS = 8192;

  private record Slot(String key, long modRevision, Resource resource) {}

  private final AtomicReferenceArray<Slot> table = new AtomicReferenceArray<>(SLOTS);

  /** The value to store for {@code resource} (its resourceVersion dropped). */
  public byte[] encode(Resource resource) {
    return Codec.toJson(resource.withMetadata(resource.metadata().withResourceVersion(null)));
  }

  /** The resource stored at {@code kv}, its resourceVersion set to the key's mod revision. */
  public Resource decode(KeyValue kv) {
    return decode(kv, kv.modRevision());
  }

  /**
   * The resource stored at {@code kv} with resourceVersion {@code revision} (a deletion reports the
   * last state under the deleting revision, as Kubernetes does).
   */
  public Resource decode(KeyValue kv, long revision) {
    int i = (kv.key().hashCode() * 31 + Long.hashCode(revision)) & (SLOTS - 1);
    Slot s = table.get(i);
    if (s != null && s.modRevision == revision && s.key.equals(kv.key())) {
      return s.resource;
    }
    Kind kind = Keys.kindOf(kv.key());
    if (kind == null) {
      throw new IllegalArgumentException("not a resource key: " + kv.key());
    }
    Resource r = Codec.fromJson(kv.value(), kind.type());
    r = r.withMetadata(r.metadata().withResourceVersion(Long.toString(revision)));
    table.set(i, new Slot(kv.key(), revision, r));
    return r;
  }
}
