package io.meridian.client;

import io.meridian.api.Endpoints;
import io.meridian.api.ObjectMeta;
import io.meridian.api.Service;
import java.util.List;
import java.util.Objects;

/**
 * A service as a snapshot holds it: the Service and its Endpoints. A service whose endpoints the
 * registry has not (yet) published has an Endpoints object with no endpoints, never null.
 *
 * <p>Thread-safety: immutable; safe from any thread.
 *
 * @param service the Service resource
 * @param endpoints its Endpoints (possibly with an empty list)
 */
public record ServiceEntry(Service service, Endpoints endpoints) {

  public ServiceEntry {
    Objects.requireNonNull(service, "service");
    Objects.requireNonNull(endpoints, "endpoints");
  }

  /** An entry for {@code service}, with no endpoints. */
  public static ServiceEntry withoutEndpoints(Service service) {
    return new ServiceEntry(service, emptyEndpoints(ServiceKey.of(service)));
  }

  public ServiceKey key() {
    return ServiceKey.of(service);
  }

  /** Shortcut for {@code endpoints().endpoints()}. */
  public List<Endpoints.Endpoint> endpointList() {
    return endpoints.endpoints();
  }

  static Endpoints emptyEndpoints(ServiceKey key) {
    return new Endpoints(ObjectMeta.of(key.namespace(), key.name()), List.of());
  }
}
