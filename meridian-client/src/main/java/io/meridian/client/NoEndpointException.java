package io.meridian.client;

/**
 * A pick found nothing to send to: the service is unknown, has no such port, or has no ready
 * endpoint. The message says which, so that the caller's log tells the operator what to look at.
 */
public final class NoEndpointException extends MeridianException {

  private static final long serialVersionUID = 1L;

  public NoEndpointException(String message) {
    super(message);
  }
}
