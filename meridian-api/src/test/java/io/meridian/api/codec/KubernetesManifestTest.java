package io.meridian.api.codec;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import io.meridian.api.IntOrString;
import io.meridian.api.Kind;
import io.meridian.api.Resource;
import io.meridian.api.Service;
import io.meridian.api.ServicePort;
import io.meridian.api.ServiceSpec;
import io.meridian.api.ServiceStatus;
import io.meridian.api.ServiceType;
import io.meridian.api.validation.Validator;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Output of {@code kubectl get svc -o yaml|json} decodes unchanged, and is valid. */
class KubernetesManifestTest {

  /** {@code kubectl get svc web -n shop -o yaml} from a 1.30 cluster, as printed. */
  static final String KUBECTL_GET_SVC_YAML =
"""
apiVersion: v1
kind: Service
metadata:
  annotations:
    kubectl.kubernetes.io/last-applied-configuration: |
      {"apiVersion":"v1","kind":"Service","metadata":{"annotations":{},"labels":{"app":"web"},"name":"web","namespace":"shop"},"spec":{"ports":[{"name":"http","port":80,"targetPort":"http"},{"name":"metrics","port":9100}],"selector":{"app":"web"}}}
  creationTimestamp: "2024-05-01T10:00:00Z"
  labels:
    app: web
    app.kubernetes.io/managed-by: kubectl
  managedFields:
  - apiVersion: v1
    fieldsType: FieldsV1
    fieldsV1:
      f:metadata:
        f:annotations:
          .: {}
          f:kubectl.kubernetes.io/last-applied-configuration: {}
        f:labels:
          .: {}
          f:app: {}
      f:spec:
        f:internalTrafficPolicy: {}
        f:ports:
          .: {}
          k:{"port":80,"protocol":"TCP"}:
            .: {}
            f:name: {}
            f:port: {}
            f:protocol: {}
            f:targetPort: {}
          k:{"port":9100,"protocol":"TCP"}:
            .: {}
            f:name: {}
            f:port: {}
            f:protocol: {}
            f:targetPort: {}
        f:selector: {}
        f:sessionAffinity: {}
        f:type: {}
    manager: kubectl-client-side-apply
    operation: Update
    time: "2024-05-01T10:00:00Z"
  name: web
  namespace: shop
  resourceVersion: "123456"
  uid: 9b1deb4d-3b7d-4bad-9bdd-2b0d7b3dcb6d
spec:
  clusterIP: 10.96.12.34
  clusterIPs:
  - 10.96.12.34
  internalTrafficPolicy: Cluster
  ipFamilies:
  - IPv4
  ipFamilyPolicy: SingleStack
  ports:
  - name: http
    port: 80
    protocol: TCP
    targetPort: http
  - name: metrics
    port: 9100
    protocol: TCP
    targetPort: 9100
  selector:
    app: web
  sessionAffinity: None
  type: ClusterIP
status:
  loadBalancer: {}
""";

  /**
   * {@code kubectl get svc -n shop -o json}: a LoadBalancer, a headless and an ExternalName
   * service.
   */
  static final String KUBECTL_GET_SVC_JSON =
"""
{
    "apiVersion": "v1",
    "items": [
        {
            "apiVersion": "v1",
            "kind": "Service",
            "metadata": {
                "annotations": {"metallb.universe.tf/address-pool": "public"},
                "creationTimestamp": "2024-05-01T10:00:00Z",
                "finalizers": ["service.kubernetes.io/load-balancer-cleanup"],
                "name": "edge",
                "namespace": "shop",
                "resourceVersion": "123460",
                "uid": "0d5c1f0e-5f0e-4d9b-8f3a-3f1f7c1b2a11"
            },
            "spec": {
                "allocateLoadBalancerNodePorts": true,
                "clusterIP": "10.96.40.2",
                "clusterIPs": ["10.96.40.2"],
                "externalTrafficPolicy": "Local",
                "healthCheckNodePort": 31874,
                "internalTrafficPolicy": "Cluster",
                "ipFamilies": ["IPv4"],
                "ipFamilyPolicy": "SingleStack",
                "ports": [
                    {"appProtocol": "http", "name": "http", "nodePort": 30080, "port": 80, "protocol": "TCP", "targetPort": 8080},
                    {"name": "https", "nodePort": 30443, "port": 443, "protocol": "TCP", "targetPort": 8443}
                ],
                "selector": {"app": "edge"},
                "sessionAffinity": "ClientIP",
                "sessionAffinityConfig": {"clientIP": {"timeoutSeconds": 10800}},
                "type": "LoadBalancer"
            },
            "status": {"loadBalancer": {"ingress": [{"ip": "203.0.113.7", "ipMode": "VIP"}]}}
        },
        {
            "apiVersion": "v1",
            "kind": "Service",
            "metadata": {"name": "db", "namespace": "shop", "resourceVersion": "123470", "uid": "5e1c2a3b-0000-4000-8000-000000000001"},
            "spec": {
                "clusterIP": "None",
                "clusterIPs": ["None"],
                "internalTrafficPolicy": "Cluster",
                "ipFamilies": ["IPv4", "IPv6"],
                "ipFamilyPolicy": "RequireDualStack",
                "ports": [{"name": "pg", "port": 5432, "protocol": "TCP", "targetPort": 5432}],
                "publishNotReadyAddresses": true,
                "selector": {"app": "db"},
                "sessionAffinity": "None",
                "type": "ClusterIP"
            },
            "status": {"loadBalancer": {}}
        },
        {
            "apiVersion": "v1",
            "kind": "Service",
            "metadata": {"name": "payments", "namespace": "shop", "resourceVersion": "123480", "uid": "5e1c2a3b-0000-4000-8000-000000000002"},
            "spec": {"externalName": "payments.example.com.", "sessionAffinity": "None", "type": "ExternalName"},
            "status": {"loadBalancer": {}}
        }
    ],
    "kind": "List",
    "metadata": {"resourceVersion": ""}
}
""";

  @Test
  void kubectlGetSvcYamlDecodesWithEveryFieldKept() throws Exception {
    Service s =
        (Service)
            Codec.decode(KUBECTL_GET_SVC_YAML.getBytes(UTF_8), "application/yaml", Kind.SERVICE);

    assertThat(s.metadata().name()).isEqualTo("web");
    assertThat(s.metadata().uid()).isEqualTo("9b1deb4d-3b7d-4bad-9bdd-2b0d7b3dcb6d");
    assertThat(s.metadata().resourceVersion()).isEqualTo("123456");
    assertThat(s.metadata().creationTimestamp()).isEqualTo("2024-05-01T10:00:00Z");
    assertThat(s.metadata().managedFields()).hasSize(1);
    assertThat(s.metadata().managedFields().get(0))
        .containsEntry("manager", "kubectl-client-side-apply");
    assertThat(s.metadata().annotations().get("kubectl.kubernetes.io/last-applied-configuration"))
        .startsWith("{\"apiVersion\":\"v1\"")
        .endsWith("}}\n");
    ServiceSpec spec = s.spec();
    assertThat(spec.effectiveType()).isEqualTo(ServiceType.ClusterIP);
    assertThat(spec.clusterIP()).isEqualTo("10.96.12.34");
    assertThat(spec.clusterIPs()).containsExactly("10.96.12.34");
    assertThat(spec.ipFamilies()).containsExactly("IPv4");
    assertThat(spec.ipFamilyPolicy()).isEqualTo("SingleStack");
    assertThat(spec.sessionAffinity()).isEqualTo(ServiceSpec.SessionAffinity.None);
    assertThat(spec.internalTrafficPolicy()).isEqualTo(ServiceSpec.TrafficPolicy.Cluster);
    assertThat(spec.ports())
        .containsExactly(
            new ServicePort(
                "http", ServicePort.Protocol.TCP, 80, IntOrString.of("http"), null, null),
            new ServicePort(
                "metrics", ServicePort.Protocol.TCP, 9100, IntOrString.of(9100), null, null));
    assertThat(s.status().ingressIP()).isNull();
    assertThat(Validator.validate(s)).isEmpty();
  }

  @Test
  void kubectlGetSvcYamlSurvivesOurOwnRoundTrip() throws Exception {
    Service s =
        (Service)
            Codec.decode(KUBECTL_GET_SVC_YAML.getBytes(UTF_8), "application/yaml", Kind.SERVICE);
    String again = Codec.toYaml(s);
    // status: {loadBalancer: {}} says nothing, and is written as nothing.
    assertThat(again).contains("k:{\"port\":80,\"protocol\":\"TCP\"}").doesNotContain("status:");
    Service expected = s.withStatus(ServiceStatus.EMPTY);
    assertThat(Codec.decode(again.getBytes(UTF_8), "application/yaml", Kind.SERVICE))
        .isEqualTo(expected);
    assertThat(Codec.decode(Codec.toJson(s), "application/json", Kind.SERVICE)).isEqualTo(expected);
  }

  @Test
  void kubectlGetSvcJsonListDecodesToItsServicesAllValid() throws Exception {
    List<Resource> all = Codec.decodeAll(KUBECTL_GET_SVC_JSON.getBytes(UTF_8));

    assertThat(all).extracting(r -> r.metadata().name()).containsExactly("edge", "db", "payments");
    Service edge = (Service) all.get(0);
    assertThat(edge.spec().effectiveType()).isEqualTo(ServiceType.LoadBalancer);
    assertThat(edge.spec().ports()).extracting(ServicePort::nodePort).containsExactly(30080, 30443);
    assertThat(edge.spec().healthCheckNodePort()).isEqualTo(31874);
    assertThat(edge.spec().sessionAffinityConfig().clientIP().timeoutSeconds()).isEqualTo(10800);
    assertThat(edge.status().ingressIP()).isEqualTo("203.0.113.7");
    assertThat(edge.status().loadBalancer().ingress().get(0).ipMode()).isEqualTo("VIP");
    Service db = (Service) all.get(1);
    assertThat(db.spec().headless()).isTrue();
    assertThat(db.spec().publishNotReadyAddresses()).isTrue();
    Service payments = (Service) all.get(2);
    assertThat(payments.spec().externalName()).isEqualTo("payments.example.com.");
    assertThat(payments.spec().ports()).isEmpty();
    for (Resource r : all) {
      assertThat(Validator.validate(r)).as(r.metadata().name()).isEmpty();
    }
  }

  @Test
  void theSameListAsYamlDecodesToTheSameServices() throws Exception {
    List<Resource> fromJson = Codec.decodeAll(KUBECTL_GET_SVC_JSON.getBytes(UTF_8));
    String yaml = Codec.toYaml(Codec.yaml().readTree(KUBECTL_GET_SVC_JSON));
    assertThat(yaml).startsWith("apiVersion: v1\nitems:\n");
    assertThat(Codec.decodeAll(yaml.getBytes(UTF_8))).isEqualTo(fromJson);
  }
}
