package io.meridian.registry.resource;

import io.meridian.api.ApiError;
import io.meridian.api.FieldError;
import java.util.List;

/** A request the registry refuses, carrying the exact error body to answer with. */
public final class ApiException extends RuntimeException {

  private final transient ApiError error;

  public ApiException(ApiError error) {
    super(error.message(), null, false, false);
    this.error = error;
  }

  public ApiError error() {
    return error;
  }

  public static ApiException notFound(String what) {
    return new ApiException(ApiError.of(404, "NotFound", what + " not found"));
  }

  public static ApiException alreadyExists(String what) {
    return new ApiException(ApiError.of(409, "AlreadyExists", what + " already exists"));
  }

  public static ApiException conflict(String message) {
    return new ApiException(ApiError.of(409, "Conflict", message));
  }

  public static ApiException badRequest(String message) {
    return new ApiException(ApiError.of(400, "BadRequest", message));
  }

  public static ApiException invalid(String message, FieldError... details) {
    return new ApiException(new ApiError(422, "Invalid", message, List.of(details)));
  }

  public static ApiException invalid(List<FieldError> details) {
    String first = details.isEmpty() ? "invalid" : details.get(0).toString();
    String message =
        details.size() <= 1 ? first : first + " (and " + (details.size() - 1) + " more)";
    return new ApiException(new ApiError(422, "Invalid", message, details));
  }

  public static ApiException gone(String message) {
    return new ApiException(ApiError.of(410, "Gone", message));
  }
}
