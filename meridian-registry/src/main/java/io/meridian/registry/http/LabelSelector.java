package io.meridian.registry.http;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A Kubernetes label selector from a query string: {@code app=web,tier!=db,env in (a,b),!legacy,
 * canary}. Parsed once per request; matching is a loop over a few requirements.
 *
 * <p>Thread-safety: immutable.
 */
final class LabelSelector {

  static final LabelSelector EVERYTHING = new LabelSelector(List.of());

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
  }

  private final List<Requirement> requirements;

  private LabelSelector(List<Requirement> requirements) {
    this.requirements = requirements;
  }

  boolean matches(Map<String, String> labels) {
    for (Requirement r : requirements) {
      if (!r.matches(labels)) {
        return false;
      }
    }
    return true;
  }

  /**
   * @throws IllegalArgumentException with a message naming the bad part
   */
  static LabelSelector parse(String text) {
    if (text == null || text.isBlank()) {
      return EVERYTHING;
    }
    List<Requirement> out = new ArrayList<>();
    for (String part : splitTopLevel(text)) {
      String p = part.trim();
      if (p.isEmpty()) {
        throw new IllegalArgumentException("empty requirement in \"" + text + "\"");
      }
      int paren = p.indexOf('(');
      if (paren > 0) {
        String head = p.substring(0, paren).trim();
        if (!p.endsWith(")")) {
          throw new IllegalArgumentException("\"" + p + "\": missing )");
        }
        Set<String> values = Set.copyOf(trimAll(p.substring(paren + 1, p.length() - 1).split(",")));
        String[] words = head.split("\\s+");
        if (words.length != 2 || !(words[1].equals("in") || words[1].equals("notin"))) {
          throw new IllegalArgumentException(
              "\"" + p + "\": expected KEY in (V,...) or KEY notin (V,...)");
        }
        out.add(new Requirement(key(words[0]), words[1].equals("in") ? Op.IN : Op.NOTIN, values));
      } else if (p.contains("!=")) {
        String[] kv = p.split("!=", 2);
        out.add(new Requirement(key(kv[0].trim()), Op.NE, Set.of(kv[1].trim())));
      } else if (p.contains("==")) {
        String[] kv = p.split("==", 2);
        out.add(new Requirement(key(kv[0].trim()), Op.EQ, Set.of(kv[1].trim())));
      } else if (p.contains("=")) {
        String[] kv = p.split("=", 2);
        out.add(new Requirement(key(kv[0].trim()), Op.EQ, Set.of(kv[1].trim())));
      } else if (p.startsWith("!")) {
        out.add(new Requirement(key(p.substring(1).trim()), Op.NOT_EXISTS, Set.of()));
      } else {
        out.add(new Requirement(key(p), Op.EXISTS, Set.of()));
      }
    }
    return new LabelSelector(List.copyOf(out));
  }

  private static String key(String k) {
    if (k.isEmpty() || !k.matches("[A-Za-z0-9][-A-Za-z0-9_./]*")) {
      throw new IllegalArgumentException("\"" + k + "\" is not a label key");
    }
    return k;
  }

  private static List<String> trimAll(String[] parts) {
    List<String> out = new ArrayList<>();
    for (String s : parts) {
      out.add(s.trim());
    }
    return out;
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
}
