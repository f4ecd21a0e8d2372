package io.meridian.api;

import io.meridian.api.ServiceSpec.ClientIPConfig;
import io.meridian.api.ServiceSpec.SessionAffinity;
import io.meridian.api.ServiceSpec.SessionAffinityConfig;
import io.meridian.api.ServiceSpec.TrafficPolicy;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Valid resources of every kind with every field set, for round trips and validation. */
public final class Samples {

  private Samples() {}

  public static Service service() {
    ObjectMeta meta =
        new ObjectMeta(
            "web",
            null,
            "shop",
            Map.of("app", "web", "app.kubernetes.io/part-of", "shop"),
            Map.of("example.com/owner", "team-a"),
            "42",
            "6f1c1d3e-7a1b-4d2c-9e8f-0a1b2c3d4e5f",
            3L,
            "2026-01-02T03:04:05Z",
            null,
            null,
            List.of("example.com/protect"),
            null,
            null,
            null);
    ServiceSpec spec =
        new ServiceSpec(
            ServiceType.LoadBalancer,
            Map.of("app", "web"),
            List.of(
                new ServicePort(
                    "http", ServicePort.Protocol.TCP, 80, IntOrString.of("http"), 30080, "http"),
                new ServicePort(
                    "grpc", ServicePort.Protocol.TCP, 9090, IntOrString.of(9090), null, "grpc"),
                new ServicePort(
                    "dns", ServicePort.Protocol.UDP, 53, IntOrString.of(5353), 30053, null)),
            "10.96.0.10",
            List.of("10.96.0.10"),
            List.of("IPv4"),
            "SingleStack",
            List.of("192.0.2.10"),
            SessionAffinity.ClientIP,
            new SessionAffinityConfig(new ClientIPConfig(600)),
            TrafficPolicy.Local,
            TrafficPolicy.Cluster,
            null,
            "192.0.2.1",
            List.of("203.0.113.0/24", "2001:db8::/32"),
            "example.com/lb",
            Boolean.TRUE,
            31000,
            Boolean.FALSE,
            "PreferClose",
            new LoadBalancing("ring_hash", "header:x-user-id"),
            new HealthCheck(
                "http",
                "/healthz",
                IntOrString.of("http"),
                GoDuration.parse("10s"),
                GoDuration.parse("2s"),
                2,
                3));
    return new Service("v1", "Service", meta, spec, ServiceStatus.ingress("192.0.2.1"));
  }

  public static Instance instance() {
    Map<String, Integer> ports = new LinkedHashMap<>();
    ports.put("http", 8080);
    ports.put("grpc", 9090);
    InstanceSpec spec =
        new InstanceSpec(
            "10.1.2.3",
            ports,
            "node-a",
            "zone-1",
            "web-1",
            10,
            GoDuration.parse("30s"),
            new HealthCheck(
                "grpc",
                null,
                IntOrString.of("grpc"),
                GoDuration.parse("5s"),
                GoDuration.parse("500ms"),
                1,
                2));
    return new Instance(
        "meridian.io/v1",
        "Instance",
        ObjectMeta.of("shop", "web-1", Map.of("app", "web")),
        spec,
        new InstanceStatus(Conditions.READY.terminate(), "draining", "2026-01-02T03:04:05Z"));
  }

  public static Node node() {
    return new Node(
        "meridian.io/v1",
        "Node",
        ObjectMeta.of(null, "node-a.example.com"),
        new Node.NodeSpec(List.of("192.0.2.7", "2001:db8::7"), "zone-1", GoDuration.parse("1m")),
        new Node.NodeStatus(Conditions.READY, "0.1.0"));
  }

  public static Namespace namespace() {
    return new Namespace("v1", "Namespace", ObjectMeta.of(null, "shop", Map.of("team", "a")));
  }

  public static Endpoints endpoints() {
    return new Endpoints(
        ObjectMeta.of("shop", "web"),
        List.of(
            new Endpoints.Endpoint(
                "web-1",
                "10.1.2.3",
                List.of(new Endpoints.EndpointPort("http", 8080, ServicePort.Protocol.TCP, "http")),
                Conditions.READY,
                "node-a",
                "zone-1",
                "web-1",
                10),
            new Endpoints.Endpoint(
                null,
                "fd00::3",
                List.of(new Endpoints.EndpointPort("http", 8081, null, null)),
                Conditions.NOT_READY,
                null,
                null,
                null,
                null)));
  }

  public static List<Resource> all() {
    return List.of(service(), instance(), node(), namespace(), endpoints());
  }
}
