package io.meridian.api.validation;

import static org.assertj.core.api.Assertions.assertThat;

import io.meridian.api.Endpoints;
import io.meridian.api.FieldError;
import io.meridian.api.GoDuration;
import io.meridian.api.HealthCheck;
import io.meridian.api.Instance;
import io.meridian.api.InstanceSpec;
import io.meridian.api.IntOrString;
import io.meridian.api.LoadBalancing;
import io.meridian.api.Namespace;
import io.meridian.api.Node;
import io.meridian.api.ObjectMeta;
import io.meridian.api.Resource;
import io.meridian.api.Samples;
import io.meridian.api.Service;
import io.meridian.api.ServicePort;
import io.meridian.api.ServiceSpec;
import io.meridian.api.ServiceType;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class ValidatorTest {

  static Stream<Resource> samples() {
    return Samples.all().stream();
  }

  static Service service(ServiceSpec spec) {
    return new Service(ObjectMeta.of("shop", "web"), spec);
  }

  static ServiceSpec spec(ServicePort... ports) {
    return ServiceSpec.of(null, Map.of("app", "web"), List.of(ports));
  }

  static ServiceSpec withLoadBalancing(ServiceSpec s, LoadBalancing lb) {
    return new ServiceSpec(
        s.type(),
        s.selector(),
        s.ports(),
        s.clusterIP(),
        s.clusterIPs(),
        s.ipFamilies(),
        s.ipFamilyPolicy(),
        s.externalIPs(),
        s.sessionAffinity(),
        s.sessionAffinityConfig(),
        s.externalTrafficPolicy(),
        s.internalTrafficPolicy(),
        s.externalName(),
        s.loadBalancerIP(),
        s.loadBalancerSourceRanges(),
        s.loadBalancerClass(),
        s.allocateLoadBalancerNodePorts(),
        s.healthCheckNodePort(),
        s.publishNotReadyAddresses(),
        s.trafficDistribution(),
        lb,
        s.healthCheck());
  }

  static ServiceSpec withHealthCheck(ServiceSpec s, HealthCheck hc) {
    return new ServiceSpec(
        s.type(),
        s.selector(),
        s.ports(),
        s.clusterIP(),
        s.clusterIPs(),
        s.ipFamilies(),
        s.ipFamilyPolicy(),
        s.externalIPs(),
        s.sessionAffinity(),
        s.sessionAffinityConfig(),
        s.externalTrafficPolicy(),
        s.internalTrafficPolicy(),
        s.externalName(),
        s.loadBalancerIP(),
        s.loadBalancerSourceRanges(),
        s.loadBalancerClass(),
        s.allocateLoadBalancerNodePorts(),
        s.healthCheckNodePort(),
        s.publishNotReadyAddresses(),
        s.trafficDistribution(),
        s.loadBalancing(),
        hc);
  }

  static ServiceSpec fields(
      ServiceType type,
      String clusterIP,
      List<String> clusterIPs,
      List<String> families,
      String familyPolicy,
      ServiceSpec.SessionAffinity affinity,
      Integer affinityTimeout,
      List<String> ranges,
      String externalName) {
    return new ServiceSpec(
        type,
        null,
        type == ServiceType.ExternalName ? null : List.of(ServicePort.tcp(null, 80)),
        clusterIP,
        clusterIPs,
        families,
        familyPolicy,
        null,
        affinity,
        affinityTimeout == null
            ? null
            : new ServiceSpec.SessionAffinityConfig(
                new ServiceSpec.ClientIPConfig(affinityTimeout)),
        null,
        null,
        externalName,
        null,
        ranges,
        null,
        null,
        null,
        null,
        null,
        null,
        null);
  }

  static List<FieldError> problems(Resource r) {
    return Validator.validate(r);
  }

  @ParameterizedTest
  @MethodSource("samples")
  void fullyPopulatedSamplesOfEveryKindAreValid(Resource sample) {
    assertThat(problems(sample)).isEmpty();
  }

  @Test
  void everyProblemIsReportedInFieldOrderNotOnlyTheFirst() {
    Service s =
        new Service(
            ObjectMeta.of("Shop", "Web", Map.of("app!", "x")),
            ServiceSpec.of(
                ServiceType.ClusterIP,
                Map.of("app", "web"),
                List.of(
                    new ServicePort("HTTP", null, 0, IntOrString.of(0), 30000, "quic"),
                    new ServicePort(null, null, 80, null, null, null))));
    assertThat(problems(s))
        .extracting(FieldError::field)
        .containsExactly(
            "metadata.name",
            "metadata.namespace",
            "metadata.labels[app!]",
            "spec.ports[0].name",
            "spec.ports[0].port",
            "spec.ports[0].targetPort",
            "spec.ports[0].nodePort",
            "spec.ports[0].appProtocol",
            "spec.ports[1].name");
  }

  @Test
  void mapEntriesAreCheckedInKeyOrderSoTheAnswerIsStable() {
    Map<String, String> labels = new LinkedHashMap<>();
    for (String k : List.of("z!", "a!", "m!")) {
      labels.put(k, "v");
    }
    assertThat(problems(new Namespace("v1", "Namespace", ObjectMeta.of(null, "shop", labels))))
        .extracting(FieldError::field)
        .containsExactly("metadata.labels[a!]", "metadata.labels[m!]", "metadata.labels[z!]");
  }

  @Test
  void apiVersionAndKindMustBeTheKindsOwn() {
    Service s =
        new Service(
            "v2", "Svc", ObjectMeta.of("shop", "web"), spec(ServicePort.tcp(null, 80)), null);
    assertThat(problems(s))
        .containsExactly(
            new FieldError("apiVersion", "is v2, expected v1"),
            new FieldError("kind", "is Svc, expected Service"));
  }

  @Test
  void servicePortNamesFollowKubernetesDnsLabelsNotTheFifteenCharacterIanaLimit() {
    String name = "metrics-for-prometheus"; // 22 characters: valid in Kubernetes
    assertThat(problems(service(spec(ServicePort.tcp(name, 9100))))).isEmpty();
  }

  @Test
  void theSamePortNumberMayServeTcpAndUdp() {
    assertThat(
            problems(
                service(
                    spec(
                        ServicePort.tcp("dns-tcp", 53),
                        new ServicePort(
                            "dns-udp", ServicePort.Protocol.UDP, 53, null, null, null)))))
        .isEmpty();
  }

  @Test
  void nodePortsAreUniquePerProtocolAndZeroMeansAllocateOne() {
    ServiceSpec s =
        spec(
            new ServicePort("a", null, 80, null, 30080, null),
            new ServicePort("b", null, 81, null, 30080, null),
            new ServicePort("c", null, 82, null, 0, null));
    assertThat(problems(service(s.withType(ServiceType.NodePort))))
        .containsExactly(new FieldError("spec.ports[1].nodePort", "duplicate node port 30080/TCP"));
  }

  @Test
  void externalNameServicesNeedNoPortsButMayNotHaveAClusterIP() {
    assertThat(
            problems(
                service(
                    fields(
                        ServiceType.ExternalName,
                        null,
                        null,
                        null,
                        null,
                        null,
                        null,
                        null,
                        "db.example.com"))))
        .isEmpty();
    assertThat(
            problems(
                service(
                    fields(
                        ServiceType.ExternalName,
                        "10.96.0.1",
                        null,
                        null,
                        null,
                        null,
                        null,
                        null,
                        "db.example.com"))))
        .containsExactly(
            new FieldError("spec.clusterIP", "may not be set for ExternalName services"));
  }

  @Test
  void headlessIsFineForClusterIpButNotForLoadBalancers() {
    assertThat(
            problems(
                service(
                    fields(
                        ServiceType.ClusterIP,
                        "None",
                        List.of("None"),
                        null,
                        null,
                        null,
                        null,
                        null,
                        null))))
        .isEmpty();
    assertThat(
            problems(
                service(
                    fields(
                        ServiceType.LoadBalancer,
                        "None",
                        null,
                        null,
                        null,
                        null,
                        null,
                        null,
                        null))))
        .containsExactly(
            new FieldError("spec.clusterIP", "may not be None for LoadBalancer services"));
  }

  @Test
  void clusterIPsAgreeWithClusterIPAndNameKnownFamilies() {
    assertThat(
            problems(
                service(
                    fields(
                        null,
                        "10.96.0.1",
                        List.of("10.96.0.2", "fd00::1", "10.96.0.3"),
                        List.of("IPv4", "IPv4", "ipv6"),
                        "DualStack",
                        null,
                        null,
                        null,
                        null))))
        .containsExactly(
            new FieldError(
                "spec.clusterIPs", "may hold at most two addresses, one per IP family, got 3"),
            new FieldError(
                "spec.clusterIPs[0]", "must equal spec.clusterIP \"10.96.0.1\", got \"10.96.0.2\""),
            new FieldError("spec.ipFamilies[1]", "duplicate family IPv4"),
            new FieldError("spec.ipFamilies[2]", "must be IPv4 or IPv6, got \"ipv6\""),
            new FieldError(
                "spec.ipFamilyPolicy",
                "must be one of SingleStack, PreferDualStack, RequireDualStack, got"
                    + " \"DualStack\""));
  }

  @Test
  void theUnspecifiedAddressIsNoClusterIPAndNoInstanceAddress() {
    assertThat(problems(service(fields(null, "0.0.0.0", null, null, null, null, null, null, null))))
        .containsExactly(
            new FieldError("spec.clusterIP", "must not be the unspecified address 0.0.0.0"));
    Instance i =
        new Instance(ObjectMeta.of("shop", "web-1"), InstanceSpec.of("::", Map.of("http", 80)));
    assertThat(problems(i))
        .containsExactly(
            new FieldError(
                "spec.address", "must be the address of one host, not the unspecified address ::"));
  }

  @Test
  void loadBalancerSourceRangesAreCidrs() {
    assertThat(
            problems(
                service(
                    fields(
                        null,
                        null,
                        null,
                        null,
                        null,
                        null,
                        null,
                        List.of("10.0.0.0/8", "10.0.0.1", "fd00::/200"),
                        null))))
        .extracting(FieldError::field)
        .containsExactly("spec.loadBalancerSourceRanges[1]", "spec.loadBalancerSourceRanges[2]");
  }

  @Test
  void sessionAffinityConfigNeedsClientIpAffinity() {
    assertThat(
            problems(
                service(
                    fields(
                        null,
                        null,
                        null,
                        null,
                        null,
                        ServiceSpec.SessionAffinity.ClientIP,
                        10800,
                        null,
                        null))))
        .isEmpty();
    assertThat(
            problems(
                service(
                    fields(
                        null,
                        null,
                        null,
                        null,
                        null,
                        ServiceSpec.SessionAffinity.None,
                        0,
                        null,
                        null))))
        .containsExactly(
            new FieldError(
                "spec.sessionAffinityConfig", "may only be set when sessionAffinity is ClientIP"),
            new FieldError(
                "spec.sessionAffinityConfig.clientIP.timeoutSeconds", "must be 1..86400, got 0"));
  }

  @Test
  void hashOnNeedsAHashPolicy() {
    ServiceSpec s = spec(ServicePort.tcp(null, 80));
    assertThat(problems(service(withLoadBalancing(s, new LoadBalancing("ring_hash", null)))))
        .isEmpty();
    assertThat(
            problems(
                service(withLoadBalancing(s, new LoadBalancing("maglev", "header:X-User_Id")))))
        .isEmpty();
    assertThat(problems(service(withLoadBalancing(s, new LoadBalancing(null, "client_ip")))))
        .containsExactly(
            new FieldError(
                "spec.loadBalancing.hashOn",
                "may only be set for the ring_hash and maglev policies, got policy round_robin (the"
                    + " default)"));
    assertThat(problems(service(withLoadBalancing(s, new LoadBalancing("ring_hash", "cookie:x")))))
        .containsExactly(
            new FieldError(
                "spec.loadBalancing.hashOn", "must be client_ip or header:NAME, got \"cookie:x\""));
  }

  @Test
  void aShortIntervalCollidesWithTheDefaultTimeout() {
    HealthCheck hc =
        new HealthCheck("http", "healthz", null, GoDuration.parse("500ms"), null, null, 101);
    assertThat(problems(service(withHealthCheck(spec(ServicePort.tcp(null, 80)), hc))))
        .containsExactly(
            new FieldError(
                "spec.healthCheck.path", "must start with '/' for an http check, got \"healthz\""),
            new FieldError(
                "spec.healthCheck.interval",
                "must not be shorter than the default timeout 1s, got 500ms; set a shorter"
                    + " timeout"),
            new FieldError("spec.healthCheck.fall", "must be 1..100, got 101"));
  }

  @Test
  void healthCheckDurationsMustBePositive() {
    HealthCheck hc =
        new HealthCheck(
            "tcp",
            null,
            IntOrString.of(70000),
            GoDuration.parse("0s"),
            GoDuration.parse("0"),
            null,
            null);
    assertThat(problems(service(withHealthCheck(spec(ServicePort.tcp(null, 80)), hc))))
        .containsExactly(
            new FieldError("spec.healthCheck.interval", "must be greater than 0s, got 0s"),
            new FieldError("spec.healthCheck.timeout", "must be greater than 0s, got 0s"),
            new FieldError("spec.healthCheck.port", "must be 1..65535, got 70000"));
  }

  @Test
  void aServiceHealthCheckMayNameAnyPortItsInstancesMightHave() {
    HealthCheck hc = new HealthCheck("grpc", null, IntOrString.of("admin"), null, null, null, null);
    assertThat(problems(service(withHealthCheck(spec(ServicePort.tcp(null, 80)), hc)))).isEmpty();
  }

  @Test
  void instanceRulesCoverEveryOptionalField() {
    InstanceSpec spec =
        new InstanceSpec(
            "10.0.0.1",
            Map.of("http", 8080),
            "Node_A",
            "zone-1",
            "web-1",
            1,
            GoDuration.parse("24h"),
            null);
    assertThat(problems(new Instance(ObjectMeta.of("shop", "web-1.shop"), spec)))
        .containsExactly(
            new FieldError(
                "spec.node",
                "must be a DNS-1123 subdomain: lowercase letters, digits, '-' and '.', each part"
                    + " starting and ending with a letter or digit, got \"Node_A\""));
  }

  @Test
  void anInstanceWithoutSpecOrMetadataSaysSo() {
    assertThat(problems(new Instance("meridian.io/v1", "Instance", null, null, null)))
        .containsExactly(
            new FieldError("metadata.name", "is required"), new FieldError("spec", "is required"));
  }

  @Test
  void nodesNeedNoSpecButCheckItsAddressesAndTtl() {
    assertThat(problems(new Node(null, null, ObjectMeta.of(null, "node-a"), null, null))).isEmpty();
    Node n =
        new Node(
            null,
            null,
            ObjectMeta.of(null, "node-a"),
            new Node.NodeSpec(List.of("10.0.0.1", "10.0.0.256"), null, GoDuration.parse("500ms")),
            null);
    assertThat(problems(n))
        .containsExactly(
            new FieldError(
                "spec.addresses[1]", "must be an IPv4 or IPv6 address, got \"10.0.0.256\""),
            new FieldError("spec.ttl", "must be between 1s and 24h, got 500ms"));
  }

  @Test
  void endpointsFollowServiceNamesAndCheckEachEndpoint() {
    Endpoints e =
        new Endpoints(
            ObjectMeta.of("shop", "1web"),
            List.of(
                new Endpoints.Endpoint(
                    "Web_1",
                    null,
                    List.of(
                        new Endpoints.EndpointPort("HTTP", 70000, null, null),
                        new Endpoints.EndpointPort(null, 80, null, null)),
                    null,
                    null,
                    null,
                    "a.b",
                    0)));
    assertThat(problems(e))
        .extracting(FieldError::field)
        .containsExactly(
            "metadata.name",
            "endpoints[0].address",
            "endpoints[0].ports[0].name",
            "endpoints[0].ports[0].port",
            "endpoints[0].weight",
            "endpoints[0].instance",
            "endpoints[0].hostname");
  }

  @Test
  void annotationsMayHoldAtMost256KibInTotal() {
    Map<String, String> big = Map.of("a", "x".repeat(200_000), "b", "x".repeat(100_000));
    ObjectMeta meta =
        new ObjectMeta(
            "shop", null, null, null, big, null, null, null, null, null, null, null, null, null,
            null);
    assertThat(problems(new Namespace(null, null, meta)))
        .containsExactly(
            new FieldError(
                "metadata.annotations", "must hold at most 262144 bytes in total, got 300002"));
  }
}
