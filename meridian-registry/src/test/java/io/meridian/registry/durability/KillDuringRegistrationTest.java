package io.meridian.registry.durability;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
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
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Durability: the registry is killed with SIGKILL in the middle of 1,000 concurrent registrations,
 * 20 times over one data dir; after every restart each registration it had acknowledged is there.
 */
class KillDuringRegistrationTest {

  private static final int ROUNDS = 20;
  private static final int REGISTRATIONS = 1_000;

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
        // All 1,000 registrations are in flight at once, one virtual thread and one connection
        // each; the kill lands once a random share of them (5..80%) has been acknowledged, so it
        // always falls in the middle of the stream.
        AtomicInteger ackedThisRound = new AtomicInteger();
        int killAt = REGISTRATIONS / 20 + random.nextInt(REGISTRATIONS * 3 / 4);
        List<Thread> calls = new ArrayList<>();
        for (int i = 0; i < REGISTRATIONS; i++) {
          String name = "r" + r + "-" + i;
          calls.add(
              Thread.ofVirtual()
                  .start(
                      () -> {
                        if (register(uri, name)) {
                          acknowledged.add(name);
                          ackedThisRound.incrementAndGet();
                        }
                      }));
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (ackedThisRound.get() < killAt && System.nanoTime() < deadline) {
          Thread.sleep(1);
        }
        s.process().destroyForcibly();
        s.process().waitFor(10, TimeUnit.SECONDS);
        for (Thread t : calls) {
          t.join(TimeUnit.SECONDS.toMillis(30));
        }
        s = null;
      }
      s = start();
      assertThat(names(s.uri())).containsAll(acknowledged);
      assertThat(acknowledged).hasSizeGreaterThan(ROUNDS * REGISTRATIONS / 20);
    } finally {
      if (s != null) {
        s.process().destroyForcibly().waitFor();
      }
    }
  }

  /**
   * One registration over its own connection, blocking (on a virtual thread): true when the
   * registry acknowledged it with 201/200, false when the connection failed or was cut by the kill.
   */
  private static boolean register(URI base, String name) {
    String body =
        "{\"metadata\":{\"name\":\""
            + name
            + "\",\"labels\":{\"app\":\"load\"}},"
            + "\"spec\":{\"address\":\"127.0.0.1\",\"ports\":{\"http\":8080}}}";
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    String head =
        "PUT /api/v1/namespaces/default/instances/"
            + name
            + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
            + "Connection: close\r\nContent-Length: "
            + bytes.length
            + "\r\n\r\n";
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress(base.getHost(), base.getPort()), 10_000);
      socket.setSoTimeout(30_000);
      OutputStream out = socket.getOutputStream();
      out.write(head.getBytes(StandardCharsets.US_ASCII));
      out.write(bytes);
      out.flush();
      String status =
          new BufferedReader(
                  new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII))
              .readLine();
      return status != null
          && (status.startsWith("HTTP/1.1 201") || status.startsWith("HTTP/1.1 200"));
    } catch (IOException e) {
      return false;
    }
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
