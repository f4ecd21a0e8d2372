package io.meridian.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.meridian.testkit.CliResult;
import io.meridian.testkit.CliRunner;
import io.meridian.testkit.MeridianProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code meridian apply} and {@code get} against a real server with a LoadBalancer pool. */
class ApplyIT {

  static final String SERVICE_CIDR = "10.96.0.0/16";
  static final String LB_POOL = "127.97.0.0/24";

  static final String FIVE_SERVICES =
      """
      apiVersion: v1
      kind: Service
      metadata:
        name: web
        labels: {app: web}
      spec:
        selector: {app: web}
        ports:
        - name: http
          port: 80
          targetPort: 8080
      ---
      apiVersion: v1
      kind: Service
      metadata:
        name: web-nodeport
      spec:
        type: NodePort
        selector: {app: web}
        ports:
        - name: http
          port: 80
          targetPort: 8080
      ---
      apiVersion: v1
      kind: Service
      metadata:
        name: web-lb
      spec:
        type: LoadBalancer
        selector: {app: web}
        ports:
        - name: http
          port: 80
          targetPort: 8080
      ---
      apiVersion: v1
      kind: Service
      metadata:
        name: db
      spec:
        clusterIP: None
        selector: {app: db}
        ports:
        - name: pg
          port: 5432
      ---
      apiVersion: v1
      kind: Service
      metadata:
        name: legacy
      spec:
        type: ExternalName
        externalName: db.example.com
      """;

  static MeridianProcess server;
  static CliRunner cli;
  static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path dir;

  @BeforeAll
  static void startServer() {
    server = MeridianProcess.startServer("--service-cidr", SERVICE_CIDR, "--lb-pool", LB_POOL);
    cli = CliRunner.against(server.uri());
  }

  @AfterAll
  static void stopServer() {
    if (server != null) {
      server.close();
    }
  }

  private Path file(String name, String content) throws Exception {
    Path f = dir.resolve(name);
    Files.writeString(f, content);
    return f;
  }

  private static Map<String, JsonNode> servicesByName() throws Exception {
    CliResult r = cli.exec("get", "services", "-o", "json");
    assertThat(r.exitCode()).as(r.toString()).isZero();
    Map<String, JsonNode> byName = new HashMap<>();
    for (JsonNode item : JSON.readTree(r.stdout()).path("items")) {
      byName.put(item.path("metadata").path("name").asText(), item);
    }
    return byName;
  }

  @Test
  void applyingFiveKindsOfServiceAllocatesWhatEachNeeds() throws Exception {
    CliResult applied = cli.exec("apply", "-f", file("five.yaml", FIVE_SERVICES).toString());

    assertThat(applied.exitCode()).as(applied.toString()).isZero();
    assertThat(applied.stdout().lines())
        .containsExactly(
            "service/web created",
            "service/web-nodeport created",
            "service/web-lb created",
            "service/db created",
            "service/legacy created");

    Map<String, JsonNode> svc = servicesByName();
    assertThat(svc).containsKeys("web", "web-nodeport", "web-lb", "db", "legacy");
    String webIp = svc.get("web").path("spec").path("clusterIP").asText();
    assertThat(Cidrs.contains(SERVICE_CIDR, webIp)).as(webIp).isTrue();
    int nodePort =
        svc.get("web-nodeport").path("spec").path("ports").get(0).path("nodePort").asInt();
    assertThat(nodePort).isBetween(30000, 32767);
    String ingress =
        svc.get("web-lb")
            .path("status")
            .path("loadBalancer")
            .path("ingress")
            .get(0)
            .path("ip")
            .asText();
    assertThat(Cidrs.contains(LB_POOL, ingress)).as(ingress).isTrue();
    assertThat(svc.get("db").path("spec").path("clusterIP").asText()).isEqualTo("None");
    assertThat(svc.get("legacy").path("spec").path("externalName").asText())
        .isEqualTo("db.example.com");
    assertThat(svc.get("legacy").path("spec").path("type").asText()).isEqualTo("ExternalName");

    CliResult again = cli.exec("apply", "-f", dir.resolve("five.yaml").toString());
    assertThat(again.exitCode()).as(again.toString()).isZero();
    assertThat(again.stdout().lines()).allMatch(l -> l.endsWith(" unchanged")).hasSize(5);

    String taken =
        """
        apiVersion: v1
        kind: Service
        metadata:
          name: web-nodeport-2
        spec:
          type: NodePort
          selector: {app: web}
          ports:
          - name: http
            port: 80
            nodePort: %d
        """
            .formatted(nodePort);
    CliResult conflict = cli.exec("apply", "-f", file("taken.yaml", taken).toString());
    assertThat(conflict.exitCode()).as(conflict.toString()).isEqualTo(1);
    assertThat(conflict.stderr()).contains("error: ").contains("spec.ports[0].nodePort");

    CliResult table = cli.exec("get", "svc");
    assertThat(table.stdout().lines().findFirst().orElseThrow())
        .matches("NAME +TYPE +CLUSTER-IP +EXTERNAL-IP +PORT\\(S\\) +AGE");
    assertThat(table.stdout())
        .contains("80:" + nodePort + "/TCP")
        .contains(ingress)
        .contains("db.example.com");
  }

  @Test
  void aLocallyInvalidDocumentIsReportedByFieldAndTheOthersAreStillApplied() throws Exception {
    String manifest =
        """
        apiVersion: v1
        kind: Service
        metadata: {name: bad-port}
        spec:
          ports: [{name: http, port: 70000}]
        ---
        apiVersion: v1
        kind: Service
        metadata: {name: good-one}
        spec:
          selector: {app: good}
          ports: [{name: http, port: 80}]
        """;

    CliResult r = cli.exec("apply", "-f", file("mixed.yaml", manifest).toString());

    assertThat(r.exitCode()).as(r.toString()).isEqualTo(1);
    assertThat(r.stderr()).contains("service/bad-port").contains("  spec.ports[0].port: ");
    assertThat(r.stdout()).contains("service/good-one created");
  }

  @Test
  void applyReadsStandardInputAndReportsAChangeAsConfigured() {
    String v1 =
        "{\"apiVersion\":\"v1\",\"kind\":\"Service\",\"metadata\":{\"name\":\"stdin-svc\"},"
            + "\"spec\":{\"selector\":{\"app\":\"s\"},\"ports\":[{\"name\":\"http\",\"port\":80}]}}";

    CliResult created = cli.execWithInput(v1, "apply", "-f", "-");
    CliResult configured = cli.execWithInput(v1.replace("80", "81"), "apply", "-f", "-");

    assertThat(created.stdout()).as(created.toString()).isEqualTo("service/stdin-svc created\n");
    assertThat(configured.stdout())
        .as(configured.toString())
        .isEqualTo("service/stdin-svc configured\n");
  }

  @Test
  void aFileThatIsNotAManifestIsAnErrorNamingWhere() throws Exception {
    CliResult r =
        cli.exec("apply", "-f", file("broken.yaml", "kind: Service\nspec: [unclosed\n").toString());

    assertThat(r.exitCode()).as(r.toString()).isEqualTo(1);
    assertThat(r.stderr()).startsWith("error: ").contains("broken.yaml");
  }
}
