package io.meridian.registry.durability;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.meridian.registry.RegistryConfig;
import io.meridian.registry.RegistryServer;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A registry whose log was truncated or bit-flipped still starts and keeps what lay before the
 * damage: the services it serves are always a prefix of the ones created, in order.
 */
class DamagedLogTest {

  private static final int SERVICES = 40;

  @TempDir Path root;
  private final ObjectMapper json = new ObjectMapper();
  private final HttpClient http = HttpClient.newHttpClient();

  @Test
  void truncatedOrBitFlippedLogsNeverStopTheRegistryFromStarting() throws Exception {
    Path pristine = root.resolve("pristine");
    RegistryServer s = RegistryServer.create(RegistryConfig.builder(pristine).port(0).build());
    s.start().get();
    for (int i = 0; i < SERVICES; i++) {
      HttpResponse<String> r =
          http.send(
              HttpRequest.newBuilder(s.uri().resolve("/api/v1/namespaces/default/services/s" + i))
                  .header("Content-Type", "application/json")
                  .PUT(
                      HttpRequest.BodyPublishers.ofString(
                          "{\"metadata\":{\"name\":\"s"
                              + i
                              + "\"},\"spec\":{\"ports\":[{\"port\":80}]}}"))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(r.statusCode()).isEqualTo(201);
    }
    s.close();

    Random random = new Random(7);
    int roundsThatLostWrites = 0;
    int roundsReportingDamage = 0;
    for (int round = 0; round < 12; round++) {
      Path dir = root.resolve("round-" + round);
      copyTree(pristine, dir);
      Path wal = newestWal(dir);
      long size = Files.size(wal);
      String damage;
      if (round % 2 == 0) {
        long cut = random.nextLong(size);
        try (FileChannel ch = FileChannel.open(wal, StandardOpenOption.WRITE)) {
          ch.truncate(cut);
        }
        damage = "truncated at " + cut + " of " + size;
      } else {
        byte[] bytes = Files.readAllBytes(wal);
        int tail = (int) Math.min(1024, size);
        for (int flips = 0; flips < 3; flips++) {
          int at = bytes.length - 1 - random.nextInt(tail);
          bytes[at] ^= (byte) (1 << random.nextInt(8));
        }
        Files.write(wal, bytes);
        damage = "bits flipped in the last " + tail + " bytes";
      }

      RegistryServer damaged = RegistryServer.create(RegistryConfig.builder(dir).port(0).build());
      try {
        damaged.start().get();
        HttpResponse<String> ready =
            http.send(
                HttpRequest.newBuilder(damaged.uri().resolve("/readyz")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(ready.statusCode()).as(damage).isEqualTo(200);
        List<Integer> present = new ArrayList<>();
        JsonNode items =
            json.readTree(
                    http.send(
                            HttpRequest.newBuilder(
                                    damaged.uri().resolve("/api/v1/namespaces/default/services"))
                                .build(),
                            HttpResponse.BodyHandlers.ofString())
                        .body())
                .get("items");
        for (JsonNode item : items) {
          present.add(Integer.parseInt(item.at("/metadata/name").asText().substring(1)));
        }
        present.sort(Comparator.naturalOrder());
        if (present.size() < SERVICES) {
          roundsThatLostWrites++;
        }
        if (damaged.store().recovery().flatMap(r -> r.damage()).isPresent()) {
          roundsReportingDamage++;
        }
        for (int i = 0; i < present.size(); i++) {
          assertThat(present.get(i)).as(damage + ": services kept must be a prefix").isEqualTo(i);
        }
      } finally {
        damaged.close();
      }
    }
    // the damage really hit records, and recovery said so
    assertThat(roundsThatLostWrites).isPositive();
    assertThat(roundsReportingDamage).isPositive();
  }

  private static Path newestWal(Path dataDir) throws Exception {
    try (Stream<Path> files = Files.list(dataDir.resolve("wal"))) {
      return files
          .filter(p -> p.toString().endsWith(".wal"))
          .max(Comparator.naturalOrder())
          .orElseThrow();
    }
  }

  private static void copyTree(Path from, Path to) throws Exception {
    try (Stream<Path> paths = Files.walk(from)) {
      for (Path p : (Iterable<Path>) paths::iterator) {
        Path target = to.resolve(from.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(target);
        } else if (!p.getFileName().toString().equals("LOCK")) {
          Files.copy(p, target);
        }
      }
    }
  }
}
