package io.meridian.registry.durability;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Durability: the registry is killed with SIGKILL in the middle of 1,000 concurrent registrations,
 * 20 times over one data dir; after every restart each registration it had acknowledged is there.
 */
class KillDuringRegistrationTest {

  private static final int ROUNDS = 20;
  private static final int REGISTRATIONS = 1_000;
  private static final int IN_FLIGHT = 64;

  @TempDir Path dir;
  private final ObjectMapper json = new ObjectMapper();
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  private record Started(Process process, URI uri) {}

  private Started start() throws Exception {
    String java = ProcessHandle.current().info().command().orElse("java");
    Process p =
        new ProcessBuilder(
                java,
                "--enable-native-access=ALL-UNNAMED",
                "-Xmx256m",
                "-cp",
                System.getProperty("java.class.path"),
                RegistryProcess.class.getName(),
                dir.toString(),
                "0")
            .redirectErrorStream(true)
            .start();
    BufferedReader out =
        new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    List<String> seen = new ArrayList<>();
    while (System.nanoTime() < deadline) {
      String line = out.readLine();
      if (line == null) {
        break;
      }
      seen.add(line);
      if (line.startsWith("listening ")) {
        int port = Integer.parseInt(line.substring("listening ".length()).trim());
        Thread.ofVirtual().start(() -> out.lines().forEach(l -> {}));
        return new Started(p, URI.create("http://127.0.0.1:" + port));
      }
    }
    p.destroyForcibly().waitFor();
    throw new AssertionError("registry did not start: " + String.join("\n", seen));
  }

  @Test
  void everyAcknowledgedRegistrationSurvivesSigkill() throws Exception {
    Random random = new Random(42);
    Set<String> acknowledged = ConcurrentHashMap.newKeySet();
    Started s = null;
    try {
      for (int round = 0; round < ROUNDS; round++) {
        s = start();
        // what was acknowledged before the last kill is all there
        Set<String> present = names(s.uri());
        assertThat(present).as("round %d", round).containsAll(acknowledged);

        URI uri = s.uri();
        int r = round;
        Semaphore window = new Semaphore(IN_FLIGHT);
        List<CompletableFuture<?>> calls = new ArrayList<>();
        long killAfter = 150 + random.nextInt(600);
        long t0 = System.nanoTime();
        for (int i = 0; i < REGISTRATIONS; i++) {
          if (System.nanoTime() - t0 > TimeUnit.MILLISECONDS.toNanos(killAfter)) {
            break;
          }
          if (!window.tryAcquire(2, TimeUnit.SECONDS)) {
            break;
          }
          String name = "r" + r + "-" + i;
          calls.add(
              register(uri, name)
                  .whenComplete(
                      (ok, e) -> {
                        window.release();
                        if (e == null && ok) {
                          acknowledged.add(name);
                        }
                      }));
        }
        s.process().destroyForcibly();
        s.process().waitFor(10, TimeUnit.SECONDS);
        CompletableFuture.allOf(calls.toArray(CompletableFuture[]::new))
            .exceptionally(e -> null)
            .get(30, TimeUnit.SECONDS);
        s = null;
      }
      s = start();
      assertThat(names(s.uri())).containsAll(acknowledged);
      assertThat(acknowledged).hasSizeGreaterThan(ROUNDS * 10);
    } finally {
      if (s != null) {
        s.process().destroyForcibly().waitFor();
      }
    }
  }

  private CompletableFuture<Boolean> register(URI base, String name) {
    String body =
        "{\"metadata\":{\"name\":\""
            + name
            + "\",\"labels\":{\"app\":\"load\"}},"
            + "\"spec\":{\"address\":\"127.0.0.1\",\"ports\":{\"http\":8080}}}";
    HttpRequest req =
        HttpRequest.newBuilder(base.resolve("/api/v1/namespaces/default/instances/" + name))
            .header("Content-Type", "application/json")
            .timeout(Duration.ofSeconds(10))
            .PUT(HttpRequest.BodyPublishers.ofString(body))
            .build();
    return http.sendAsync(req, HttpResponse.BodyHandlers.ofString())
        .thenApply(r -> r.statusCode() == 201 || r.statusCode() == 200);
  }

  private Set<String> names(URI base) throws Exception {
    HttpResponse<String> r =
        http.send(
            HttpRequest.newBuilder(base.resolve("/api/v1/namespaces/default/instances")).build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).isEqualTo(200);
    Set<String> out = new HashSet<>();
    for (JsonNode item : json.readTree(r.body()).get("items")) {
      out.add(item.at("/metadata/name").asText());
    }
    return out;
  }
}
