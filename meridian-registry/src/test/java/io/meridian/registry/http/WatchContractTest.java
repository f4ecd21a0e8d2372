package io.meridian.registry.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.meridian.registry.RegistryConfig;
import io.meridian.registry.RegistryServer;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The list-watch contract: exactly the later changes, in order, across restarts; 410 when
 * compacted.
 */
class WatchContractTest {

  @TempDir Path dir;
  RegistryServer server;
  Api api;

  static final String SVCS = "/api/v1/namespaces/default/services";

  RegistryServer start(int port, int historyLimit) throws Exception {
    RegistryServer s =
        RegistryServer.create(
            RegistryConfig.builder(dir)
                .port(port)
                .historyLimit(historyLimit)
                .bookmarkInterval(Duration.ofMillis(300))
                .build());
    s.start().get();
    api = new Api(s.uri());
    return s;
  }

  @AfterEach
  void stop() {
    if (server != null) {
      server.close();
    }
  }

  /** A watch stream read on its own thread into a queue of parsed lines. */
  final class Stream implements AutoCloseable {
    final BlockingQueue<JsonNode> lines = new ArrayBlockingQueue<>(10_000);
    final InputStream body;
    final int status;

    Stream(String query) throws Exception {
      HttpResponse<InputStream> r =
          api.client()
              .send(
                  HttpRequest.newBuilder(api.base().resolve(SVCS + query)).build(),
                  HttpResponse.BodyHandlers.ofInputStream());
      status = r.statusCode();
      body = r.body();
      Thread.ofVirtual()
          .start(
              () -> {
                try (var in =
                    new BufferedReader(new InputStreamReader(body, StandardCharsets.UTF_8))) {
                  for (String l; (l = in.readLine()) != null; ) {
                    lines.add(Api.JSON.readTree(l));
                  }
                } catch (Exception e) {
                  // stream ended
                }
              });
    }

    /** The next n non-bookmark events. */
    List<JsonNode> next(int n) throws InterruptedException {
      List<JsonNode> out = new ArrayList<>();
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while (out.size() < n && System.nanoTime() < deadline) {
        JsonNode e = lines.poll(100, TimeUnit.MILLISECONDS);
        if (e != null && !e.get("type").asText().equals("BOOKMARK")) {
          out.add(e);
        }
      }
      return out;
    }

    @Override
    public void close() throws Exception {
      body.close();
    }
  }

  private String rv(Api.Answer a) {
    return a.json().at("/metadata/resourceVersion").asText();
  }

  @Test
  void aWatchFromAListsRevisionGetsExactlyTheLaterChangesInOrderAcrossARestart() throws Exception {
    server = start(0, 100_000);
    api.put(SVCS + "/before", Api.service("before", "{\"ports\":[{\"port\":80}]}"));
    String listRv = rv(api.get(SVCS));

    List<String> expected = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      api.put(SVCS + "/s" + i, Api.service("s" + i, "{\"ports\":[{\"port\":80}]}"));
      expected.add("ADDED s" + i);
    }
    api.put(SVCS + "/s3", Api.service("s3", "{\"ports\":[{\"port\":81}]}"));
    expected.add("MODIFIED s3");
    api.delete(SVCS + "/s4");
    expected.add("DELETED s4");

    int port = server.address().getPort();
    server.close();
    server = start(port, 100_000);
    for (int i = 20; i < 25; i++) {
      api.put(SVCS + "/s" + i, Api.service("s" + i, "{\"ports\":[{\"port\":80}]}"));
      expected.add("ADDED s" + i);
    }

    try (Stream w = new Stream("?watch=true&resourceVersion=" + listRv)) {
      assertThat(w.status).isEqualTo(200);
      List<JsonNode> events = w.next(expected.size() + 1);
      List<String> got =
          events.stream()
              .map(e -> e.get("type").asText() + " " + e.at("/object/metadata/name").asText())
              .toList();
      assertThat(got).containsExactlyElementsOf(expected);
      long last = 0;
      for (JsonNode e : events) {
        long rv = Long.parseLong(e.at("/object/metadata/resourceVersion").asText());
        assertThat(rv).isGreaterThan(last);
        last = rv;
      }
    }
  }

  @Test
  void aLiveWatchSeesChangesAndBookmarks() throws Exception {
    server = start(0, 100_000);
    try (Stream w = new Stream("?watch=true")) {
      api.put(SVCS + "/a", Api.service("a", "{\"ports\":[{\"port\":80}]}"));
      assertThat(w.next(1)).extracting(e -> e.get("type").asText()).containsExactly("ADDED");
      JsonNode bm = null;
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
      while (bm == null && System.nanoTime() < deadline) {
        JsonNode e = w.lines.poll(100, TimeUnit.MILLISECONDS);
        if (e != null && e.get("type").asText().equals("BOOKMARK")) {
          bm = e;
        }
      }
      assertThat(bm).isNotNull();
      assertThat(Long.parseLong(bm.at("/object/metadata/resourceVersion").asText())).isPositive();
    }
  }

  @Test
  void aCompactedRevisionAnswers410() throws Exception {
    server = start(0, 10);
    String listRv = rv(api.get(SVCS));
    for (int i = 0; i < 30; i++) {
      api.put(SVCS + "/s" + i, Api.service("s" + i, "{\"ports\":[{\"port\":80}]}"));
    }
    var gone = api.get(SVCS + "?watch=true&resourceVersion=" + listRv);
    assertThat(gone.status()).isEqualTo(410);
    assertThat(gone.json().get("reason").asText()).isEqualTo("Gone");
  }
}
