package io.meridian.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.meridian.registry.RegistryConfig;
import io.meridian.registry.RegistryServer;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import picocli.CommandLine;

/**
 * The registry's bad-input table through {@code meridian apply -f}: every malformed manifest prints
 * an error naming the problem and exits 1; the registry keeps what it had.
 */
class ApplyBadInputTest {

  @TempDir static Path dir;
  static RegistryServer server;

  @BeforeAll
  static void start() throws Exception {
    server =
        RegistryServer.create(
            RegistryConfig.builder(dir.resolve("data")).port(0).fsync(false).build());
    server.start().get();
    assertThat(apply(svc("keep", "{type: NodePort, ports: [{port: 80, nodePort: 30001}]}")).code)
        .isZero();
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  private record Run(int code, String err) {}

  private static Run apply(String manifest) throws Exception {
    Path file = Files.createTempFile(dir, "m", ".yaml");
    Files.writeString(file, manifest);
    CommandLine cmd = Main.commandLine();
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    cmd.setOut(new PrintWriter(out, true));
    cmd.setErr(new PrintWriter(err, true));
    int code = cmd.execute("apply", "-f", file.toString(), "--registry", server.uri().toString());
    return new Run(code, err.toString());
  }

  static String svc(String name, String spec) {
    return "apiVersion: v1\nkind: Service\nmetadata: {name: " + name + "}\nspec: " + spec + "\n";
  }

  static String inst(String name, String spec) {
    return "apiVersion: meridian.io/v1\nkind: Instance\nmetadata: {name: "
        + name
        + ", labels: {app: web}}\nspec: "
        + spec
        + "\n";
  }

  static Stream<Arguments> manifests() {
    return Stream.of(
        Arguments.of("{", "line"),
        Arguments.of("{\"kind\":\"Service\",\"metadata\":{\"name\":\"bad\"},\"spec\":", "line"),
        Arguments.of("kind: Service\nmetadata:\n\tname: bad\n", "line"),
        Arguments.of(svc("bad", "{ports: [{port: \"80\"}]}"), "spec.ports[0].port"),
        Arguments.of(svc("bad", "{ports: [{port: 80.5}]}"), "spec.ports[0].port"),
        Arguments.of(svc("bad", "{ports: [{port: 70000}]}"), "spec.ports[0].port"),
        Arguments.of(svc("bad", "{ports: [{port: 0}]}"), "spec.ports[0].port"),
        Arguments.of(svc("bad", "{ports: []}"), "spec.ports"),
        Arguments.of(
            svc("bad", "{ports: [{name: a, port: 80}, {name: a, port: 81}]}"),
            "spec.ports[1].name"),
        Arguments.of(
            svc("bad", "{ports: [{name: a, port: 80}, {name: b, port: 80}]}"),
            "spec.ports[1].port"),
        Arguments.of(svc("bad", "{ports: [{port: 80}, {port: 81}]}"), "spec.ports[1].name"),
        Arguments.of(
            svc("bad", "{ports: [{port: 80, protocol: SCTP2}]}"), "spec.ports[0].protocol"),
        Arguments.of(svc("bad", "{type: Clusterip, ports: [{port: 80}]}"), "spec.type"),
        Arguments.of(svc("bad", "{selecter: {}, ports: [{port: 80}]}"), "selecter"),
        Arguments.of(svc("bad", "{ports: [{port: 80}]}") + "extra: 1\n", "extra"),
        Arguments.of("apiVersion: v1\nkind: Pod\nmetadata: {name: bad}\n", "Pod"),
        Arguments.of(
            "apiVersion: v9\nkind: Service\nmetadata: {name: bad}\nspec: {ports: [{port: 80}]}\n",
            "apiVersion"),
        Arguments.of("metadata: {name: bad}\nspec: {ports: [{port: 80}]}\n", "kind"),
        Arguments.of(svc("Bad", "{ports: [{port: 80}]}"), "metadata.name"),
        Arguments.of(svc("-web", "{ports: [{port: 80}]}"), "metadata.name"),
        Arguments.of(svc("a_b", "{ports: [{port: 80}]}"), "metadata.name"),
        Arguments.of(svc("a".repeat(64), "{ports: [{port: 80}]}"), "metadata.name"),
        Arguments.of(svc("bad", "{clusterIP: 10.0.0.300, ports: [{port: 80}]}"), "spec.clusterIP"),
        Arguments.of(svc("bad", "{clusterIP: 192.168.1.1, ports: [{port: 80}]}"), "spec.clusterIP"),
        Arguments.of(
            svc("bad", "{ports: [{port: 80, nodePort: 30001}]}"), "spec.ports[0].nodePort"),
        Arguments.of(
            svc("bad", "{type: NodePort, ports: [{port: 80, nodePort: 30001}]}"),
            "spec.ports[0].nodePort"),
        Arguments.of(svc("bad", "{type: ExternalName}"), "spec.externalName"),
        Arguments.of(
            svc("bad", "{type: NodePort, clusterIP: None, ports: [{port: 80}]}"), "spec.clusterIP"),
        Arguments.of(inst("i", "{address: example.com, ports: {http: 80}}"), "spec.address"),
        Arguments.of(inst("i", "{address: 127.0.0.1, ports: {http: 70000}}"), "spec.ports"),
        Arguments.of(
            inst("i", "{address: 127.0.0.1, ports: {http: 80}, weight: 0}"), "spec.weight"),
        Arguments.of(
            inst("i", "{address: 127.0.0.1, ports: {http: 80}, weight: 1001}"), "spec.weight"),
        Arguments.of(inst("i", "{address: 127.0.0.1, ports: {http: 80}, ttl: 5 s}"), "spec.ttl"),
        Arguments.of(inst("i", "{address: 127.0.0.1, ports: {http: 80}, ttl: 0s}"), "spec.ttl"),
        Arguments.of(
            "apiVersion: meridian.io/v1\nkind: Instance\nmetadata: {name: i, labels: {app: we b}}\n"
                + "spec: {address: 127.0.0.1, ports: {http: 80}}\n",
            "metadata.labels"));
  }

  @ParameterizedTest(name = "[{index}] mentions {1}")
  @MethodSource("manifests")
  void aMalformedManifestPrintsTheErrorAndExitsOne(String manifest, String mentions)
      throws Exception {
    Run r = apply(manifest);
    assertThat(r.code).as(r.err).isEqualTo(1);
    assertThat(r.err).startsWith("error").contains(mentions).doesNotContain("Exception");
    // the registry still has exactly what it had
    Run keep = apply(svc("keep", "{type: NodePort, ports: [{port: 80, nodePort: 30001}]}"));
    assertThat(keep.code).as(keep.err).isZero();
  }
}
