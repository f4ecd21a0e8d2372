package io.meridian.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.meridian.testkit.CliResult;
import io.meridian.testkit.CliRunner;
import io.meridian.testkit.MeridianProcess;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** {@code meridian server} as a real process. */
class ServerIT {

  private static int status(URI uri) throws Exception {
    try (HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build()) {
      return http.send(
              HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10)).build(),
              HttpResponse.BodyHandlers.discarding())
          .statusCode();
    }
  }

  @Test
  void aServerOnPortZeroPrintsItsRealAddressFirstAndIsReady() throws Exception {
    try (MeridianProcess server = MeridianProcess.startServer()) {
      assertThat(server.stdout().lines().findFirst().orElseThrow())
          .matches("meridian: registry listening on http://127\\.0\\.0\\.1:[1-9][0-9]*");
      assertThat(server.uri().getPort()).isPositive();

      assertThat(status(server.uri().resolve("/readyz"))).isEqualTo(200);
      assertThat(status(server.uri().resolve("/healthz"))).isEqualTo(200);
    }
  }

  @Test
  void sigtermStopsItCleanly() {
    try (MeridianProcess server = MeridianProcess.startServer()) {
      server.stop();

      assertThat(server.isAlive()).isFalse();
      assertThat(server.stderr()).contains("meridian: stopped");
    }
  }

  @Test
  void aSecondServerOnTheSamePortFailsWithExitOneSayingWhy() {
    try (MeridianProcess server = MeridianProcess.startServer()) {
      int port = server.uri().getPort();

      CliResult second =
          CliRunner.run(
              "server",
              "--port",
              String.valueOf(port),
              "--data-dir",
              server.directory().resolve("second").toString());

      assertThat(second.exitCode()).as(second.toString()).isEqualTo(1);
      assertThat(second.stderr()).contains("127.0.0.1:" + port).contains("address already in use");
    }
  }
}
