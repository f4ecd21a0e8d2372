package io.meridian.cli;

import io.meridian.api.ApiError;

/**
 * The registry answered with an error ({@code {"code":…,"reason":…,"message":…,"details":…}}).
 *
 * <p>Immutable.
 */
final class ApiException extends RuntimeException {

  private final ApiError error;

  ApiException(ApiError error) {
    super(error.message());
    this.error = error;
  }

  ApiError error() {
    return error;
  }

  int code() {
    return error.code();
  }

  boolean notFound() {
    return error.code() == 404;
  }
}
