package io.meridian.client.internal;

import io.meridian.api.ApiError;
import io.meridian.api.Resource;

/**
 * One line of a registry watch stream, decoded.
 *
 * <p>Thread-safety: immutable records; safe from any thread.
 */
public sealed interface WatchEvent {

  /** ADDED or MODIFIED ({@code deleted} false), or DELETED with the object's last state. */
  record Change(boolean deleted, Resource object) implements WatchEvent {}

  /** BOOKMARK: the stream is current up to {@code revision}. */
  record Bookmark(long revision) implements WatchEvent {}

  /** ERROR: the server ends the stream; 410 Gone means the client must relist. */
  record Failure(ApiError error) implements WatchEvent {
    public boolean gone() {
      return error.code() == 410;
    }
  }

  /** An event type this client does not know (a newer server); skipped. */
  record Unknown(String type) implements WatchEvent {}
}
