package io.meridian.client;

import io.meridian.api.Namespace;
import io.meridian.api.Resource;
import java.util.Comparator;
import java.util.Objects;

/**
 * Identifies a service (and its endpoints, which share its name) across namespaces.
 *
 * <p>Thread-safety: immutable; safe from any thread.
 *
 * @param namespace the service's namespace
 * @param name the service's name
 */
public record ServiceKey(String namespace, String name) implements Comparable<ServiceKey> {

  private static final Comparator<ServiceKey> ORDER =
      Comparator.comparing(ServiceKey::namespace).thenComparing(ServiceKey::name);

  public ServiceKey {
    Objects.requireNonNull(namespace, "namespace");
    Objects.requireNonNull(name, "name");
  }

  public static ServiceKey of(String namespace, String name) {
    return new ServiceKey(namespace, name);
  }

  /**
   * The key of a namespaced resource (a Service or its Endpoints); a missing namespace means {@code
   * default}.
   */
  public static ServiceKey of(Resource resource) {
    String ns = resource.metadata().namespace();
    return new ServiceKey(
        ns == null || ns.isEmpty() ? Namespace.DEFAULT : ns, resource.metadata().name());
  }

  @Override
  public int compareTo(ServiceKey other) {
    return ORDER.compare(this, other);
  }

  /** {@code namespace/name}. */
  @Override
  public String toString() {
    return namespace + "/" + name;
  }
}
