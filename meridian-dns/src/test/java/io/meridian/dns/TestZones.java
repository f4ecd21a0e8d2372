package io.meridian.dns;

import io.meridian.api.Conditions;
import io.meridian.api.Endpoints;
import io.meridian.api.ObjectMeta;
import io.meridian.api.Service;
import io.meridian.api.ServicePort;
import io.meridian.client.ClusterSnapshot;
import java.util.ArrayList;
import java.util.List;

/**
 * Zones built the way the server builds them ({@link ZoneBuilder} over a {@link ClusterSnapshot}),
 * from services and endpoints made in the test, without a registry.
 *
 * <p>Thread-safety: stateless.
 */
final class TestZones {

  static final String DOMAIN = "cluster.local";

  private TestZones() {}

  /**
   * The zone of {@code services} and {@code endpoints} under cluster.local with TTL {@code ttl}.
   */
  static Zone zone(List<Service> services, List<Endpoints> endpoints, int ttl) {
    return ZoneBuilder.build(ClusterSnapshot.of(services, endpoints, List.of()), DOMAIN, ttl);
  }

  /** Endpoints of service {@code name} in {@code default}. */
  static Endpoints endpoints(String name, List<Endpoints.Endpoint> list) {
    return new Endpoints(ObjectMeta.of(ClusterFixture.NS, name), list);
  }

  /** A ready endpoint with weight {@code weight} (null: default) and port {@code pg: 5432}. */
  static Endpoints.Endpoint endpoint(String address, Integer weight) {
    return new Endpoints.Endpoint(
        address,
        address,
        List.of(new Endpoints.EndpointPort("pg", 5432, ServicePort.Protocol.TCP, null)),
        Conditions.READY,
        null,
        null,
        null,
        weight);
  }

  /** {@code count} ready endpoints at {@code prefix}.0.1, {@code prefix}.0.2, ... */
  static List<Endpoints.Endpoint> endpointRange(String prefix, int count) {
    List<Endpoints.Endpoint> list = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      list.add(endpoint(prefix + "." + (i / 250) + "." + (i % 250 + 1), null));
    }
    return list;
  }
}
