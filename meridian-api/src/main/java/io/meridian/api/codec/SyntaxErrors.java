package io.meridian.api.codec;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.io.JsonEOFException;
import io.meridian.api.codec.DocumentReader.SyntaxError;
import java.util.Locale;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;

/**
 * Turns a parser's complaint into a short sentence and a line and column. Jackson's own messages
 * name its classes and features ({@code StreamReadFeature...}); those parts are cut, and what is
 * left is clipped, so a client never sees library internals.
 *
 * <p>Thread-safety: stateless; safe from any thread.
 */
final class SyntaxErrors {

  static final int MAX_MESSAGE = 160;

  private static final Pattern CHAR_CODE =
      Pattern.compile("\\((?:'(.{1,8}?)'|\\(CTRL-CHAR)[^()]*\\(?code (\\d+)\\)\\)");

  private SyntaxErrors() {}

  static SyntaxError of(JacksonException e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof MarkedYAMLException y) {
        Mark mark = y.getProblemMark() != null ? y.getProblemMark() : y.getContextMark();
        String problem = y.getProblem() != null ? y.getProblem() : y.getContext();
        return new SyntaxError(
            mark == null ? 1 : mark.getLine() + 1,
            mark == null ? 1 : mark.getColumn() + 1,
            clip(problem == null ? "malformed YAML" : problem.strip()));
      }
    }
    JsonLocation at = e.getLocation();
    int line = at == null ? 1 : Math.max(1, at.getLineNr());
    int column = at == null ? 1 : Math.max(1, at.getColumnNr());
    if (e instanceof JsonEOFException) {
      return new SyntaxError(line, column, "unexpected end of input: the document is incomplete");
    }
    return new SyntaxError(line, column, sanitize(e.getOriginalMessage()));
  }

  /** A parser message without library internals: first line, no feature names, clipped. */
  static String sanitize(String message) {
    if (message == null || message.isBlank()) {
      return "malformed document";
    }
    String m = message.strip();
    if (m.contains("got this instead")) {
      // YAML keys that are lists or maps ("? [a]"); the rest of the message names parser events.
      return "keys must be plain values, not lists or maps";
    }
    m = cutAt(m, "\n");
    m = cutAt(m, " (start marker at");
    m = cutAt(m, "[Source").replaceAll("\\s*\\([^()]*$", "");
    m =
        CHAR_CODE
            .matcher(m)
            .replaceAll(
                r ->
                    r.group(1) != null
                        ? "'" + r.group(1) + "'"
                        : "(control character " + r.group(2) + ")");
    int tick = m.indexOf('`');
    if (tick >= 0) {
      m = m.substring(0, tick).replaceAll("[\\s(:;,]*(enable|from|set)?\\s*$", "");
    }
    String lower = m.toLowerCase(Locale.ROOT);
    if (m.isBlank()
        || lower.contains("jackson")
        || lower.contains("com.")
        || lower.contains("java.")
        || lower.contains("org.")) {
      return "malformed document";
    }
    return clip(Character.toLowerCase(m.charAt(0)) + m.substring(1));
  }

  static String clip(String s) {
    if (s == null) {
      return "";
    }
    return s.length() <= MAX_MESSAGE ? s : s.substring(0, MAX_MESSAGE - 1) + "…";
  }

  private static String cutAt(String s, String marker) {
    int i = s.indexOf(marker);
    return i < 0 ? s : s.substring(0, i);
  }
}
