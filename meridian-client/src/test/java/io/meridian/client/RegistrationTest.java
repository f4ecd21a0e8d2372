package io.meridian.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.meridian.api.GoDuration;
import io.meridian.api.Instance;
import io.meridian.api.InstanceSpec;
import io.meridian.api.Kind;
import io.meridian.api.ObjectMeta;
import io.meridian.registry.RegistryConfig;
import io.meridian.registry.RegistryServer;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Registrations against a real registry, in process, over real sockets. */
class RegistrationTest {

  private static final Duration WAIT = Duration.ofSeconds(10);
  private static final Duration POLL = Duration.ofMillis(20);
  private static final Duration TTL = Duration.ofSeconds(1);

  @TempDir Path dataDir;

  private final List<AutoCloseable> toClose = new ArrayList<>();
  private final HttpClient http =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  private RegistryServer registry;
  private MeridianClient client;

  @BeforeEach
  void startRegistryAndClient() throws Exception {
    registry =
        RegistryServer.create(
            RegistryConfig.builder(dataDir)
                .port(0)
                .fsync(false)
                .bookmarkInterval(Duration.ofMillis(300))
                .build());
    toClose.add(registry);
    registry.start().get(WAIT.toSeconds(), TimeUnit.SECONDS);
    client = MeridianClient.builder(registry.uri()).requestTimeout(Duration.ofSeconds(2)).connect();
    toClose.add(client);
  }

  @AfterEach
  void closeEverything() {
    for (int i = toClose.size() - 1; i >= 0; i--) {
      try {
        toClose.get(i).close();
      } catch (Exception e) {
        // keep closing the rest
      }
    }
    http.shutdownNow();
  }

  private static Instance instance(String name, String address) {
    return new Instance(
        ObjectMeta.of(null, name, Map.of("app", "web")),
        InstanceSpec.of(address, Map.of("http", 8080)));
  }

  private Optional<Instance> stored(String name) {
    return registry.resources().get(Kind.INSTANCE, "default", name).map(Instance.class::cast);
  }

  @Test
  void aRegisteredInstanceAppearsWithItsTtlAndHeartbeatsKeepItPastThreeTtls() throws Exception {
    Registration r = client.register(instance("web-1", "127.0.0.1"), TTL);

    Instance stored = stored("web-1").orElseThrow();
    assertThat(stored.spec().ttl()).isEqualTo(GoDuration.of(TTL));
    assertThat(stored.spec().address()).isEqualTo("127.0.0.1");
    assertThat(stored.metadata().labels()).containsEntry("app", "web");
    assertThat(r.instance().metadata().namespace()).isEqualTo("default");
    assertThat(r.ttl()).isEqualTo(TTL);
    assertThat(r.heartbeatInterval()).isEqualTo(TTL.dividedBy(3));

    Thread.sleep(TTL.multipliedBy(3).plusMillis(500).toMillis());

    assertThat(stored("web-1")).as("kept alive past 3 ttls").isPresent();
    assertThat(r.heartbeats()).isGreaterThanOrEqualTo(6);
    assertThat(r.reregistrations()).isZero();
  }

  @Test
  void withoutHeartbeatsTheSameInstanceExpires() throws Exception {
    // the control for the test above: the registry does expire a lease nobody renews
    Instance ephemeral =
        instance("web-1", "127.0.0.1")
            .withMetadata(ObjectMeta.of("default", "web-1", Map.of("app", "web")))
            .withSpec(
                InstanceSpec.of("127.0.0.1", Map.of("http", 8080)).withTtl(GoDuration.of(TTL)));
    registry.resources().write(ephemeral, false).get(WAIT.toSeconds(), TimeUnit.SECONDS);
    assertThat(stored("web-1")).isPresent();

    await().atMost(TTL.multipliedBy(5)).pollInterval(POLL).until(() -> stored("web-1").isEmpty());
  }

  @Test
  void closeDeletesTheInstanceAtOnceAndStopsHeartbeats() throws Exception {
    Registration r = client.register(instance("web-1", "127.0.0.1"), TTL);
    await().atMost(WAIT).pollInterval(POLL).until(() -> r.heartbeats() >= 1);

    r.close();

    assertThat(stored("web-1")).as("deleted when close returns").isEmpty();
    long beats = r.heartbeats();
    Thread.sleep(TTL.toMillis());
    assertThat(r.heartbeats()).isEqualTo(beats);
    assertThat(stored("web-1")).isEmpty();
    r.close(); // idempotent
    assertThat(r.closeAsync()).isCompleted();
  }

  @Test
  void closingTheClientDeregistersItsRegistrations() throws Exception {
    client.register(instance("web-1", "127.0.0.1"), TTL);
    client.register(instance("web-2", "127.0.0.1"), TTL);

    client.close();

    assertThat(stored("web-1")).isEmpty();
    assertThat(stored("web-2")).isEmpty();
    assertThatThrownBy(() -> client.register(instance("web-3", "127.0.0.1"), TTL))
        .isInstanceOf(IllegalStateException.class);
  }

  @Test
  void anInstanceDeletedBehindItsBackIsRegisteredAgainAtTheNextHeartbeat() throws Exception {
    Registration r = client.register(instance("web-1", "127.0.0.1"), TTL);

    registry
        .resources()
        .delete(Kind.INSTANCE, "default", "web-1", 0, null)
        .get(WAIT.toSeconds(), TimeUnit.SECONDS);
    assertThat(stored("web-1")).isEmpty();

    await().atMost(TTL.multipliedBy(3)).pollInterval(POLL).until(() -> stored("web-1").isPresent());
    assertThat(r.reregistrations()).isEqualTo(1);
    long beats = r.heartbeats();
    await().atMost(WAIT).pollInterval(POLL).until(() -> r.heartbeats() > beats + 1);
    assertThat(stored("web-1")).isPresent();
    assertThat(r.reregistrations()).isEqualTo(1);
  }

  @Test
  void anInstanceDeletedOverHttpIsRegisteredAgainToo() throws Exception {
    Registration r = client.register(instance("web-1", "127.0.0.1"), TTL);

    HttpResponse<String> deleted =
        http.send(
            HttpRequest.newBuilder(
                    registry.uri().resolve("/api/v1/namespaces/default/instances/web-1"))
                .DELETE()
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(deleted.statusCode()).isEqualTo(200);

    await()
        .atMost(TTL.multipliedBy(3))
        .pollInterval(POLL)
        .until(() -> r.reregistrations() == 1 && stored("web-1").isPresent());
  }

  @Test
  void anInvalidAddressIsRefusedWith422NamingTheField() {
    assertThatThrownBy(() -> client.register(instance("web-1", "not-an-ip"), TTL))
        .isInstanceOfSatisfying(MeridianException.class, e -> assertThat(e.status()).isEqualTo(422))
        .hasMessageContaining("spec.address")
        .hasMessageContaining("not-an-ip")
        .hasMessageContaining("default/web-1");
    assertThat(stored("web-1")).isEmpty();
  }

  @Test
  void anInvalidNameIsRefusedWith422NamingTheField() {
    assertThatThrownBy(() -> client.register(instance("Web_1", "127.0.0.1"), TTL))
        .isInstanceOfSatisfying(MeridianException.class, e -> assertThat(e.status()).isEqualTo(422))
        .hasMessageContaining("metadata.name");
  }

  @Test
  void aRefusedRegistrationDoesNotDeleteASameNamedInstanceWhenTheClientCloses() throws Exception {
    assertThatThrownBy(() -> client.register(instance("web-1", "not-an-ip"), TTL))
        .isInstanceOf(MeridianException.class);
    // someone else's, persistent instance of that name
    registry
        .resources()
        .write(
            instance("web-1", "127.0.0.2").withMetadata(ObjectMeta.of("default", "web-1")), false)
        .get(WAIT.toSeconds(), TimeUnit.SECONDS);

    client.close();

    assertThat(stored("web-1")).as("a refused registration owns nothing").isPresent();
  }

  @Test
  void aTtlUnderOneSecondIsRefusedBeforeAnyCall() {
    assertThatThrownBy(
            () -> client.register(instance("web-1", "127.0.0.1"), Duration.ofMillis(999)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("ttl")
        .hasMessageContaining("999ms");
    assertThat(stored("web-1")).isEmpty();
  }

  @Test
  void anUnreachableRegistryIsAMeridianExceptionWithStatusZeroWithinTheTimeout() throws Exception {
    int closedPort;
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      closedPort = s.getLocalPort();
    }
    MeridianClient unreachable =
        MeridianClient.builder(URI.create("http://127.0.0.1:" + closedPort))
            .requestTimeout(Duration.ofSeconds(1))
            .connect();
    toClose.add(unreachable);

    long t0 = System.nanoTime();
    assertThatThrownBy(() -> unreachable.register(instance("web-1", "127.0.0.1"), TTL))
        .isInstanceOfSatisfying(MeridianException.class, e -> assertThat(e.status()).isZero())
        .hasMessageContaining("127.0.0.1:" + closedPort);
    assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(3));
  }
}
