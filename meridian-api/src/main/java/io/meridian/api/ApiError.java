package io.meridian.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/**
 * The body of every error answer of the registry API: {@code {"code":422, "reason":"Invalid",
 * "message":"…", "details":[{"field":"spec.ports[0].port","message":"must be 1..65535"}]}}.
 *
 * @param code the HTTP status
 * @param reason a machine-readable word: BadRequest, Invalid, NotFound, AlreadyExists, Conflict,
 *     Gone, RequestEntityTooLarge, TooManyRequests, UnsupportedMediaType, MethodNotAllowed,
 *     InternalError
 * @param message one sentence for a person
 * @param details the fields at fault, when any
 */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public record ApiError(int code, String reason, String message, List<FieldError> details) {

  public ApiError {
    details = details == null ? List.of() : List.copyOf(details);
  }

  public static ApiError of(int code, String reason, String message) {
    return new ApiError(code, reason, message, List.of());
  }
}
