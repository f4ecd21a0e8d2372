package io.meridian.balancer;

/**
 * Reads policy configuration values as they arrive from JSON, YAML or annotations, for {@link
 * PolicyProvider}s: numbers of any numeric type, or strings holding one. Errors name the key.
 *
 * <p>Thread-safety: stateless.
 */
public final class PolicyConfig {

  private PolicyConfig() {}

  /**
   * An integer: an integral number, or a string holding one.
   *
   * @throws IllegalArgumentException naming {@code key} and the value
   */
  public static int integer(String key, Object value) {
    try {
      if (value instanceof Number n) {
        double d = n.doubleValue();
        if (d == Math.rint(d) && Math.abs(d) <= Integer.MAX_VALUE) {
          return (int) d;
        }
      } else if (value instanceof String s) {
        return Integer.parseInt(s.strip());
      }
    } catch (NumberFormatException ignored) {
      // reported below
    }
    throw new IllegalArgumentException(key + " must be an integer, got " + describe(value));
  }

  /**
   * A number: any number, or a string holding one.
   *
   * @throws IllegalArgumentException naming {@code key} and the value
   */
  public static double number(String key, Object value) {
    try {
      if (value instanceof Number n) {
        return n.doubleValue();
      } else if (value instanceof String s) {
        return Double.parseDouble(s.strip());
      }
    } catch (NumberFormatException ignored) {
      // reported below
    }
    throw new IllegalArgumentException(key + " must be a number, got " + describe(value));
  }

  /**
   * Refuses any configuration for a policy that takes none.
   *
   * @throws IllegalArgumentException naming every key given
   */
  public static void requireNone(String policy, java.util.Map<String, ?> config) {
    if (!config.isEmpty()) {
      throw new IllegalArgumentException(
          "unknown key(s) "
              + config.keySet().stream().map(k -> "\"" + k + "\"").sorted().toList()
              + " for policy "
              + policy
              + "; it takes no configuration");
    }
  }

  /** The error for a key {@code policy} does not know, listing the ones it does. */
  public static IllegalArgumentException unknownKey(String policy, String key, String known) {
    return new IllegalArgumentException(
        "unknown key \"" + key + "\" for policy " + policy + "; known: " + known);
  }

  private static String describe(Object value) {
    return value instanceof String s ? "\"" + s + "\"" : String.valueOf(value);
  }
}
