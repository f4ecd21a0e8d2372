package io.meridian.client;

/**
 * Receives every new {@link ClusterSnapshot} of a {@link ClusterWatch}.
 *
 * <p>Thread-safety: a listener is called on the watch's serial callback executor: one call at a
 * time, in snapshot order, never concurrently with itself. It must return quickly and must not
 * block; hand heavy work (rendering a data plane) to an executor of your own.
 */
@FunctionalInterface
public interface SnapshotListener {

  /**
   * A snapshot newer than the last one this listener got. {@link ClusterSnapshot#changed()} is
   * relative to the snapshot published just before it; the first call a listener gets may be a
   * snapshot it has no predecessor for, so re-render everything on the first call.
   */
  void onSnapshot(ClusterSnapshot snapshot);
}
