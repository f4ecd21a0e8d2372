package io.meridian.cli;

/**
 * An error whose message is already written for a person; printed as {@code error: message}.
 *
 * <p>Immutable.
 */
final class CliException extends RuntimeException {

  CliException(String message) {
    super(message);
  }

  CliException(String message, Throwable cause) {
    super(message, cause);
  }
}
