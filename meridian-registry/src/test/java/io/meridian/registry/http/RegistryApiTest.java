package io.meridian.registry.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.meridian.registry.RegistryConfig;
import io.meridian.registry.RegistryServer;
import io.meridian.registry.alloc.Ranges;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The registry API over real sockets: allocation, CRUD, leases, graceful deletion, HTTP/2. */
class RegistryApiTest {

  @TempDir Path dir;
  RegistryServer server;
  Api api;

  @BeforeEach
  void start() throws Exception {
    server = start(0);
  }

  private RegistryServer start(int port) throws Exception {
    RegistryServer s =
        RegistryServer.create(
            RegistryConfig.builder(dir)
                .port(port)
                .lbPool("127.97.0.0/24")
                .bookmarkInterval(Duration.ofMillis(200))
                .build());
    s.start().get();
    api = new Api(s.uri());
    return s;
  }

  private void restart() throws Exception {
    int port = server.address().getPort();
    server.close();
    server = start(port);
  }

  @AfterEach
  void stop() {
    if (server != null) {
      server.close();
    }
  }

  static final String SVC = "/api/v1/namespaces/default/services/";
  static final String INST = "/api/v1/namespaces/default/instances/";

  @Test
  void eachServiceTypeGetsItsAllocations() {
    var c =
        api.put(
            SVC + "a",
            Api.service("a", "{\"selector\":{\"app\":\"a\"},\"ports\":[{\"port\":80}]}"));
    assertThat(c.status()).isEqualTo(201);
    String ip = c.json().at("/spec/clusterIP").asText();
    assertThat(Ranges.ipv4("10.96.0.0/16").offsetOf(ip)).isNotNegative();

    var n =
        api.put(
            SVC + "n",
            Api.service(
                "n",
                "{\"type\":\"NodePort\",\"selector\":{\"app\":\"n\"},\"ports\":[{\"port\":80}]}"));
    assertThat(n.status()).isEqualTo(201);
    assertThat(n.json().at("/spec/ports/0/nodePort").asInt()).isBetween(30000, 32767);

    var lb =
        api.put(
            SVC + "lb",
            Api.service(
                "lb",
                "{\"type\":\"LoadBalancer\",\"selector\":{\"app\":\"l\"},\"ports\":[{\"port\":443}]}"));
    assertThat(lb.status()).isEqualTo(201);
    assertThat(lb.json().at("/status/loadBalancer/ingress/0/ip").asText()).startsWith("127.97.0.");
    assertThat(lb.json().at("/spec/ports/0/nodePort").asInt()).isBetween(30000, 32767);

    var h =
        api.put(
            SVC + "h",
            Api.service(
                "h",
                "{\"clusterIP\":\"None\",\"selector\":{\"app\":\"h\"},\"ports\":[{\"port\":80}]}"));
    assertThat(h.json().at("/spec/clusterIP").asText()).isEqualTo("None");

    var x =
        api.put(
            SVC + "x",
            Api.service("x", "{\"type\":\"ExternalName\",\"externalName\":\"db.example.com\"}"));
    assertThat(x.status()).isEqualTo(201);
    assertThat(x.json().at("/spec/externalName").asText()).isEqualTo("db.example.com");
    assertThat(x.json().at("/spec/clusterIP").isMissingNode()).isTrue();
  }

  @Test
  void aRequestedNodePortIsHonouredAndADuplicateIsRefusedNamingTheField() throws Exception {
    var a =
        api.put(
            SVC + "a",
            Api.service(
                "a", "{\"type\":\"NodePort\",\"ports\":[{\"port\":80,\"nodePort\":30080}]}"));
    assertThat(a.status()).isEqualTo(201);
    assertThat(a.json().at("/spec/ports/0/nodePort").asInt()).isEqualTo(30080);

    var b =
        api.put(
            SVC + "b",
            Api.service(
                "b", "{\"type\":\"NodePort\",\"ports\":[{\"port\":81,\"nodePort\":30080}]}"));
    assertThat(b.status()).isEqualTo(422);
    assertThat(b.json().at("/details/0/field").asText()).isEqualTo("spec.ports[0].nodePort");

    var outOfRange =
        api.put(
            SVC + "c",
            Api.service(
                "c", "{\"type\":\"NodePort\",\"ports\":[{\"port\":81,\"nodePort\":20000}]}"));
    assertThat(outOfRange.status()).isEqualTo(422);
    assertThat(outOfRange.json().at("/details/0/field").asText())
        .isEqualTo("spec.ports[0].nodePort");

    // claims survive a restart, and deleting the owner releases them
    restart();
    assertThat(
            api.put(
                    SVC + "b",
                    Api.service(
                        "b",
                        "{\"type\":\"NodePort\",\"ports\":[{\"port\":81,\"nodePort\":30080}]}"))
                .status())
        .isEqualTo(422);
    assertThat(api.delete(SVC + "a").status()).isEqualTo(200);
    assertThat(
            api.put(
                    SVC + "b",
                    Api.service(
                        "b",
                        "{\"type\":\"NodePort\",\"ports\":[{\"port\":81,\"nodePort\":30080}]}"))
                .status())
        .isEqualTo(201);
  }

  @Test
  void clusterIPIsKeptOnUpdateAndImmutable() {
    var a = api.put(SVC + "a", Api.service("a", "{\"ports\":[{\"port\":80}]}"));
    String ip = a.json().at("/spec/clusterIP").asText();
    var again = api.put(SVC + "a", Api.service("a", "{\"ports\":[{\"port\":81}]}"));
    assertThat(again.status()).isEqualTo(200);
    assertThat(again.json().at("/spec/clusterIP").asText()).isEqualTo(ip);
    var change =
        api.put(
            SVC + "a", Api.service("a", "{\"clusterIP\":\"10.96.7.7\",\"ports\":[{\"port\":81}]}"));
    assertThat(change.status()).isEqualTo(422);
    assertThat(change.json().at("/details/0/field").asText()).isEqualTo("spec.clusterIP");
  }

  @Test
  void optimisticConcurrencyRefusesAStaleResourceVersion() {
    var a = api.put(SVC + "a", Api.service("a", "{\"ports\":[{\"port\":80}]}"));
    String rv = a.json().at("/metadata/resourceVersion").asText();
    String body =
        "{\"apiVersion\":\"v1\",\"kind\":\"Service\",\"metadata\":{\"name\":\"a\",\"resourceVersion\":\""
            + rv
            + "\"},\"spec\":{\"ports\":[{\"port\":82}]}}";
    assertThat(api.put(SVC + "a", body).status()).isEqualTo(200);
    var stale = api.put(SVC + "a", body);
    assertThat(stale.status()).isEqualTo(409);
    assertThat(stale.json().get("reason").asText()).isEqualTo("Conflict");
    assertThat(
            api.post(
                    "/api/v1/namespaces/default/services",
                    Api.service("a", "{\"ports\":[{\"port\":80}]}"))
                .status())
        .isEqualTo(409);
  }

  @Test
  void endpointsFollowTheSelectorAndConditions() {
    api.put(
        SVC + "web",
        Api.service(
            "web",
            "{\"selector\":{\"app\":\"web\"},\"ports\":[{\"name\":\"http\",\"port\":80,\"targetPort\":\"http\"}]}"));
    api.put(INST + "web-1", Api.instance("web-1", "web", "127.0.0.1", 9001, ""));
    api.put(INST + "web-2", Api.instance("web-2", "web", "127.0.0.2", 9002, ""));
    api.put(INST + "other", Api.instance("other", "db", "127.0.0.3", 9003, ""));
    await()
        .atMost(Duration.ofSeconds(5))
        .untilAsserted(
            () -> {
              JsonNode eps =
                  api.get("/api/v1/namespaces/default/endpoints/web").json().get("endpoints");
              assertThat(eps).hasSize(2);
              assertThat(eps.get(0).get("address").asText()).isEqualTo("127.0.0.1");
              assertThat(eps.get(0).at("/ports/0/port").asInt()).isEqualTo(9001);
              assertThat(eps.get(0).at("/conditions/ready").asBoolean()).isTrue();
            });
    // graceful deletion: terminating at once, gone after the grace period
    var d = api.delete(INST + "web-1?gracePeriodSeconds=1");
    assertThat(d.status()).isEqualTo(200);
    assertThat(d.json().at("/metadata/deletionTimestamp").asText()).isNotEmpty();
    await()
        .atMost(Duration.ofSeconds(3))
        .untilAsserted(
            () -> {
              JsonNode eps =
                  api.get("/api/v1/namespaces/default/endpoints/web").json().get("endpoints");
              assertThat(eps.get(0).at("/conditions/terminating").asBoolean()).isTrue();
              assertThat(eps.get(0).at("/conditions/ready").asBoolean()).isFalse();
            });
    await()
        .atMost(Duration.ofSeconds(4))
        .untilAsserted(
            () ->
                assertThat(
                        api.get("/api/v1/namespaces/default/endpoints/web").json().get("endpoints"))
                    .hasSize(1));
    assertThat(api.get(INST + "web-1").status()).isEqualTo(404);
  }

  @Test
  void anEphemeralInstanceLivesWhileHeartbeatsContinueAndGoesWithinTtlPlusOneSecond()
      throws Exception {
    assertThat(
            api.put(INST + "e-1", Api.instance("e-1", "e", "127.0.0.1", 9001, "\"ttl\":\"2s\""))
                .status())
        .isEqualTo(201);
    long until = System.nanoTime() + Duration.ofSeconds(5).toNanos();
    while (System.nanoTime() < until) {
      assertThat(api.post(INST + "e-1/heartbeat", "").status()).isEqualTo(200);
      Thread.sleep(500);
    }
    assertThat(api.get(INST + "e-1").status()).isEqualTo(200);
    long stopped = System.nanoTime();
    await()
        .atMost(Duration.ofSeconds(4))
        .pollInterval(Duration.ofMillis(50))
        .until(() -> api.get(INST + "e-1").status() == 404);
    assertThat(Duration.ofNanos(System.nanoTime() - stopped)).isLessThan(Duration.ofSeconds(3));
    assertThat(api.post(INST + "e-1/heartbeat", "").status()).isEqualTo(404);
  }

  @Test
  void aPersistentInstanceFollowsItsHttpCheckWithRiseAndFall() throws Exception {
    java.util.concurrent.atomic.AtomicInteger status =
        new java.util.concurrent.atomic.AtomicInteger(200);
    java.util.concurrent.atomic.AtomicInteger probes =
        new java.util.concurrent.atomic.AtomicInteger();
    com.sun.net.httpserver.HttpServer backend =
        com.sun.net.httpserver.HttpServer.create(new java.net.InetSocketAddress("127.0.0.1", 0), 0);
    backend.createContext(
        "/healthz",
        ex -> {
          probes.incrementAndGet();
          ex.sendResponseHeaders(status.get(), -1);
          ex.close();
        });
    backend.start();
    try {
      int port = backend.getAddress().getPort();
      api.put(
          SVC + "chk",
          Api.service(
              "chk",
              "{\"selector\":{\"app\":\"chk\"},\"ports\":[{\"name\":\"http\",\"port\":80,\"targetPort\":\"http\"}]}"));
      var created =
          api.put(
              INST + "chk-1",
              Api.instance(
                  "chk-1",
                  "chk",
                  "127.0.0.1",
                  port,
                  "\"healthCheck\":{\"type\":\"http\",\"path\":\"/healthz\",\"interval\":\"200ms\",\"timeout\":\"150ms\",\"rise\":2,\"fall\":3}"));
      assertThat(created.status()).isEqualTo(201);
      assertThat(created.json().at("/status/conditions/ready").asBoolean()).isFalse();
      await().atMost(Duration.ofSeconds(5)).until(() -> ready("chk-1"));

      status.set(503);
      int before = probes.get();
      await().atMost(Duration.ofSeconds(5)).until(() -> !ready("chk-1"));
      assertThat(probes.get() - before).as("probes until not ready").isGreaterThanOrEqualTo(3);
      assertThat(api.get(INST + "chk-1").json().at("/status/message").asText()).contains("503");
      await()
          .atMost(Duration.ofSeconds(3))
          .untilAsserted(
              () ->
                  assertThat(
                          api.get("/api/v1/namespaces/default/endpoints/chk")
                              .json()
                              .at("/endpoints/0/conditions/ready")
                              .asBoolean())
                      .isFalse());

      status.set(200);
      before = probes.get();
      await().atMost(Duration.ofSeconds(5)).until(() -> ready("chk-1"));
      assertThat(probes.get() - before).as("probes until ready again").isGreaterThanOrEqualTo(2);
    } finally {
      backend.stop(0);
    }
  }

  private boolean ready(String instance) {
    return api.get(INST + instance).json().at("/status/conditions/ready").asBoolean();
  }

  @Test
  void aServiceWithoutSelectorTakesManualEndpointsAndASelectorServiceRefusesThem() {
    api.put(SVC + "ext", Api.service("ext", "{\"ports\":[{\"name\":\"pg\",\"port\":5432}]}"));
    String eps =
        "{\"apiVersion\":\"meridian.io/v1\",\"kind\":\"Endpoints\",\"metadata\":{\"name\":\"ext\"},"
            + "\"endpoints\":[{\"address\":\"127.0.0.9\",\"ports\":[{\"name\":\"pg\",\"port\":5432}]}]}";
    assertThat(api.put("/api/v1/namespaces/default/endpoints/ext", eps).status()).isEqualTo(201);
    assertThat(
            api.get("/api/v1/namespaces/default/endpoints/ext")
                .json()
                .at("/endpoints/0/address")
                .asText())
        .isEqualTo("127.0.0.9");

    api.put(
        SVC + "sel",
        Api.service("sel", "{\"selector\":{\"app\":\"sel\"},\"ports\":[{\"port\":80}]}"));
    var refused =
        api.put("/api/v1/namespaces/default/endpoints/sel", eps.replace("\"ext\"", "\"sel\""));
    assertThat(refused.status()).isEqualTo(409);
    assertThat(refused.json().get("message").asText()).contains("selector");
  }

  @Test
  void aNodeWithATtlLivesOnItsHeartbeats() throws Exception {
    String node =
        "{\"apiVersion\":\"meridian.io/v1\",\"kind\":\"Node\",\"metadata\":{\"name\":\"node-1\"},"
            + "\"spec\":{\"addresses\":[\"127.0.0.1\"],\"ttl\":\"2s\"}}";
    assertThat(api.put("/api/v1/nodes/node-1", node).status()).isEqualTo(201);
    for (int i = 0; i < 6; i++) {
      assertThat(api.post("/api/v1/nodes/node-1/heartbeat", "").status()).isEqualTo(200);
      Thread.sleep(500);
    }
    assertThat(api.get("/api/v1/nodes").json().get("items")).hasSize(1);
    await()
        .atMost(Duration.ofSeconds(4))
        .until(() -> api.get("/api/v1/nodes/node-1").status() == 404);
  }

  @Test
  void heartbeatsToAPersistentInstanceAreRefused() {
    api.put(INST + "p-1", Api.instance("p-1", "p", "127.0.0.1", 9001, ""));
    var hb = api.post(INST + "p-1/heartbeat", "");
    assertThat(hb.status()).isEqualTo(409);
    assertThat(hb.json().get("message").asText()).contains("persistent");
  }

  @Test
  void http2CleartextAnswersLikeHttp1() throws Exception {
    api.put(SVC + "a", Api.service("a", "{\"ports\":[{\"port\":80}]}"));
    HttpClient h2 = HttpClient.newBuilder().version(HttpClient.Version.HTTP_2).build();
    for (int i = 0; i < 3; i++) {
      HttpResponse<String> r =
          h2.send(
              HttpRequest.newBuilder(server.uri().resolve(SVC + "a")).build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(r.statusCode()).isEqualTo(200);
      assertThat(r.body()).contains("\"name\":\"a\"");
      if (i > 0) {
        assertThat(r.version()).isEqualTo(HttpClient.Version.HTTP_2);
      }
    }
  }

  @Test
  void healthReadinessAndMetricsAnswer() {
    assertThat(api.get("/healthz").status()).isEqualTo(200);
    assertThat(api.get("/readyz").status()).isEqualTo(200);
    api.get(SVC);
    assertThat(api.get("/metrics").body())
        .contains("meridian_registry_requests")
        .contains("meridian_store_revision");
  }
}
