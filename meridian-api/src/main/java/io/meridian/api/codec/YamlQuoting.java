package io.meridian.api.codec;

import com.fasterxml.jackson.dataformat.yaml.util.StringQuotingChecker;
import java.util.regex.Pattern;

/**
 * When a YAML string value must be quoted so that every reader, not only ours, reads it back as the
 * same string. On top of Jackson's checks (reserved words, indicators): anything a YAML 1.1 or 1.2
 * resolver would read as a number or a timestamp ({@code 80}, {@code 1.0}, {@code 0o17}, {@code
 * 1_000}, {@code 1:30}, {@code .inf}, {@code 2024-01-01}), and anything holding control or
 * line-separator characters, which only double quotes can escape. IP addresses and durations
 * ({@code 10.0.0.1}, {@code 30s}) stay plain, as kubectl writes them.
 *
 * <p>Thread-safety: stateless; safe from any thread.
 */
final class YamlQuoting extends StringQuotingChecker.Default {

  private static final long serialVersionUID = 1L;

  /** The union of the YAML 1.1 and 1.2 int, float and timestamp resolvers (SnakeYAML, go-yaml). */
  private static final Pattern NUMBER_OR_TIME =
      Pattern.compile(
          "[-+]?(0b[01_]+|0o?[0-7_]+|0x[0-9a-fA-F_]+|[0-9][0-9_]*|[1-9][0-9_]*(:[0-5]?[0-9])+)"
              + "|[-+]?(\\.[0-9_]+|[0-9][0-9_]*(\\.[0-9_]*)?)([eE][-+]?[0-9]+)?"
              + "|[-+]?[0-9][0-9_]*(:[0-5]?[0-9])+\\.[0-9_]*"
              + "|[-+]?\\.(inf|Inf|INF)|\\.(nan|NaN|NAN)"
              + "|[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}([Tt\\s].*)?");

  @Override
  public boolean needToQuoteValue(String value) {
    return super.needToQuoteValue(value)
        || NUMBER_OR_TIME.matcher(value).matches()
        || hasSpecialCharacter(value);
  }

  private static boolean hasSpecialCharacter(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if ((c < 0x20 && c != '\n')
          || (c >= 0x7f && c <= 0x9f)
          || c == '\u2028'
          || c == '\u2029'
          || c == '\ufeff'
          || c == '\ufffe'
          || c == '\uffff') {
        return true;
      }
    }
    return false;
  }
}
