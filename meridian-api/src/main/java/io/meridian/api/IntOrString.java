package io.meridian.api;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

/**
 * Kubernetes' {@code IntOrString}: a port number or a port name ({@code targetPort: 8080} or {@code
 * targetPort: http}). Exactly one of the two is set.
 */
public record IntOrString(Integer number, String name) {

  public IntOrString {
    if ((number == null) == (name == null)) {
      throw new IllegalArgumentException("exactly one of number and name");
    }
  }

  public static IntOrString of(int number) {
    return new IntOrString(number, null);
  }

  public static IntOrString of(String name) {
    return new IntOrString(null, name);
  }

  @JsonCreator
  static IntOrString fromJson(Object value) {
    if (value instanceof Integer i) {
      return of(i);
    }
    if (value instanceof String s) {
      return of(s);
    }
    throw new IllegalArgumentException("must be a port number or a port name");
  }

  public boolean isNumber() {
    return number != null;
  }

  @JsonValue
  Object toJson() {
    return number != null ? number : name;
  }

  @Override
  public String toString() {
    return String.valueOf(toJson());
  }
}
