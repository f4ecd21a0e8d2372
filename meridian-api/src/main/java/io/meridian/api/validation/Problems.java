package io.meridian.api.validation;

import io.meridian.api.FieldError;
import java.util.ArrayList;
import java.util.List;

/**
 * The problems found so far in one resource, in the order found, each with its field path.
 *
 * <p>Thread-safety: not thread-safe; one per validation.
 */
final class Problems {

  private final List<FieldError> found = new ArrayList<>();

  void add(String field, String message) {
    found.add(new FieldError(field, message));
  }

  /** Adds {@code message} at {@code field} unless it is null (a check that passed). */
  void addIfAny(String field, String message) {
    if (message != null) {
      add(field, message);
    }
  }

  /** {@code value} must lie in {@code min..max}. */
  void range(String field, long value, long min, long max) {
    if (value < min || value > max) {
      add(field, "must be " + min + ".." + max + ", got " + value);
    }
  }

  List<FieldError> list() {
    return List.copyOf(found);
  }
}
