package io.meridian.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.meridian.testkit.CliResult;
import io.meridian.testkit.CliRunner;
import io.meridian.testkit.MeridianProcess;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** {@code register}, {@code deregister} and the endpoints they produce, against a real server. */
class RegisterIT {

  static MeridianProcess server;
  static CliRunner cli;
  static final ObjectMapper JSON = new ObjectMapper();

  @BeforeAll
  static void startServer() {
    server = MeridianProcess.startServer();
    cli = CliRunner.against(server.uri());
  }

  @AfterAll
  static void stopServer() {
    if (server != null) {
      server.close();
    }
  }

  private static JsonNode json(CliResult r) throws Exception {
    assertThat(r.exitCode()).as(r.toString()).isZero();
    return JSON.readTree(r.stdout());
  }

  /** Endpoints are derived by a controller, so they may trail the write by a moment. */
  private static JsonNode awaitEndpoints(String service, int count) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    JsonNode ep;
    do {
      CliResult r = cli.exec("get", "endpoints", service, "-o", "json");
      ep = r.exitCode() == 0 ? JSON.readTree(r.stdout()) : JSON.createObjectNode();
      if (ep.path("endpoints").size() == count) {
        return ep;
      }
      Thread.sleep(200);
    } while (System.nanoTime() < deadline);
    return ep;
  }

  @Test
  void registerCreatesTheServiceAndAnInstanceThatBecomesItsEndpoint() throws Exception {
    CliResult r = cli.exec("register", "web", "127.0.0.1:9001");

    assertThat(r.exitCode()).as(r.toString()).isZero();
    assertThat(r.stdout())
        .contains("service/web created")
        .contains("instance/web-127-0-0-1-9001 created");

    JsonNode svc = json(cli.exec("get", "svc", "web", "-o", "json"));
    assertThat(svc.path("spec").path("selector").path("app").asText()).isEqualTo("web");
    assertThat(svc.path("spec").path("ports").get(0).path("name").asText()).isEqualTo("http");
    assertThat(svc.path("spec").path("ports").get(0).path("port").asInt()).isEqualTo(9001);

    JsonNode ep = awaitEndpoints("web", 1);
    assertThat(ep.path("endpoints")).hasSize(1);
    JsonNode one = ep.path("endpoints").get(0);
    assertThat(one.path("address").asText()).isEqualTo("127.0.0.1");
    assertThat(one.path("ports").get(0).path("port").asInt()).isEqualTo(9001);

    CliResult table = cli.exec("get", "endpoints", "web");
    assertThat(table.stdout()).contains("127.0.0.1:9001");

    CliResult gone = cli.exec("deregister", "web", "127.0.0.1:9001");
    assertThat(gone.exitCode()).as(gone.toString()).isZero();
    assertThat(gone.stdout()).contains("instance \"web-127-0-0-1-9001\" deleted");
    assertThat(awaitEndpoints("web", 0).path("endpoints")).isEmpty();
  }

  @Test
  void aSecondInstanceOnAnotherPortJoinsTheSameServiceByPortName() throws Exception {
    assertThat(cli.exec("register", "api", "127.0.0.1:9101").exitCode()).isZero();
    CliResult second =
        cli.exec(
            "register",
            "api",
            "127.0.0.1:9102",
            "--weight",
            "3",
            "--zone",
            "b",
            "-l",
            "version=v2");

    assertThat(second.exitCode()).as(second.toString()).isZero();
    assertThat(second.stdout()).doesNotContain("service/api created");
    JsonNode ep = awaitEndpoints("api", 2);
    assertThat(ep.path("endpoints").findValuesAsText("address")).containsOnly("127.0.0.1");
    assertThat(ep.path("endpoints").findValues("port").stream().map(JsonNode::asInt))
        .containsExactlyInAnyOrder(9101, 9102);

    CliResult wide = cli.exec("get", "instances", "-l", "version=v2", "-o", "wide");
    assertThat(wide.stdout()).contains("api-127-0-0-1-9102").doesNotContain("api-127-0-0-1-9101");
  }

  @Test
  void anEphemeralRegistrationHeartbeatsUntilStoppedThenDeregisters() throws Exception {
    try (MeridianProcess reg =
        MeridianProcess.launch(
            "register",
            "cart",
            "127.0.0.1:9201",
            "--ttl",
            "3s",
            "--registry",
            server.uri().toString())) {
      reg.awaitOutput("sending a heartbeat every 1s", Duration.ofSeconds(30));
      JsonNode inst = json(cli.exec("get", "instance", "cart-127-0-0-1-9201", "-o", "json"));
      assertThat(inst.path("spec").path("ttl").asText()).isEqualTo("3s");

      Thread.sleep(4_000); // longer than the ttl: only heartbeats keep it
      assertThat(cli.exec("get", "instance", "cart-127-0-0-1-9201").exitCode()).isZero();

      reg.stop();
      assertThat(reg.stdout()).contains("instance/cart-127-0-0-1-9201 deregistered");
    }
    CliResult after = cli.exec("get", "instance", "cart-127-0-0-1-9201");
    assertThat(after.exitCode()).as(after.toString()).isEqualTo(1);
  }
}
