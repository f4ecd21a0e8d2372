package io.meridian.client;

import io.meridian.api.Conditions;
import io.meridian.api.Endpoints;
import io.meridian.api.Node;
import io.meridian.api.ObjectMeta;
import io.meridian.api.Service;
import io.meridian.api.ServicePort;
import io.meridian.api.ServiceSpec;
import io.meridian.api.ServiceType;
import java.util.List;
import java.util.Map;

/** Model objects for tests, with the resourceVersion the registry would have set. */
final class Fixtures {

  private Fixtures() {}

  static Service service(String ns, String name, long revision) {
    return new Service(
        meta(ns, name, revision),
        ServiceSpec.of(
            ServiceType.ClusterIP, Map.of("app", name), List.of(ServicePort.tcp("http", 80))));
  }

  static Endpoints endpoints(String ns, String name, long revision, String... addresses) {
    List<Endpoints.Endpoint> eps =
        java.util.Arrays.stream(addresses)
            .map(
                a ->
                    new Endpoints.Endpoint(
                        null,
                        a,
                        List.of(new Endpoints.EndpointPort("http", 9001, null, null)),
                        Conditions.READY,
                        null,
                        null,
                        null,
                        null))
            .toList();
    return new Endpoints(meta(ns, name, revision), eps);
  }

  static Node node(String name, long revision) {
    return new Node(
        null,
        null,
        meta(null, name, revision),
        new Node.NodeSpec(List.of("10.0.0.1"), "z1", null),
        null);
  }

  static ObjectMeta meta(String ns, String name, long revision) {
    return ObjectMeta.of(ns, name).withResourceVersion(Long.toString(revision));
  }

  static ServiceKey key(String ns, String name) {
    return ServiceKey.of(ns, name);
  }
}
