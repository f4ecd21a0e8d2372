package io.meridian.api;

/**
 * One problem with one field of a request.
 *
 * @param field the path, Kubernetes style: {@code spec.ports[0].port}, {@code metadata.name}; for a
 *     problem with the body as a whole (bad JSON), where in it: {@code line 3, column 7}
 * @param message what is wrong, e.g. {@code must be 1..65535, got 70000}
 */
public record FieldError(String field, String message) {

  @Override
  public String toString() {
    return field + ": " + message;
  }
}
