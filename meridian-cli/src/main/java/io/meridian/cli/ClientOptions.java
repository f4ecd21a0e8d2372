package io.meridian.cli;

import java.net.URI;
import picocli.CommandLine;
import picocli.CommandLine.Option;

/**
 * The options every client verb takes: which registry, which namespace.
 *
 * <p>Thread-safety: filled in by picocli, then only read by one command.
 */
final class ClientOptions {

  static final String DEFAULT_REGISTRY = "http://127.0.0.1:7070";

  @Option(
      names = "--registry",
      paramLabel = "URL",
      converter = RegistryUrlConverter.class,
      defaultValue = "${env:MERIDIAN_REGISTRY:-" + DEFAULT_REGISTRY + "}",
      description =
          "Registry API URL (default: $MERIDIAN_REGISTRY, else " + DEFAULT_REGISTRY + ").")
  URI registry;

  @Option(
      names = {"-n", "--namespace"},
      paramLabel = "NS",
      defaultValue = "default",
      description = "Namespace (default: ${DEFAULT-VALUE}).")
  String namespace;

  RegistryClient client() {
    return new RegistryClient(registry);
  }

  /** Accepts {@code http(s)://host[:port]}, without a trailing slash or path. */
  static final class RegistryUrlConverter implements CommandLine.ITypeConverter<URI> {
    @Override
    public URI convert(String value) {
      String v = value.strip();
      while (v.endsWith("/")) {
        v = v.substring(0, v.length() - 1);
      }
      URI uri;
      try {
        uri = URI.create(v);
      } catch (IllegalArgumentException e) {
        throw new CommandLine.TypeConversionException("'" + value + "' is not a URL");
      }
      if (!("http".equals(uri.getScheme()) || "https".equals(uri.getScheme()))
          || uri.getHost() == null) {
        throw new CommandLine.TypeConversionException(
            "'" + value + "' is not a registry URL such as http://127.0.0.1:7070");
      }
      return uri;
    }
  }
}
