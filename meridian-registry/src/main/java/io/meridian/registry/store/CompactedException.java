package io.meridian.registry.store;

/** A watch asked for history that compaction already discarded; the caller must list again. */
public final class CompactedException extends Exception {

  private final long compactedRevision;

  public CompactedException(long requested, long compactedRevision) {
    super(
        "revision "
            + requested
            + " is compacted (oldest watchable is "
            + (compactedRevision + 1)
            + ")");
    this.compactedRevision = compactedRevision;
  }

  public long compactedRevision() {
    return compactedRevision;
  }
}
