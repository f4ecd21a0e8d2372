package io.meridian.api;

import java.util.List;

/**
 * A request body that cannot be turned into a valid resource: unparseable (400 BadRequest) or
 * parsed but invalid (422 Invalid). Carries every field error found, not only the first.
 */
public final class InvalidResourceException extends Exception {

  private final int code;
  private final String reason;
  private final List<FieldError> errors;

  public InvalidResourceException(
      int code, String reason, String message, List<FieldError> errors) {
    super(message);
    this.code = code;
    this.reason = reason;
    this.errors = List.copyOf(errors);
  }

  /** 400: the body is not well-formed JSON/YAML, or a field has the wrong type or is unknown. */
  public static InvalidResourceException badRequest(String message, List<FieldError> errors) {
    return new InvalidResourceException(400, "BadRequest", message, errors);
  }

  /** 422: well-formed but breaks a rule (name syntax, port range, duplicate ports, ...). */
  public static InvalidResourceException invalid(String message, List<FieldError> errors) {
    return new InvalidResourceException(422, "Invalid", message, errors);
  }

  public int code() {
    return code;
  }

  public String reason() {
    return reason;
  }

  public List<FieldError> errors() {
    return errors;
  }

  public ApiError toApiError() {
    return new ApiError(code, reason, getMessage(), errors);
  }
}
