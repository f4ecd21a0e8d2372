package io.meridian.cli;

import picocli.CommandLine;

/** {@code --node-port-range 30000-32767}. Immutable. */
record PortRange(int min, int max) {

  PortRange {
    if (min < 1 || max > 65535 || min > max) {
      throw new IllegalArgumentException("must be MIN-MAX within 1-65535, got " + min + "-" + max);
    }
  }

  static PortRange parse(String text) {
    String[] parts = text.split("-", -1);
    if (parts.length != 2) {
      throw new IllegalArgumentException("'" + text + "' is not a port range such as 30000-32767");
    }
    try {
      return new PortRange(Integer.parseInt(parts[0].strip()), Integer.parseInt(parts[1].strip()));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("'" + text + "' is not a port range such as 30000-32767");
    }
  }

  @Override
  public String toString() {
    return min + "-" + max;
  }

  static final class Converter implements CommandLine.ITypeConverter<PortRange> {
    @Override
    public PortRange convert(String value) {
      try {
        return parse(value);
      } catch (IllegalArgumentException e) {
        throw new CommandLine.TypeConversionException(e.getMessage());
      }
    }
  }
}
