package io.meridian.registry.health;

import java.util.Objects;

/**
 * The outcome of one health probe. Probes never fail with an exception: a refused connection, a
 * timeout or a bad status is a result that did not pass.
 *
 * <p>Thread-safety: immutable.
 *
 * @param passed whether the target passed the check
 * @param detail what was seen, for people: {@code "HTTP 200"}, {@code "connection refused"}, {@code
 *     "timeout after 1s"}, {@code "gRPC status NOT_SERVING"}
 */
public record ProbeResult(boolean passed, String detail) {

  public ProbeResult {
    Objects.requireNonNull(detail, "detail");
  }

  public static ProbeResult passed(String detail) {
    return new ProbeResult(true, detail);
  }

  public static ProbeResult failed(String detail) {
    return new ProbeResult(false, detail);
  }
}
