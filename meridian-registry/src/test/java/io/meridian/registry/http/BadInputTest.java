package io.meridian.registry.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.meridian.registry.RegistryConfig;
import io.meridian.registry.RegistryServer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every malformed request gets a 4xx JSON error that names the problem, never a 5xx, and the server
 * stays healthy and keeps what it had.
 */
class BadInputTest {

  @TempDir static Path dir;
  static RegistryServer server;
  static Api api;

  static final String SVC = "/api/v1/namespaces/default/services/";
  static final String INST = "/api/v1/namespaces/default/instances/";

  @BeforeAll
  static void start() throws Exception {
    server = RegistryServer.create(RegistryConfig.builder(dir).port(0).fsync(false).build());
    server.start().get();
    api = new Api(server.uri());
    assertThat(
            api.put(
                    SVC + "keep",
                    Api.service(
                        "keep",
                        "{\"type\":\"NodePort\",\"ports\":[{\"port\":80,\"nodePort\":30001}]}"))
                .status())
        .isEqualTo(201);
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  static String svc(String spec) {
    return Api.service("bad", spec);
  }

  static Stream<Arguments> cases() {
    String tenMiB = "{\"metadata\":{\"name\":\"x\"},\"pad\":\"" + "a".repeat(10 << 20) + "\"}";
    return Stream.of(
        // method, path, content type, body, status, text the error must contain (field or message)
        Arguments.of("PUT", SVC + "bad", "application/json", "{", 400, "line"),
        Arguments.of(
            "PUT",
            SVC + "bad",
            "application/json",
            "{\"metadata\":{\"name\":\"bad\"},\"spec\":",
            400,
            "line"),
        Arguments.of("PUT", SVC + "bad", "application/json", "", 400, "empty"),
        Arguments.of("PUT", SVC + "bad", "application/json", "[1,2]", 400, ""),
        Arguments.of("PUT", SVC + "bad", "application/json", "\"service\"", 400, ""),
        Arguments.of(
            "PUT",
            SVC + "bad",
            "application/json",
            svc("{\"ports\":[{\"port\":\"80\"}]}"),
            400,
            "spec.ports[0].port"),
        Arguments.of(
            "PUT",
            SVC + "bad",
            "application/json",
            svc("{\"ports\":[{\"port\":80.5}]}"),
            400,
            "spec.ports[0].port"),
        Arguments.of(
            "PUT",
            SVC + "bad",
            "application/json",
            svc("{\"ports\":[{\"port\":70000}]}"),
            422,
            "spec.ports[0].port"),
        Arguments.of(
            "PUT",
            SVC + "bad",
            "application/json",
            svc("{\"ports\":[{\"port\":0}]}"),
            422,
            "spec.ports[0].port"),
        Arguments.of(
            "PUT",
            SVC + "bad",
            "application/json",
            svc("{\"ports\":[{\"port\":-1}]}"),
            422,
            "spec.ports[0].port"),
        Arguments.of(
            "PUT", SVC + "bad", "application/json", svc("{\"ports\":[]}"), 422, "spec.ports"),
        Arguments.of(
            "PUT",
            SVC + "bad",
            "application/json",
            svc("{\"ports\":[{\"name\":\"a\",\"port\":80},{\"name\":\"a\",\"port\":81}]}"),
            422,
            "spec.ports[1].name"),
        Arguments.of(
            "PUT",
            SVC + "bad",
            "application/json",
            svc("{\"ports\":[{\"name\":\"a\",\"port\":80},{\"name\":\"b\",\"port\":80}]}"),
            422,
            "spec.ports[1].port"),
        Arguments.of(
            "PUT",
            SVC + "bad",
            "application/json",
            svc("{\"ports\":[{\"port\":80},{\"port\":81}]}"),
            422,
            "spec.ports[1].name"),
        Arguments.of(
            "PUT",
            SVC + "bad",
            "application/json",
            svc("{\"ports\":[{\"port\":80,\"protocol\":\"SCTP2\"}]}"),
            400,
            "spec.ports[0].protocol"),
        Arguments.of(
            "PUT",
            SVC + "bad",
            "application/json",
            svc("{\"type\":\"Clusterip\",\"ports\":[{\"port\":80}]}"),
            400,
            "spec.type"),
        Arguments.of(
            "PUT",
            SVC + "bad",
            "application/json",
            svc("{\"selecter\":{},\"ports\":[{\"port\":80}]}"),
            400,
            "selecter"),
        Arguments.of(
            "PUT",
            SVC + "bad",
            "application/json",
            "{\"kind\":\"Service\",\"metadata\":{\"name\":\"bad\"},\"spec\":{\"ports\":[{\"port\":80}]},\"extra\":1}",
            400,
            "extra"),
        Arguments.of(
            "PUT",
            SVC + "bad",
            "application/json",
            "{\"kind\":\"Pod\",\"metadata\":{\"name\":\"bad\"}}",
            400,
            "kind"),
        Arguments.of(
            "PUT",
            SVC + "bad",
            "application/json",
            "{\"apiVersion\":\"v9\",\"kind\":\"Service\",\"metadata\":{\"name\":\"bad\"},\"spec\":{\"ports\":[{\"port\":80}]}}",
            400,
            "apiVersion"),
        Arguments.of(
            "PUT",
            SVC + "Bad",
            "application/json",
            Api.service("Bad", "{\"ports\":[{\"port\":80}]}"),
            422,
            "metadata.name"),
        Arguments.of(
            "PUT",
            SVC + "-web",
            "application/json",
            Api.service("-web", "{\"ports\":[{\"port\":80}]}"),
            422,
            "metadata.name"),
        Arguments.of(
            "PUT",
            SVC + "a_b",
            "application/json",
            Api.service("a_b", "{\"ports\":[{\"port\":80}]}"),
            422,
            "metadata.name"),
        Arguments.of(
            "PUT",
            SVC + "a".repeat(64),
            "application/json",
            Api.service("a".repeat(64), "{\"ports\":[{\"port\":80}]}"),
            422,
            "metadata.name"),
        Arguments.of(
            "PUT",
            SVC + "bad",
            "application/json",
            Api.service("other", "{\"ports\":[{\"port\":80}]}"),
            422,
            "metadata.name"),
        Arguments.of(
            "PUT",
            SVC + "bad",
            "application/json",
            svc("{\"clusterIP\":\"10.0.0.300\",\"ports\":[{\"port\":80}]}"),
            422,
            "spec.clusterIP"),
        Arguments.of(
            "PUT",
            SVC + "bad",
            "application/json",
            svc("{\"clusterIP\":\"192.168.1.1\",\"ports\":[{\"port\":80}]}"),
            422,
            "spec.clusterIP"),
        Arguments.of(
            "PUT",
            SVC + "bad",
            "application/json",
            svc("{\"ports\":[{\"port\":80,\"nodePort\":30001}]}"),
            422,
            "spec.ports[0].nodePort"),
        Arguments.of(
            "PUT",
            SVC + "bad",
            "application/json",
            svc("{\"type\":\"NodePort\",\"ports\":[{\"port\":80,\"nodePort\":30001}]}"),
            422,
            "spec.ports[0].nodePort"),
        Arguments.of(
            "PUT",
            SVC + "bad",
            "application/json",
            svc("{\"type\":\"ExternalName\"}"),
            422,
            "spec.externalName"),
        Arguments.of(
            "PUT",
            SVC + "bad",
            "application/json",
            svc("{\"type\":\"NodePort\",\"clusterIP\":\"None\",\"ports\":[{\"port\":80}]}"),
            422,
            "spec.clusterIP"),
        Arguments.of(
            "PUT",
            SVC + "bad",
            "application/json",
            "{\"metadata\":{\"name\":\"bad\"},\"spec\":{\"ports\":[{\"port\":80}]},\"metadata\":{}}",
            400,
            ""),
        Arguments.of(
            "PUT", SVC + "bad", "application/yaml", "metadata:\n\tname: bad\n", 400, "line"),
        Arguments.of("PUT", SVC + "bad", "application/xml", "<service/>", 415, "Content-Type"),
        Arguments.of("PUT", SVC + "bad", "application/json", tenMiB, 413, "larger"),
        Arguments.of(
            "PUT",
            INST + "i",
            "application/json",
            Api.instance("i", "web", "example.com", 80, ""),
            422,
            "spec.address"),
        Arguments.of(
            "PUT",
            INST + "i",
            "application/json",
            Api.instance("i", "web", "127.0.0.1", 70000, ""),
            422,
            "spec.ports"),
        Arguments.of(
            "PUT",
            INST + "i",
            "application/json",
            Api.instance("i", "web", "127.0.0.1", 80, "\"weight\":0"),
            422,
            "spec.weight"),
        Arguments.of(
            "PUT",
            INST + "i",
            "application/json",
            Api.instance("i", "web", "127.0.0.1", 80, "\"weight\":1001"),
            422,
            "spec.weight"),
        Arguments.of(
            "PUT",
            INST + "i",
            "application/json",
            Api.instance("i", "web", "127.0.0.1", 80, "\"ttl\":\"5 s\""),
            400,
            "spec.ttl"),
        Arguments.of(
            "PUT",
            INST + "i",
            "application/json",
            Api.instance("i", "web", "127.0.0.1", 80, "\"ttl\":\"0s\""),
            422,
            "spec.ttl"),
        Arguments.of(
            "PUT",
            INST + "i",
            "application/json",
            Api.instance("i", "we b", "127.0.0.1", 80, ""),
            422,
            "metadata.labels"),
        Arguments.of(
            "PUT",
            "/api/v1/namespaces/Default/services/x",
            "application/json",
            Api.service("x", "{\"ports\":[{\"port\":80}]}"),
            422,
            "metadata.namespace"),
        Arguments.of(
            "PUT", "/api/v1/namespaces/default/pods/x", "application/json", "{}", 404, "pods"),
        Arguments.of("PATCH", SVC + "keep", "application/json", "{}", 405, "PATCH"),
        Arguments.of("GET", SVC + "missing", "application/json", "", 404, "missing"),
        Arguments.of(
            "GET",
            SVC + "?labelSelector=a%20in%20(b",
            "application/json",
            "",
            400,
            "labelSelector"),
        Arguments.of(
            "GET",
            SVC + "?watch=true&resourceVersion=abc",
            "application/json",
            "",
            400,
            "resourceVersion"),
        Arguments.of(
            "DELETE",
            INST + "x?gracePeriodSeconds=-5",
            "application/json",
            "",
            400,
            "gracePeriodSeconds"),
        Arguments.of(
            "POST",
            "/api/v1/namespaces/default/services/keep/heartbeat",
            "application/json",
            "",
            404,
            ""));
  }

  @ParameterizedTest(name = "[{index}] {0} {1} -> {4}")
  @MethodSource("cases")
  void malformedRequestsGetA4xxJsonErrorNamingTheProblem(
      String method, String path, String contentType, String body, int status, String mentions) {
    var a = api.sendBytes(path, method, contentType, body.getBytes(StandardCharsets.UTF_8));
    assertThat(a.status()).as(a.body()).isEqualTo(status);
    JsonNode e = a.json();
    assertThat(e.get("code").asInt()).isEqualTo(status);
    assertThat(e.get("reason").asText()).isNotEmpty();
    assertThat(e.get("message").asText())
        .isNotEmpty()
        .doesNotContain("Exception")
        .doesNotContain("\tat ");
    assertThat(a.body()).contains(mentions);
  }

  @Test
  void theServerStaysHealthyAndLosesNothingAfterAllOfThem() {
    cases()
        .forEach(
            c -> {
              Object[] args = c.get();
              api.sendBytes(
                  (String) args[1],
                  (String) args[0],
                  (String) args[2],
                  ((String) args[3]).getBytes(StandardCharsets.UTF_8));
            });
    assertThat(api.get("/readyz").status()).isEqualTo(200);
    var keep = api.get(SVC + "keep");
    assertThat(keep.status()).isEqualTo(200);
    assertThat(keep.json().at("/spec/ports/0/nodePort").asInt()).isEqualTo(30001);
    List<String> names =
        Arrays.stream(api.get(SVC).json().get("items").toString().split("\"name\":\""))
            .skip(1)
            .map(s -> s.substring(0, s.indexOf('"')))
            .toList();
    assertThat(names).containsExactly("keep");
  }
}
