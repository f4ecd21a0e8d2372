package io.meridian.api.codec;

import com.fasterxml.jackson.core.exc.InputCoercionException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.exc.InvalidNullException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.exc.ValueInstantiationException;
import io.meridian.api.FieldError;
import io.meridian.api.GoDuration;
import io.meridian.api.IntOrString;
import java.lang.reflect.Type;
import java.util.Arrays;
import java.util.Collection;
import java.util.stream.Collectors;

/**
 * Turns a failed binding into one {@link FieldError}: the Kubernetes-style path of the field, and a
 * message saying what the model expects there (from the declared type) and what the document holds
 * there (from the tree): {@code spec.ports[0].port: must be an integer, got string "80"}. No
 * Jackson message text reaches the client.
 *
 * <p>Thread-safety: stateless; safe from any thread.
 */
final class MappingErrors {

  private static final int MAX_QUOTED = 48;

  private MappingErrors() {}

  /**
   * @param e the binding failure
   * @param tree the document (or list item) that was bound
   * @param type the model type it was bound to
   * @param prefix prepended to the path ({@code documents[1].}), or ""
   */
  static FieldError of(JsonMappingException e, JsonNode tree, Class<?> type, String prefix) {
    FieldPath path = FieldPath.of(e);
    return new FieldError(join(prefix, path.render(type)), message(e, path, tree, type));
  }

  static String join(String prefix, String field) {
    if (field.isEmpty()) {
      return prefix.endsWith(".") ? prefix.substring(0, prefix.length() - 1) : prefix;
    }
    return prefix + field;
  }

  private static String message(
      JsonMappingException e, FieldPath path, JsonNode tree, Class<?> type) {
    JsonNode found = path.find(tree);
    Type declared = path.declaredType(type);
    if (declared == null && e instanceof MismatchedInputException m) {
      declared = m.getTargetType();
    }
    if (e instanceof UnrecognizedPropertyException u) {
      return "unknown field "
          + quote(u.getPropertyName())
          + suggestion(u.getPropertyName(), u.getKnownPropertyIds());
    }
    if (e instanceof InvalidNullException) {
      return "must not be null";
    }
    if (causeOf(e, InputCoercionException.class) != null) {
      Class<?> c = FieldPath.raw(declared);
      String bits = c == Long.class || c == long.class ? "a 64-bit" : "a 32-bit";
      return "must be " + bits + " integer, got " + describe(found);
    }
    if (e instanceof ValueInstantiationException
        || e.getCause() instanceof IllegalArgumentException) {
      Throwable cause = e.getCause();
      if (cause instanceof IllegalArgumentException && cause.getMessage() != null) {
        String m = SyntaxErrors.clip(cause.getMessage());
        return m.startsWith("must") ? m + ", got " + describe(found) : m;
      }
      if (cause instanceof NullPointerException) {
        return "must not contain null values";
      }
    }
    Class<?> expected = FieldPath.raw(declared);
    if (expected != null && expected.isEnum() && found != null && found.isTextual()) {
      return expectation(expected) + ", got " + quote(found.asText());
    }
    String message = expectation(expected) + ", got " + describe(found);
    if (expected == String.class && found != null && (found.isNumber() || found.isBoolean())) {
      // YAML reads version: 1.0 as a number and enabled: yes as true.
      message += "; quote it to make it a string";
    }
    return message;
  }

  /** What a field of this declared type must hold. */
  static String expectation(Class<?> c) {
    if (c == null) {
      return "has the wrong type";
    }
    if (c.isEnum()) {
      return "must be one of "
          + Arrays.stream(c.getEnumConstants())
              .map(k -> ((Enum<?>) k).name())
              .collect(Collectors.joining(", "));
    }
    if (c == Integer.class
        || c == int.class
        || c == Long.class
        || c == long.class
        || c == Short.class
        || c == short.class) {
      return "must be an integer";
    }
    if (c == Boolean.class || c == boolean.class) {
      return "must be true or false";
    }
    if (c == String.class) {
      return "must be a string";
    }
    if (c == GoDuration.class) {
      return "must be a duration such as 10s, 500ms or 1m30s";
    }
    if (c == IntOrString.class) {
      return "must be a port number or a port name";
    }
    if (Collection.class.isAssignableFrom(c) || c.isArray()) {
      return "must be a list";
    }
    return "must be an object";
  }

  /** What a document holds: {@code string "80"}, {@code number 80.5}, {@code a list}, ... */
  static String describe(JsonNode node) {
    if (node == null || node.isMissingNode()) {
      return "nothing";
    }
    if (node.isTextual()) {
      return "string " + quote(node.asText());
    }
    if (node.isNumber()) {
      return "number " + node.asText();
    }
    if (node.isBoolean()) {
      return node.asText();
    }
    if (node.isObject()) {
      return "an object";
    }
    if (node.isArray()) {
      return "a list";
    }
    return node.isNull() ? "null" : "a value of another type";
  }

  /** {@code s} in double quotes, with quotes and control characters escaped, clipped. */
  static String quote(String s) {
    StringBuilder sb = new StringBuilder("\"");
    int n = Math.min(s.length(), MAX_QUOTED);
    for (int i = 0; i < n; i++) {
      char ch = s.charAt(i);
      switch (ch) {
        case '"' -> sb.append("\\\"");
        case '\\' -> sb.append("\\\\");
        case '\n' -> sb.append("\\n");
        case '\t' -> sb.append("\\t");
        default -> {
          if (ch < 0x20 || ch == 0x7f) {
            sb.append(String.format("\\u%04x", (int) ch));
          } else {
            sb.append(ch);
          }
        }
      }
    }
    if (s.length() > n) {
      sb.append('…');
    }
    return sb.append('"').toString();
  }

  private static String suggestion(String name, Collection<Object> known) {
    if (known == null) {
      return "";
    }
    String best = null;
    int bestDistance = Integer.MAX_VALUE;
    for (Object k : known) {
      String candidate = String.valueOf(k);
      int d =
          distance(
              name.toLowerCase(java.util.Locale.ROOT),
              candidate.toLowerCase(java.util.Locale.ROOT));
      if (d < bestDistance) {
        best = candidate;
        bestDistance = d;
      }
    }
    return best != null && bestDistance <= Math.min(2, name.length() / 3)
        ? " (did you mean " + quote(best) + "?)"
        : "";
  }

  /** Levenshtein distance, for "did you mean". */
  private static int distance(String a, String b) {
    int[] prev = new int[b.length() + 1];
    int[] cur = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) {
      prev[j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      cur[0] = i;
      for (int j = 1; j <= b.length(); j++) {
        int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
        cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
      }
      int[] t = prev;
      prev = cur;
      cur = t;
    }
    return prev[b.length()];
  }

  private static <T extends Throwable> T causeOf(Throwable t, Class<T> type) {
    for (Throwable c = t; c != null; c = c.getCause()) {
      if (type.isInstance(c)) {
        return type.cast(c);
      }
    }
    return null;
  }
}
