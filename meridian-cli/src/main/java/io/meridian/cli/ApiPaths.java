package io.meridian.cli;

import io.meridian.api.Kind;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;

/** Paths of the registry API ({@code /api/v1/namespaces/{ns}/{plural}/{name}}). Stateless. */
final class ApiPaths {

  private ApiPaths() {}

  /** The collection of {@code kind} in {@code namespace}, or in all namespaces when it is null. */
  static String collection(Kind kind, String namespace) {
    if (!kind.namespaced() || namespace == null) {
      return "/api/v1/" + kind.plural();
    }
    return "/api/v1/namespaces/" + enc(namespace) + "/" + kind.plural();
  }

  static String object(Kind kind, String namespace, String name) {
    return collection(kind, kind.namespaced() ? namespace : null) + "/" + enc(name);
  }

  static String heartbeat(String namespace, String instance) {
    return object(Kind.INSTANCE, namespace, instance) + "/heartbeat";
  }

  /**
   * The {@code labelSelector} query parameter carrying {@code selector}, starting with {@code sep}
   * ('?' or '&'); empty for none. The selector is parsed first, so a typo is a usage error here,
   * not a round trip.
   *
   * @throws IllegalArgumentException naming the requirement that is not understood
   */
  static String labelSelector(char sep, String selector) {
    if (selector == null) {
      return "";
    }
    return sep + "labelSelector=" + enc(io.meridian.api.LabelSelector.parse(selector).toString());
  }

  static String enc(String segment) {
    return URLEncoder.encode(segment, StandardCharsets.UTF_8).replace("+", "%20");
  }
}
