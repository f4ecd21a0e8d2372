package io.meridian.api;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * A Kubernetes label selector as {@code kubectl -l} and the API's {@code labelSelector} take it:
 * comma-separated requirements that must all hold, equality-based ({@code app=web}, {@code
 * app==web}, {@code tier!=db}), set-based ({@code env in (a,b)}, {@code env notin (c)}) and
 * existence ({@code canary}, {@code !legacy}).
 *
 * <p>Thread-safety: immutable.
 */
public final class LabelSelector {

  /** Matches every object. */
  public static final LabelSelector EVERYTHING = new LabelSelector(List.of());

  private static final Pattern KEY = Pattern.compile("[A-Za-z0-9]([-A-Za-z0-9_./]*[A-Za-z0-9])?");
  private static final Pattern VALUE =
      Pattern.compile("([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)?");

  private enum Op {
    EQ,
    NE,
    IN,
    NOTIN,
    EXISTS,
    NOT_EXISTS
  }

  private record Requirement(String key, Op op, Set<String> values) {
    boolean matches(Map<String, String> labels) {
      String v = labels.get(key);
      return switch (op) {
        case EQ, IN -> v != null && values.contains(v);
        case NE, NOTIN -> v == null || !values.contains(v);
        case EXISTS -> v != null;
        case NOT_EXISTS -> v == null;
      };
    }

    @Override
    public String toString() {
      return switch (op) {
        case EQ -> key + "=" + values.iterator().next();
        case NE -> key + "!=" + values.iterator().next();
        case IN -> key + " in (" + String.join(",", values) + ")";
        case NOTIN -> key + " notin (" + String.join(",", values) + ")";
        case EXISTS -> key;
        case NOT_EXISTS -> "!" + key;
      };
    }
  }

  private final List<Requirement> requirements;

  private LabelSelector(List<Requirement> requirements) {
    this.requirements = requirements;
  }

  /** Whether {@code labels} (null for none) satisfy every requirement. */
  public boolean matches(Map<String, String> labels) {
    Map<String, String> l = labels == null ? Map.of() : labels;
    for (Requirement r : requirements) {
      if (!r.matches(l)) {
        return false;
      }
    }
    return true;
  }

  public boolean isEverything() {
    return requirements.isEmpty();
  }

  /**
   * Parses {@code text}; null or blank selects everything.
   *
   * @throws IllegalArgumentException naming the requirement that is not understood
   */
  public static LabelSelector parse(String text) {
    if (text == null || text.isBlank()) {
      return EVERYTHING;
    }
    List<Requirement> out = new ArrayList<>();
    for (String raw : splitTopLevel(text)) {
      String p = raw.strip();
      int paren = p.indexOf('(');
      Requirement r;
      if (paren > 0) {
        String[] words = p.substring(0, paren).strip().split("\\s+");
        if (!p.endsWith(")")
            || words.length != 2
            || !(words[1].equals("in") || words[1].equals("notin"))) {
          throw bad(p, "expected KEY in (V,...) or KEY notin (V,...)");
        }
        Set<String> values = new TreeSet<>();
        for (String v : p.substring(paren + 1, p.length() - 1).split(",", -1)) {
          values.add(value(v.strip(), p));
        }
        r = new Requirement(key(words[0], p), words[1].equals("in") ? Op.IN : Op.NOTIN, values);
      } else if (p.contains("!=")) {
        String[] kv = p.split("!=", 2);
        r = new Requirement(key(kv[0].strip(), p), Op.NE, Set.of(value(kv[1].strip(), p)));
      } else if (p.contains("=")) {
        int eq = p.indexOf('=');
        int valueAt = p.startsWith("==", eq) ? eq + 2 : eq + 1;
        r =
            new Requirement(
                key(p.substring(0, eq).strip(), p),
                Op.EQ,
                Set.of(value(p.substring(valueAt).strip(), p)));
      } else if (p.startsWith("!")) {
        r = new Requirement(key(p.substring(1).strip(), p), Op.NOT_EXISTS, Set.of());
      } else {
        r = new Requirement(key(p, p), Op.EXISTS, Set.of());
      }
      out.add(r);
    }
    return new LabelSelector(List.copyOf(out));
  }

  private static String key(String k, String part) {
    if (!KEY.matcher(k).matches()) {
      throw bad(part, "\"" + k + "\" is not a label key");
    }
    return k;
  }

  private static String value(String v, String part) {
    if (!VALUE.matcher(v).matches() || v.length() > 63) {
      throw bad(part, "\"" + v + "\" is not a label value");
    }
    return v;
  }

  private static IllegalArgumentException bad(String part, String why) {
    return new IllegalArgumentException(
        "'"
            + part
            + "' is not a label requirement such as app=web, tier!=db, env in (a,b), canary"
            + " or !legacy: "
            + why);
  }

  private static List<String> splitTopLevel(String text) {
    List<String> parts = new ArrayList<>();
    int depth = 0;
    int start = 0;
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c == '(') {
        depth++;
      } else if (c == ')') {
        depth--;
      } else if (c == ',' && depth == 0) {
        parts.add(text.substring(start, i));
        start = i + 1;
      }
    }
    parts.add(text.substring(start));
    return parts;
  }

  /** The selector in canonical form ({@code app=web,env in (a,b),!legacy}). */
  @Override
  public String toString() {
    List<String> parts = new ArrayList<>();
    for (Requirement r : requirements) {
      parts.add(r.toString());
    }
    return String.join(",", parts);
  }
}
