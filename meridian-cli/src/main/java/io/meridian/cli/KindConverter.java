package io.meridian.cli;

import io.meridian.api.Kind;
import java.util.Arrays;
import java.util.stream.Collectors;
import picocli.CommandLine;

/**
 * Reads a KIND argument as kubectl does: {@code services}, {@code service}, {@code svc}, {@code
 * Service}.
 *
 * <p>Stateless.
 */
final class KindConverter implements CommandLine.ITypeConverter<Kind> {

  static final String KINDS =
      Arrays.stream(Kind.values())
          .map(k -> k.plural() + " (" + k.shortName() + ")")
          .collect(Collectors.joining(", "));

  @Override
  public Kind convert(String value) {
    return Kind.fromUserInput(value)
        .orElseThrow(
            () ->
                new CommandLine.TypeConversionException(
                    "unknown kind '" + value + "'; use one of " + KINDS));
  }
}
