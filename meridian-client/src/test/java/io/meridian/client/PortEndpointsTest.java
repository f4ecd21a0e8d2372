package io.meridian.client;

import static org.assertj.core.api.Assertions.assertThat;

import io.meridian.api.Conditions;
import io.meridian.api.Endpoints;
import io.meridian.api.LoadBalancing;
import io.meridian.api.ObjectMeta;
import io.meridian.api.Service;
import io.meridian.api.ServicePort;
import io.meridian.api.ServiceSpec;
import io.meridian.api.ServiceType;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Selecting a port's endpoints from a snapshot's entry, on records built by hand. */
class PortEndpointsTest {

  private static final ServiceKey WEB = ServiceKey.of("default", "web");
  private static final Conditions DRAINING = Conditions.READY.terminate(); // serving, terminating
  private static final Conditions GONE = new Conditions(false, false, true); // failing, terminating

  private static ServiceSpec spec(
      ServiceType type, List<ServicePort> ports, String externalName, LoadBalancing lb) {
    return new ServiceSpec(
        type,
        type == ServiceType.ExternalName ? null : Map.of("app", "web"),
        ports,
        null,
        null,
        null,
        null,
        null,
        null,
        null,
        null,
        null,
        externalName,
        null,
        null,
        null,
        null,
        null,
        null,
        null,
        lb,
        null);
  }

  private static Service service(LoadBalancing lb, ServicePort... ports) {
    return new Service(
        ObjectMeta.of("default", "web"), spec(ServiceType.ClusterIP, List.of(ports), null, lb));
  }

  private static Service service(ServicePort... ports) {
    return service(null, ports);
  }

  /** An endpoint of instance {@code name} at {@code address} mapping {@code ports}. */
  private static Endpoints.Endpoint ep(
      String name, String address, Conditions c, Integer weight, Map<String, Integer> ports) {
    List<Endpoints.EndpointPort> list =
        ports.entrySet().stream()
            .sorted(Map.Entry.comparingByKey())
            .map(p -> new Endpoints.EndpointPort(p.getKey(), p.getValue(), null, null))
            .toList();
    return new Endpoints.Endpoint(name, address, list, c, null, "z1", null, weight);
  }

  private static ServiceEntry entry(Service s, Endpoints.Endpoint... eps) {
    return new ServiceEntry(s, new Endpoints(ObjectMeta.of("default", "web"), List.of(eps)));
  }

  private static Endpoint endpoint(String address, int port, String instance) {
    return new Endpoint(address, port, instance, "z1", 1);
  }

  // ---- ready and draining -------------------------------------------------------------------

  @Test
  void theReadyEndpointsOfThePortAreSelectedInTheRegistrysOrder() {
    ServiceEntry e =
        entry(
            service(ServicePort.tcp("http", 80)),
            ep("web-2", "10.0.0.2", Conditions.READY, null, Map.of("http", 8080)),
            ep("web-1", "10.0.0.1", Conditions.READY, 7, Map.of("http", 8081)),
            ep("web-3", "10.0.0.3", DRAINING, null, Map.of("http", 8080)),
            ep("web-4", "10.0.0.4", Conditions.NOT_READY, null, Map.of("http", 8080)));

    PortEndpoints p = PortEndpoints.select(WEB, e, "http", null);

    assertThat(p.endpoints())
        .containsExactly(
            endpoint("10.0.0.2", 8080, "web-2"), new Endpoint("10.0.0.1", 8081, "web-1", "z1", 7));
    assertThat(p.problem()).isNull();
    assertThat(p.policy()).isNull();
    assertThat(p.hashOn()).isNull();
  }

  @Test
  void withoutReadyEndpointsTheDrainingOnesAreSelected() {
    ServiceEntry e =
        entry(
            service(ServicePort.tcp("http", 80)),
            ep("web-1", "10.0.0.1", DRAINING, null, Map.of("http", 8080)),
            ep("web-2", "10.0.0.2", Conditions.NOT_READY, null, Map.of("http", 8080)),
            ep("web-3", "10.0.0.3", GONE, null, Map.of("http", 8080)),
            ep("web-4", "10.0.0.4", DRAINING, null, Map.of("http", 8080)));

    PortEndpoints p = PortEndpoints.select(WEB, e, "http", null);

    assertThat(p.endpoints())
        .containsExactly(endpoint("10.0.0.1", 8080, "web-1"), endpoint("10.0.0.4", 8080, "web-4"));
    assertThat(p.problem()).isNull();
  }

  @Test
  void noReadyOrDrainingEndpointIsAProblemCountingTheOthers() {
    ServiceEntry e =
        entry(
            service(ServicePort.tcp("http", 80)),
            ep("web-1", "10.0.0.1", Conditions.NOT_READY, null, Map.of("http", 8080)),
            ep("web-2", "10.0.0.2", GONE, null, Map.of("http", 8080)),
            ep("web-3", "10.0.0.3", Conditions.READY, null, Map.of("admin", 9090)));

    PortEndpoints p = PortEndpoints.select(WEB, e, "http", null);

    assertThat(p.endpoints()).isEmpty();
    assertThat(p.problem())
        .isEqualTo("service default/web has no ready endpoint for port http (2 not ready)");
  }

  @Test
  void noEndpointsAtAllIsAProblemWithoutACount() {
    PortEndpoints p =
        PortEndpoints.select(
            WEB, ServiceEntry.withoutEndpoints(service(ServicePort.tcp("http", 80))), null, null);

    assertThat(p.problem()).isEqualTo("service default/web has no ready endpoint for port http");
  }

  @Test
  void twoInstancesAtOneAddressAndPortAreOneEndpointTheFirstInTheRegistrysOrder() {
    ServiceEntry e =
        entry(
            service(ServicePort.tcp("http", 80)),
            ep("web-1", "10.0.0.1", Conditions.READY, null, Map.of("http", 8080)),
            ep("web-1-restarted", "10.0.0.1", Conditions.READY, 5, Map.of("http", 8080)),
            ep("web-2", "10.0.0.1", Conditions.READY, null, Map.of("http", 8081)));

    PortEndpoints p = PortEndpoints.select(WEB, e, "http", null);

    assertThat(p.endpoints())
        .containsExactly(endpoint("10.0.0.1", 8080, "web-1"), endpoint("10.0.0.1", 8081, "web-2"));
  }

  // ---- which port ---------------------------------------------------------------------------

  private static ServiceEntry twoPorts() {
    return entry(
        service(ServicePort.tcp("http", 80), ServicePort.tcp("grpc", 9000)),
        ep("web-1", "10.0.0.1", Conditions.READY, null, Map.of("http", 8080, "grpc", 50051)));
  }

  @Test
  void aPortIsFoundByNameOrByServicePortNumber() {
    assertThat(PortEndpoints.select(WEB, twoPorts(), "grpc", null).endpoints())
        .containsExactly(endpoint("10.0.0.1", 50051, "web-1"));
    assertThat(PortEndpoints.select(WEB, twoPorts(), "9000", null).endpoints())
        .containsExactly(endpoint("10.0.0.1", 50051, "web-1"));
    assertThat(PortEndpoints.select(WEB, twoPorts(), "80", "grpc").endpoints())
        .as("an explicit port beats the preferred one")
        .containsExactly(endpoint("10.0.0.1", 8080, "web-1"));
  }

  @Test
  void withoutAPortThePreferredNameIsUsedWhenTheServiceHasIt() {
    assertThat(PortEndpoints.select(WEB, twoPorts(), null, "grpc").endpoints())
        .containsExactly(endpoint("10.0.0.1", 50051, "web-1"));
  }

  @Test
  void withoutAPortOrAPreferredOneAServicesOnlyPortIsUsedEvenUnnamed() {
    ServiceEntry named =
        entry(
            service(ServicePort.tcp("http", 80)),
            ep("web-1", "10.0.0.1", Conditions.READY, null, Map.of("http", 8080)));
    ServiceEntry unnamed =
        entry(
            service(ServicePort.tcp(null, 80)),
            ep("web-1", "10.0.0.1", Conditions.READY, null, Map.of("", 8080)));

    assertThat(PortEndpoints.select(WEB, named, null, "grpc").endpoints())
        .containsExactly(endpoint("10.0.0.1", 8080, "web-1"));
    assertThat(PortEndpoints.select(WEB, unnamed, null, null).endpoints())
        .containsExactly(endpoint("10.0.0.1", 8080, "web-1"));
    assertThat(PortEndpoints.select(WEB, unnamed, "80", null).endpoints())
        .containsExactly(endpoint("10.0.0.1", 8080, "web-1"));
  }

  @Test
  void anUnnamedPortIsCalledSoInTheProblem() {
    PortEndpoints p =
        PortEndpoints.select(
            WEB, ServiceEntry.withoutEndpoints(service(ServicePort.tcp(null, 80))), null, null);

    assertThat(p.problem())
        .isEqualTo("service default/web has no ready endpoint for port (unnamed)");
  }

  @Test
  void anUnknownPortIsAProblemListingTheServicesPorts() {
    PortEndpoints p = PortEndpoints.select(WEB, twoPorts(), "admin", "grpc");

    assertThat(p.endpoints()).isEmpty();
    assertThat(p.problem())
        .isEqualTo("service default/web has no port \"admin\"; its ports: http 80, grpc 9000");
  }

  @Test
  void severalPortsWithoutAChoiceIsAProblemAskingForOne() {
    PortEndpoints p = PortEndpoints.select(WEB, twoPorts(), null, "admin");

    assertThat(p.problem())
        .isEqualTo(
            "service default/web has several ports (http 80, grpc 9000): name the one to use");
  }

  @Test
  void aServiceWithoutPortsSaysSo() {
    PortEndpoints p =
        PortEndpoints.select(WEB, ServiceEntry.withoutEndpoints(service()), "http", null);

    assertThat(p.problem()).isEqualTo("service default/web has no ports");
  }

  // ---- the service itself -------------------------------------------------------------------

  @Test
  void aMissingServiceIsAProblemNamingIt() {
    PortEndpoints p = PortEndpoints.select(WEB, null, "http", null);

    assertThat(p.endpoints()).isEmpty();
    assertThat(p.problem()).isEqualTo("service default/web does not exist");
    assertThat(p.policy()).isNull();
  }

  @Test
  void anExternalNameServiceHasNoEndpointsButKeepsItsPolicy() {
    Service s =
        new Service(
            ObjectMeta.of("default", "web"),
            spec(
                ServiceType.ExternalName,
                List.of(ServicePort.tcp("http", 80)),
                "web.example.com",
                new LoadBalancing("maglev", null)));

    PortEndpoints p = PortEndpoints.select(WEB, ServiceEntry.withoutEndpoints(s), "http", null);

    assertThat(p.endpoints()).isEmpty();
    assertThat(p.policy()).isEqualTo("maglev");
    assertThat(p.problem())
        .isEqualTo(
            "service default/web is an ExternalName (web.example.com): it has no endpoints to"
                + " balance");
  }

  @Test
  void theServicesPolicyAndHashOnAreCarriedEvenWithoutEndpoints() {
    Service s =
        service(new LoadBalancing("ring_hash", "header:x-user"), ServicePort.tcp("http", 80));

    PortEndpoints p = PortEndpoints.select(WEB, ServiceEntry.withoutEndpoints(s), "http", null);

    assertThat(p.policy()).isEqualTo("ring_hash");
    assertThat(p.hashOn()).isEqualTo("header:x-user");
    assertThat(p.problem()).contains("no ready endpoint");
  }

  @Test
  void anIpv6EndpointIsBracketedInItsAuthority() {
    ServiceEntry e =
        entry(
            service(ServicePort.tcp("http", 80)),
            ep("web-1", "fd00::1", Conditions.READY, null, Map.of("http", 8080)));

    Endpoint only = PortEndpoints.select(WEB, e, "http", null).endpoints().get(0);

    assertThat(only.authority()).isEqualTo("[fd00::1]:8080");
    assertThat(only.toString()).isEqualTo("[fd00::1]:8080 (web-1)");
    assertThat(only.socketAddress().getPort()).isEqualTo(8080);
  }

  @Test
  void theSelectionIsAValueAndImmutable() {
    PortEndpoints a = PortEndpoints.select(WEB, twoPorts(), "http", null);
    PortEndpoints b = PortEndpoints.select(WEB, twoPorts(), "http", null);

    assertThat(a).isEqualTo(b).hasSameHashCodeAs(b);
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> a.endpoints().clear())
        .isInstanceOf(UnsupportedOperationException.class);
  }
}
