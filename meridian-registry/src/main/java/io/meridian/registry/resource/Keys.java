package io.meridian.registry.resource;

import io.meridian.api.Kind;

/**
 * Where each resource lives in the store, as Kubernetes lays out etcd: {@code
 * /registry/services/default/web}, {@code /registry/nodes/node-1}. Allocation claims live under
 * {@code /registry/allocations/}.
 *
 * <p>Thread-safety: stateless.
 */
public final class Keys {

  public static final String ROOT = "/registry/";
  public static final String ALLOCATIONS = ROOT + "allocations/";

  private Keys() {}

  public static String key(Kind kind, String namespace, String name) {
    return kind.namespaced()
        ? ROOT + kind.plural() + "/" + namespace + "/" + name
        : ROOT + kind.plural() + "/" + name;
  }

  /** Every object of {@code kind}, in {@code namespace} or, when null, in all of them. */
  public static String prefix(Kind kind, String namespace) {
    return kind.namespaced() && namespace != null
        ? ROOT + kind.plural() + "/" + namespace + "/"
        : ROOT + kind.plural() + "/";
  }

  /** The kind whose objects live under {@code key}, or null for keys outside the model. */
  public static Kind kindOf(String key) {
    if (!key.startsWith(ROOT)) {
      return null;
    }
    int end = key.indexOf('/', ROOT.length());
    if (end < 0) {
      return null;
    }
    String plural = key.substring(ROOT.length(), end);
    for (Kind k : Kind.values()) {
      if (k.plural().equals(plural)) {
        return k;
      }
    }
    return null;
  }
}
