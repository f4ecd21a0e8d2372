package io.meridian.api;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;

/**
 * The kinds of resource the registry stores, with their wire names.
 *
 * <p>{@code plural} is the path segment in the HTTP API ({@code /api/v1/namespaces/ns/services}),
 * {@code namespaced} tells whether the kind lives in a namespace.
 */
public enum Kind {
  SERVICE("v1", "Service", "services", "svc", true, Service.class),
  INSTANCE(Instance.API_VERSION, "Instance", "instances", "inst", true, Instance.class),
  ENDPOINTS(Endpoints.API_VERSION, "Endpoints", "endpoints", "ep", true, Endpoints.class),
  NODE(Node.API_VERSION, "Node", "nodes", "no", false, Node.class),
  NAMESPACE("v1", "Namespace", "namespaces", "ns", false, Namespace.class);

  private final String apiVersion;
  private final String kind;
  private final String plural;
  private final String shortName;
  private final boolean namespaced;
  private final Class<? extends Resource> type;

  Kind(
      String apiVersion,
      String kind,
      String plural,
      String shortName,
      boolean namespaced,
      Class<? extends Resource> type) {
    this.apiVersion = apiVersion;
    this.kind = kind;
    this.plural = plural;
    this.shortName = shortName;
    this.namespaced = namespaced;
    this.type = type;
  }

  public String apiVersion() {
    return apiVersion;
  }

  /** The {@code kind} field's value, e.g. {@code Service}. */
  public String kindName() {
    return kind;
  }

  /** The kind of the list wrapper, e.g. {@code ServiceList}. */
  public String listKind() {
    return kind + "List";
  }

  public String plural() {
    return plural;
  }

  public String shortName() {
    return shortName;
  }

  public boolean namespaced() {
    return namespaced;
  }

  public Class<? extends Resource> type() {
    return type;
  }

  public static Kind of(Class<?> type) {
    for (Kind k : values()) {
      if (k.type == type) {
        return k;
      }
    }
    throw new IllegalArgumentException("not a resource type: " + type);
  }

  /** The kind named by its {@code kind} field value (exact, as on the wire). */
  public static Optional<Kind> byKindName(String kindName) {
    return Arrays.stream(values()).filter(k -> k.kind.equals(kindName)).findFirst();
  }

  /**
   * The kind a person means on the command line: plural, singular, short name or kind, any case
   * ({@code services}, {@code service}, {@code svc}, {@code Service}).
   */
  public static Optional<Kind> fromUserInput(String word) {
    String w = word.toLowerCase(Locale.ROOT);
    return Arrays.stream(values())
        .filter(
            k ->
                k.plural.equals(w)
                    || k.shortName.equals(w)
                    || k.kind.toLowerCase(Locale.ROOT).equals(w)
                    || (k.plural.endsWith("s")
                        && k.plural.substring(0, k.plural.length() - 1).equals(w)))
        .findFirst();
  }
}
