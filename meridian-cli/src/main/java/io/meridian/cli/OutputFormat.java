package io.meridian.cli;

import java.util.Locale;
import picocli.CommandLine;

/**
 * {@code -o table|wide|json|yaml}.
 *
 * <p>Immutable.
 */
enum OutputFormat {
  TABLE,
  WIDE,
  JSON,
  YAML;

  boolean tabular() {
    return this == TABLE || this == WIDE;
  }

  /** Case-insensitive, and names the choices when the value is none of them. */
  static final class Converter implements CommandLine.ITypeConverter<OutputFormat> {
    @Override
    public OutputFormat convert(String value) {
      try {
        return OutputFormat.valueOf(value.toUpperCase(Locale.ROOT));
      } catch (IllegalArgumentException e) {
        throw new CommandLine.TypeConversionException(
            "unknown output format '" + value + "'; use table, wide, json or yaml");
      }
    }
  }
}
