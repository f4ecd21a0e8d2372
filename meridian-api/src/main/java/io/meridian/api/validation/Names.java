package io.meridian.api.validation;

import java.util.regex.Pattern;

/**
 * The name syntaxes of Kubernetes ({@code k8s.io/apimachinery/pkg/util/validation}), each a check
 * that returns null when the value is valid, else a message for a person that says what was
 * expected and what was found.
 *
 * <ul>
 *   <li>DNS-1123 label (RFC 1123): namespace names, hostnames, service port names;
 *   <li>DNS-1035 label (RFC 1035): service names, which become DNS labels that may not start with a
 *       digit;
 *   <li>DNS-1123 subdomain: instance and node names, external names;
 *   <li>IANA service name (RFC 6335 §5.1): instance port names and named target ports, at most 15
 *       characters because that is what the IANA registry allows;
 *   <li>qualified name ({@code [prefix/]name}): label and annotation keys; label values.
 * </ul>
 *
 * <p>Thread-safety: stateless; safe from any thread.
 */
final class Names {

  static final int LABEL_MAX = 63;
  static final int SUBDOMAIN_MAX = 253;
  static final int IANA_MAX = 15;

  private static final String LABEL = "[a-z0-9]([-a-z0-9]*[a-z0-9])?";
  private static final Pattern DNS1123_LABEL = Pattern.compile(LABEL);
  private static final Pattern DNS1035_LABEL = Pattern.compile("[a-z]([-a-z0-9]*[a-z0-9])?");
  private static final Pattern DNS1123_SUBDOMAIN = Pattern.compile(LABEL + "(\\." + LABEL + ")*");
  private static final Pattern QUALIFIED =
      Pattern.compile("([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]");
  private static final Pattern IANA = Pattern.compile("[a-z0-9]([a-z0-9-]*[a-z0-9])?");
  private static final int MAX_QUOTED = 48;

  private Names() {}

  static String dns1123Label(String v) {
    if (v.length() > LABEL_MAX) {
      return tooLong(LABEL_MAX, v);
    }
    return DNS1123_LABEL.matcher(v).matches()
        ? null
        : "must be a DNS-1123 label: lowercase letters, digits and '-', starting and ending"
            + " with a letter or digit, got "
            + quote(v);
  }

  static String dns1035Label(String v) {
    if (v.length() > LABEL_MAX) {
      return tooLong(LABEL_MAX, v);
    }
    return DNS1035_LABEL.matcher(v).matches()
        ? null
        : "must be a DNS-1035 label: lowercase letters, digits and '-', starting with a letter"
            + " and ending with a letter or digit, got "
            + quote(v);
  }

  static String dns1123Subdomain(String v) {
    if (v.length() > SUBDOMAIN_MAX) {
      return tooLong(SUBDOMAIN_MAX, v);
    }
    return DNS1123_SUBDOMAIN.matcher(v).matches()
        ? null
        : "must be a DNS-1123 subdomain: lowercase letters, digits, '-' and '.', each part"
            + " starting and ending with a letter or digit, got "
            + quote(v);
  }

  static String ianaServiceName(String v) {
    if (v.length() > IANA_MAX) {
      return tooLong(IANA_MAX, v);
    }
    boolean ok =
        IANA.matcher(v).matches()
            && !v.contains("--")
            && v.chars().anyMatch(c -> c >= 'a' && c <= 'z');
    return ok
        ? null
        : "must be an IANA service name: lowercase letters, digits and '-', with at least one"
            + " letter, no '--', not starting or ending with '-', got "
            + quote(v);
  }

  /** A label or annotation key: {@code name} or {@code prefix/name}. */
  static String qualifiedKey(String key) {
    if (key.isEmpty()) {
      return "key must not be empty";
    }
    int slash = key.indexOf('/');
    String name = key;
    if (slash >= 0) {
      String prefix = key.substring(0, slash);
      name = key.substring(slash + 1);
      if (prefix.isEmpty()) {
        return "key prefix before '/' must not be empty, got " + quote(key);
      }
      String problem = dns1123Subdomain(prefix);
      if (problem != null) {
        return "key prefix " + problem;
      }
      if (name.indexOf('/') >= 0) {
        return "key must hold at most one '/', got " + quote(key);
      }
    }
    if (name.isEmpty()) {
      return "key name after the prefix must not be empty, got " + quote(key);
    }
    if (name.length() > LABEL_MAX) {
      return "key name must be at most " + LABEL_MAX + " characters, got " + name.length();
    }
    return QUALIFIED.matcher(name).matches()
        ? null
        : "key must be letters, digits, '-', '_' and '.', starting and ending with a letter or"
            + " digit, with an optional DNS subdomain prefix and '/', got "
            + quote(key);
  }

  static String labelValue(String value) {
    if (value.isEmpty()) {
      return null;
    }
    if (value.length() > LABEL_MAX) {
      return "value must be at most " + LABEL_MAX + " characters, got " + value.length();
    }
    return QUALIFIED.matcher(value).matches()
        ? null
        : "value must be empty or letters, digits, '-', '_' and '.', starting and ending with a"
            + " letter or digit, got "
            + quote(value);
  }

  private static String tooLong(int max, String v) {
    return "must be at most " + max + " characters, got " + v.length();
  }

  /** {@code s} in double quotes with quotes and control characters escaped, clipped. */
  static String quote(String s) {
    StringBuilder sb = new StringBuilder("\"");
    int n = Math.min(s.length(), MAX_QUOTED);
    for (int i = 0; i < n; i++) {
      char c = s.charAt(i);
      if (c == '"' || c == '\\') {
        sb.append('\\').append(c);
      } else if (c < 0x20 || c == 0x7f) {
        sb.append(String.format("\\u%04x", (int) c));
      } else {
        sb.append(c);
      }
    }
    if (s.length() > n) {
      sb.append('…');
    }
    return sb.append('"').toString();
  }
}
