package io.meridian.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.meridian.testkit.MeridianProcess;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * The README's first command: the {@code ./meridian} launcher at the repository root finds a JDK,
 * runs the jar this build made (it is not stale, so no rebuild), and {@code dev} answers {@code
 * /readyz} with 200, with ClusterIPs from the loopback dev range, and its DNS server answers dig
 * with a new service's ClusterIP.
 */
class LauncherIT {

  private static final Path LAUNCHER = Path.of("..", "meridian").toAbsolutePath().normalize();

  @Test
  void meridianDevThroughTheLauncherIsReadyAndUsesTheLoopbackServiceRange() throws Exception {
    assertThat(Files.isExecutable(LAUNCHER)).as(LAUNCHER + " is executable").isTrue();
    Path data = Files.createTempDirectory("meridian-dev-");
    try (MeridianProcess dev =
            MeridianProcess.startLauncher(
                LAUNCHER,
                "dev",
                "--port",
                "0",
                "--dns-port",
                "0",
                "--admin-port",
                "0",
                "--data-dir",
                data.toString());
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build()) {
      HttpResponse<String> ready =
          http.send(
              HttpRequest.newBuilder(dev.uri().resolve("/readyz"))
                  .timeout(Duration.ofSeconds(10))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(ready.statusCode()).isEqualTo(200);

      HttpResponse<String> created =
          http.send(
              HttpRequest.newBuilder(dev.uri().resolve("/api/v1/namespaces/default/services/web"))
                  .header("Content-Type", "application/json")
                  .PUT(
                      HttpRequest.BodyPublishers.ofString(
                          "{\"metadata\":{\"name\":\"web\"},\"spec\":{\"ports\":[{\"port\":80}]}}"))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(created.statusCode()).isEqualTo(201);
      assertThat(created.body()).contains("\"clusterIP\":\"127.96.");
      String clusterIp = created.body().replaceAll(".*\"clusterIP\":\"([0-9.]+)\".*", "$1");

      // ... and its DNS answers for it, as dig sees it
      String dnsLine =
          dev.awaitLine(l -> l.startsWith("meridian: dns listening on "), Duration.ofSeconds(30));
      String dnsPort = dnsLine.replaceAll("^meridian: dns listening on [0-9.]+:(\\d+).*$", "$1");
      String answer = "";
      for (int i = 0; i < 50 && !answer.equals(clusterIp); i++) {
        Process dig =
            new ProcessBuilder(
                    "dig",
                    "@127.0.0.1",
                    "-p",
                    dnsPort,
                    "+short",
                    "+tries=1",
                    "+time=2",
                    "web.default.svc.cluster.local")
                .redirectErrorStream(true)
                .start();
        answer =
            new String(dig.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8)
                .strip();
        dig.waitFor();
        if (!answer.equals(clusterIp)) {
          Thread.sleep(100);
        }
      }
      assertThat(answer)
          .as("dig web.default.svc.cluster.local via meridian dev")
          .isEqualTo(clusterIp);
      assertThat(dev.stderr()).doesNotContain("building meridian");
    } finally {
      io.meridian.testkit.TempFiles.deleteTree(data);
    }
  }
}
