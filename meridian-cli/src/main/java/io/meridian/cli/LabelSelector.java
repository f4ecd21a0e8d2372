package io.meridian.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * An equality-based label selector, as {@code kubectl -l} takes it: comma-separated requirements
 * {@code key=value}, {@code key==value}, {@code key!=value}, {@code key} (exists) and {@code !key}
 * (absent). All must hold. Immutable.
 *
 * <p>The verbs send {@code -l} to the registry as {@code labelSelector} (which also understands
 * set-based requirements such as {@code env in (a,b)}) and filter again with this class when it can
 * parse the selector, so that the answer is right even from a registry that ignores the parameter.
 */
record LabelSelector(List<Requirement> requirements) {

  private static final Pattern KEY = Pattern.compile("[A-Za-z0-9]([-A-Za-z0-9_./]*[A-Za-z0-9])?");
  private static final Pattern VALUE =
      Pattern.compile("([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)?");

  static final LabelSelector EVERYTHING = new LabelSelector(List.of());

  LabelSelector {
    requirements = List.copyOf(requirements);
  }

  enum Op {
    EQUALS,
    NOT_EQUALS,
    EXISTS,
    NOT_EXISTS
  }

  record Requirement(String key, Op op, String value) {
    boolean matches(Map<String, String> labels) {
      return switch (op) {
        case EQUALS -> value.equals(labels.get(key));
        case NOT_EQUALS -> !value.equals(labels.get(key));
        case EXISTS -> labels.containsKey(key);
        case NOT_EXISTS -> !labels.containsKey(key);
      };
    }
  }

  boolean matches(Map<String, String> labels) {
    Map<String, String> l = labels == null ? Map.of() : labels;
    return requirements.stream().allMatch(r -> r.matches(l));
  }

  /**
   * Parses {@code text}.
   *
   * @throws IllegalArgumentException naming the requirement that is not understood
   */
  static LabelSelector parse(String text) {
    List<Requirement> out = new ArrayList<>();
    for (String raw : text.split(",", -1)) {
      String part = raw.strip();
      Requirement r;
      int ne = part.indexOf("!=");
      int eq = part.indexOf('=');
      if (ne > 0) {
        r =
            new Requirement(
                part.substring(0, ne).strip(), Op.NOT_EQUALS, part.substring(ne + 2).strip());
      } else if (eq > 0) {
        int valueAt = part.startsWith("==", eq) ? eq + 2 : eq + 1;
        r =
            new Requirement(
                part.substring(0, eq).strip(), Op.EQUALS, part.substring(valueAt).strip());
      } else if (part.startsWith("!")) {
        r = new Requirement(part.substring(1).strip(), Op.NOT_EXISTS, null);
      } else {
        r = new Requirement(part, Op.EXISTS, null);
      }
      if (!KEY.matcher(r.key()).matches()
          || (r.value() != null && !VALUE.matcher(r.value()).matches())) {
        throw new IllegalArgumentException(
            "'" + part + "' is not a label requirement such as app=web, tier!=db, env or !legacy");
      }
      out.add(r);
    }
    return new LabelSelector(out);
  }

  @Override
  public String toString() {
    List<String> parts = new ArrayList<>();
    for (Requirement r : requirements) {
      parts.add(
          switch (r.op()) {
            case EQUALS -> r.key() + "=" + r.value();
            case NOT_EQUALS -> r.key() + "!=" + r.value();
            case EXISTS -> r.key();
            case NOT_EXISTS -> "!" + r.key();
          });
    }
    return String.join(",", parts);
  }

  /**
   * {@code text} parsed, or empty when it uses syntax only the registry understands ({@code in}).
   */
  static java.util.Optional<LabelSelector> tryParse(String text) {
    try {
      return java.util.Optional.of(parse(text));
    } catch (IllegalArgumentException e) {
      return java.util.Optional.empty();
    }
  }

  /** The {@code labelSelector} query parameter carrying {@code text}, starting with '&'. */
  static String queryParameter(String text) {
    return text == null ? "" : "&labelSelector=" + ApiPaths.enc(text);
  }
}
