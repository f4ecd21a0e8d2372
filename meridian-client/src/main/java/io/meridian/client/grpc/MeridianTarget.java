package io.meridian.client.grpc;

import io.meridian.client.ServiceKey;
import java.net.URI;

/**
 * A parsed {@code meridian://[registry]/namespace/service[:port]} target.
 *
 * @param registry the registry's base URI ({@code http://host:port})
 * @param service the service
 * @param port the service port's name or number, or null for the default
 */
record MeridianTarget(URI registry, ServiceKey service, String port) {

  /**
   * Parses {@code target}; {@code env} is {@code MERIDIAN_REGISTRY} (may be null).
   *
   * @throws IllegalArgumentException naming what is wrong with the target
   */
  static MeridianTarget parse(URI target, String env) {
    String authority = target.getRawAuthority();
    String registry =
        authority != null && !authority.isEmpty()
            ? authority
            : env != null && !env.isBlank()
                ? env.strip()
                : MeridianNameResolverProvider.DEFAULT_REGISTRY;
    URI base =
        URI.create(
            registry.startsWith("http://") || registry.startsWith("https://")
                ? registry
                : "http://" + registry);
    String path = target.getPath() == null ? "" : target.getPath();
    String[] parts = path.startsWith("/") ? path.substring(1).split("/", -1) : new String[0];
    if (parts.length != 2 || parts[0].isEmpty() || parts[1].isEmpty()) {
      throw new IllegalArgumentException(
          "meridian target must be meridian://[registry]/namespace/service[:port], got \""
              + target
              + "\"");
    }
    String name = parts[1];
    String port = null;
    int colon = name.indexOf(':');
    if (colon >= 0) {
      port = name.substring(colon + 1);
      name = name.substring(0, colon);
      if (port.isEmpty()) {
        throw new IllegalArgumentException("meridian target \"" + target + "\" has an empty port");
      }
    }
    return new MeridianTarget(base, ServiceKey.of(parts[0], name), port);
  }
}
