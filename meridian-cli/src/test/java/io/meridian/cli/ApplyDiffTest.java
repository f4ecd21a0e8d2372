package io.meridian.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.meridian.api.ObjectMeta;
import io.meridian.api.Service;
import io.meridian.api.ServicePort;
import io.meridian.api.ServiceSpec;
import io.meridian.api.ServiceType;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ApplyDiffTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  private static JsonNode json(String s) throws Exception {
    return JSON.readTree(s.replace('\'', '"'));
  }

  private static final String STORED =
      "{'kind':'Service','metadata':{'name':'web','namespace':'default','labels':{'app':'web'},"
          + "'resourceVersion':'7','uid':'u1','creationTimestamp':'2026-11-26T11:00:00Z'},"
          + "'spec':{'type':'NodePort','selector':{'app':'web'},'clusterIP':'127.96.0.10','clusterIPs':['127.96.0.10'],"
          + "'ports':[{'name':'http','protocol':'TCP','port':80,'targetPort':80,'nodePort':30080}],'sessionAffinity':'None'},"
          + "'status':{}}";

  @Test
  void aManifestWithoutTheRegistrysAllocationsAndDefaultsIsUnchanged() throws Exception {
    JsonNode manifest =
        json(
            "{'kind':'Service','metadata':{'name':'web','labels':{'app':'web'}},"
                + "'spec':{'type':'NodePort','selector':{'app':'web'},'ports':[{'name':'http','port':80}]}}");

    assertThat(ApplyDiff.unchanged(manifest, json(STORED))).isTrue();
  }

  @Test
  void aChangedPortIsAChange() throws Exception {
    JsonNode manifest =
        json(
            "{'metadata':{'name':'web','labels':{'app':'web'}},"
                + "'spec':{'type':'NodePort','selector':{'app':'web'},'ports':[{'name':'http','port':81}]}}");

    assertThat(ApplyDiff.unchanged(manifest, json(STORED))).isFalse();
  }

  @Test
  void droppingTheTypeBackToItsDefaultIsAChange() throws Exception {
    JsonNode manifest =
        json(
            "{'metadata':{'name':'web','labels':{'app':'web'}},"
                + "'spec':{'selector':{'app':'web'},'ports':[{'name':'http','port':80}]}}");

    assertThat(ApplyDiff.unchanged(manifest, json(STORED))).isFalse();
  }

  @Test
  void aRequestedNodePortThatDiffersIsAChange() throws Exception {
    JsonNode manifest =
        json(
            "{'metadata':{'name':'web','labels':{'app':'web'}},"
                + "'spec':{'type':'NodePort','selector':{'app':'web'},'ports':[{'name':'http','port':80,'nodePort':30081}]}}");

    assertThat(ApplyDiff.unchanged(manifest, json(STORED))).isFalse();
  }

  @Test
  void labelsCount() throws Exception {
    JsonNode manifest =
        json(
            "{'metadata':{'name':'web','labels':{'app':'web','tier':'fe'}},"
                + "'spec':{'type':'NodePort','selector':{'app':'web'},'ports':[{'name':'http','port':80}]}}");

    assertThat(ApplyDiff.unchanged(manifest, json(STORED))).isFalse();
  }

  @Test
  void aReplaceKeepsTheClusterIpAndMatchingNodePorts() {
    ServiceSpec storedSpec =
        ServiceSpec.of(
                ServiceType.NodePort,
                Map.of("app", "web"),
                List.of(
                    ServicePort.tcp("http", 80).withNodePort(30080),
                    ServicePort.tcp("admin", 9000).withNodePort(30900)))
            .withClusterIP("127.96.0.10");
    Service stored = new Service(ObjectMeta.of("default", "web"), storedSpec);
    Service desired =
        new Service(
            ObjectMeta.of("default", "web"),
            ServiceSpec.of(
                ServiceType.NodePort,
                Map.of("app", "web"),
                List.of(ServicePort.tcp("http", 8080), ServicePort.tcp("metrics", 9100))));

    Service kept = ApplyDiff.keepAllocations(desired, stored);

    assertThat(kept.spec().clusterIP()).isEqualTo("127.96.0.10");
    assertThat(kept.spec().ports()).extracting(ServicePort::nodePort).containsExactly(30080, null);
  }

  @Test
  void aServiceTurnedClusterIpDropsItsNodePortsAndAnExternalNameItsClusterIp() {
    ServiceSpec storedSpec =
        ServiceSpec.of(
                ServiceType.NodePort,
                Map.of("app", "web"),
                List.of(ServicePort.tcp("http", 80).withNodePort(30080)))
            .withClusterIP("127.96.0.10");
    Service stored = new Service(ObjectMeta.of("default", "web"), storedSpec);

    Service clusterIp =
        ApplyDiff.keepAllocations(
            new Service(
                ObjectMeta.of("default", "web"),
                ServiceSpec.of(
                    ServiceType.ClusterIP,
                    Map.of("app", "web"),
                    List.of(ServicePort.tcp("http", 80)))),
            stored);
    Service external =
        ApplyDiff.keepAllocations(
            new Service(
                ObjectMeta.of("default", "web"),
                ServiceSpec.of(ServiceType.ExternalName, null, List.of())),
            stored);

    assertThat(clusterIp.spec().ports().get(0).nodePort()).isNull();
    assertThat(clusterIp.spec().clusterIP()).isEqualTo("127.96.0.10");
    assertThat(external.spec().clusterIP()).isNull();
  }
}
