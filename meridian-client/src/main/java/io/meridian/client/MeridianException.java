package io.meridian.client;

/**
 * A call to the registry failed, or the library was used in a way it cannot honour. The message
 * names what failed; {@link #status()} is the registry's HTTP status, or 0 when there was no answer
 * (connection refused, timed out).
 */
public class MeridianException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  private final int status;

  public MeridianException(String message) {
    this(message, 0, null);
  }

  public MeridianException(String message, int status, Throwable cause) {
    super(message, cause);
    this.status = status;
  }

  /** The registry's HTTP status (404, 422, ...), or 0 when it did not answer. */
  public int status() {
    return status;
  }
}
