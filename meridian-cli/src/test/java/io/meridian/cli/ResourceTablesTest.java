package io.meridian.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.meridian.api.Conditions;
import io.meridian.api.Endpoints;
import io.meridian.api.GoDuration;
import io.meridian.api.Instance;
import io.meridian.api.InstanceSpec;
import io.meridian.api.InstanceStatus;
import io.meridian.api.Kind;
import io.meridian.api.ObjectMeta;
import io.meridian.api.Service;
import io.meridian.api.ServicePort;
import io.meridian.api.ServiceSpec;
import io.meridian.api.ServiceStatus;
import io.meridian.api.ServiceType;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ResourceTablesTest {

  private static final Instant NOW = Instant.parse("2026-11-26T12:00:00Z");
  private final ResourceTables tables = new ResourceTables(NOW);

  private static ObjectMeta meta(String ns, String name, String created) {
    return ObjectMeta.of(ns, name, Map.of("app", name))
        .withSystemFields("uid-" + name, created, 1L);
  }

  private static Service service(
      String name, ServiceType type, List<ServicePort> ports, String clusterIP) {
    return new Service(
        meta("default", name, "2026-11-26T11:59:30Z"),
        ServiceSpec.of(type, Map.of("app", name), ports).withClusterIP(clusterIP));
  }

  @Test
  void servicesShowTypeAddressesAndPortsAsKubectlDoes() {
    Service web =
        service("web", ServiceType.ClusterIP, List.of(ServicePort.tcp("http", 80)), "127.96.0.10");
    Service np =
        service(
            "np",
            ServiceType.NodePort,
            List.of(ServicePort.tcp("http", 80).withNodePort(30080)),
            "127.96.0.11");
    Service lb =
        service(
                "lb",
                ServiceType.LoadBalancer,
                List.of(ServicePort.tcp("http", 80).withNodePort(31000)),
                "127.96.0.12")
            .withStatus(ServiceStatus.ingress("127.97.0.1"));
    Service pending =
        service(
            "pending",
            ServiceType.LoadBalancer,
            List.of(ServicePort.tcp("http", 80)),
            "127.96.0.13");
    Service headless =
        service("db", ServiceType.ClusterIP, List.of(ServicePort.tcp("pg", 5432)), "None");
    Service ext =
        new Service(
            meta("default", "ext", "2026-11-20T12:00:00Z"),
            ServiceSpec.of(ServiceType.ExternalName, null, List.of()).withClusterIP(null));
    ext =
        ext.withSpec(
            new ServiceSpec(
                ServiceType.ExternalName,
                null,
                List.of(),
                null,
                null,
                null,
                null,
                null,
                null,
                null,
                null,
                null,
                "db.example.com",
                null,
                null,
                null,
                null,
                null,
                null,
                null,
                null,
                null));

    String table =
        tables
            .table(Kind.SERVICE, List.of(web, np, lb, pending, headless, ext), false, false)
            .render();

    assertThat(table)
        .isEqualTo(
            """
            NAME      TYPE           CLUSTER-IP    EXTERNAL-IP      PORT(S)        AGE
            web       ClusterIP      127.96.0.10   <none>           80/TCP         30s
            np        NodePort       127.96.0.11   <none>           80:30080/TCP   30s
            lb        LoadBalancer   127.96.0.12   127.97.0.1       80:31000/TCP   30s
            pending   LoadBalancer   127.96.0.13   <pending>        80/TCP         30s
            db        ClusterIP      None          <none>           5432/TCP       30s
            ext       ExternalName   <none>        db.example.com   <none>         6d
            """);
  }

  @Test
  void wideServicesAddTheSelectorAndAllNamespacesPrependTheNamespace() {
    Service web =
        service("web", ServiceType.ClusterIP, List.of(ServicePort.tcp("http", 80)), "127.96.0.10");

    assertThat(tables.table(Kind.SERVICE, List.of(web), true, true).render())
        .isEqualTo(
            """
            NAMESPACE   NAME   TYPE        CLUSTER-IP    EXTERNAL-IP   PORT(S)   AGE   SELECTOR
            default     web    ClusterIP   127.96.0.10   <none>        80/TCP    30s   app=web
            """);
  }

  @Test
  void instancesShowAddressPortsAndReadinessAndWideAddsPlacement() {
    Instance a =
        new Instance(
            meta("default", "web-127-0-0-1-9001", "2026-11-26T11:55:00Z"),
            new InstanceSpec(
                "127.0.0.1",
                Map.of("http", 9001),
                "node-1",
                "a",
                null,
                5,
                GoDuration.parse("10s"),
                null));
    Instance b =
        new Instance(
                meta("default", "web-127-0-0-1-9002", "2026-11-26T11:55:00Z"),
                InstanceSpec.of("127.0.0.1", Map.of("http", 9002)))
            .withStatus(InstanceStatus.of(Conditions.READY.terminate()));

    assertThat(tables.table(Kind.INSTANCE, List.of(a, b), false, false).render())
        .isEqualTo(
            """
            NAME                 ADDRESS     PORTS       READY         AGE
            web-127-0-0-1-9001   127.0.0.1   http:9001   true          5m
            web-127-0-0-1-9002   127.0.0.1   http:9002   terminating   5m
            """);
    assertThat(tables.table(Kind.INSTANCE, List.of(a, b), true, false).render())
        .isEqualTo(
            """
            NAME                 ADDRESS     PORTS       READY         AGE   NODE     ZONE     WEIGHT   TTL
            web-127-0-0-1-9001   127.0.0.1   http:9001   true          5m    node-1   a        5        10s
            web-127-0-0-1-9002   127.0.0.1   http:9002   terminating   5m    <none>   <none>   1        <none>
            """);
  }

  @Test
  void endpointsListReadyAddressesAndSummariseBeyondThree() {
    List<Endpoints.Endpoint> eps = new ArrayList<>();
    for (int i = 1; i <= 5; i++) {
      eps.add(
          new Endpoints.Endpoint(
              "web-" + i,
              "10.0.0." + i,
              List.of(new Endpoints.EndpointPort("http", 8080, null, null)),
              Conditions.READY,
              null,
              null,
              null,
              null));
    }
    eps.add(
        new Endpoints.Endpoint(
            "web-6",
            "10.0.0.6",
            List.of(new Endpoints.EndpointPort("http", 8080, null, null)),
            Conditions.NOT_READY,
            null,
            null,
            null,
            null));
    Endpoints web = new Endpoints(meta("default", "web", "2026-11-26T11:59:00Z"), eps);
    Endpoints one =
        new Endpoints(meta("default", "one", "2026-11-26T11:59:00Z"), eps.subList(0, 1));
    Endpoints none = new Endpoints(meta("default", "none", "2026-11-26T11:59:00Z"), List.of());

    assertThat(tables.table(Kind.ENDPOINTS, List.of(web, one, none), false, false).render())
        .isEqualTo(
            """
            NAME   ENDPOINTS                                               AGE
            web    10.0.0.1:8080,10.0.0.2:8080,10.0.0.3:8080 + 2 more...   60s
            one    10.0.0.1:8080                                           60s
            none   <none>                                                  60s
            """);
  }
}
