package io.meridian.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.meridian.api.Instance;
import io.meridian.api.InstanceSpec;
import io.meridian.api.IntOrString;
import io.meridian.api.Kind;
import io.meridian.api.LoadBalancing;
import io.meridian.api.ObjectMeta;
import io.meridian.api.Service;
import io.meridian.api.ServicePort;
import io.meridian.api.ServiceSpec;
import io.meridian.api.ServiceType;
import io.meridian.balancer.Outcome;
import io.meridian.registry.RegistryConfig;
import io.meridian.registry.RegistryServer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Balancers made by a client of a real registry, in process, over real sockets. */
class ServiceBalancerTest {

  private static final Duration WAIT = Duration.ofSeconds(10);
  private static final Duration POLL = Duration.ofMillis(20);
  private static final ServicePort HTTP = port("http", 80);
  private static final ServicePort ADMIN = port("admin", 81);

  @TempDir Path dataDir;

  private final List<AutoCloseable> toClose = new ArrayList<>();

  /** Alternates 0, 1, 0, 1...: least request then compares the two endpoints on every pick. */
  private final AtomicInteger draws = new AtomicInteger();

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
    client =
        MeridianClient.builder(registry.uri())
            .random(bound -> Math.floorMod(draws.getAndIncrement(), bound))
            .connect();
    toClose.add(client);
    client.ready().get(WAIT.toSeconds(), TimeUnit.SECONDS);
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
  }

  // ---- fixtures -----------------------------------------------------------------------------

  private static ServicePort port(String name, int number) {
    return new ServicePort(name, null, number, IntOrString.of(name), null, null);
  }

  private static ServiceSpec spec(
      ServiceType type,
      Map<String, String> selector,
      List<ServicePort> ports,
      String externalName,
      LoadBalancing loadBalancing) {
    return new ServiceSpec(
        type,
        selector,
        ports,
        null,
        null,
        null,
        null,
        null,
        null,
        null,
        null,
        null,
        externalName,
        null,
        null,
        null,
        null,
        null,
        null,
        null,
        loadBalancing,
        null);
  }

  private void putService(String name, LoadBalancing lb, ServicePort... ports) throws Exception {
    Service s =
        new Service(
            ObjectMeta.of("default", name),
            spec(ServiceType.ClusterIP, Map.of("app", name), List.of(ports), null, lb));
    registry.resources().write(s, false).get(WAIT.toSeconds(), TimeUnit.SECONDS);
  }

  private void putService(String name, ServicePort... ports) throws Exception {
    putService(name, null, ports);
  }

  private void putInstance(String app, String name, Map<String, Integer> ports) throws Exception {
    Instance i =
        new Instance(
            ObjectMeta.of("default", name, Map.of("app", app)),
            InstanceSpec.of("127.0.0.1", ports));
    registry.resources().write(i, false).get(WAIT.toSeconds(), TimeUnit.SECONDS);
  }

  private void deleteInstance(String name) throws Exception {
    registry
        .resources()
        .delete(Kind.INSTANCE, "default", name, 0, null)
        .get(WAIT.toSeconds(), TimeUnit.SECONDS);
  }

  /** Service {@code web} (ports http and admin) with instances web-1..3 on 9001..9003 (http). */
  private void webWithThreeInstances(LoadBalancing lb) throws Exception {
    putService("web", lb, HTTP, ADMIN);
    for (int i = 1; i <= 3; i++) {
      putInstance("web", "web-" + i, Map.of("http", 9000 + i, "admin", 9100 + i));
    }
  }

  private static Endpoint endpoint(int port, String instance) {
    return new Endpoint("127.0.0.1", port, instance, "", 1);
  }

  private ServiceBalancer track(ServiceBalancer b) {
    toClose.add(b);
    return b;
  }

  /** {@code n} picks, each released at once; counts by endpoint. */
  private static Map<Endpoint, Integer> pickMany(ServiceBalancer b, int n) {
    Map<Endpoint, Integer> counts = new HashMap<>();
    for (int i = 0; i < n; i++) {
      Endpoint e = b.pick();
      b.release(e);
      counts.merge(e, 1, Integer::sum);
    }
    return counts;
  }

  /** Waits until {@code n} picks land on exactly {@code expected}. */
  private static void awaitPicked(ServiceBalancer b, Set<Endpoint> expected) {
    await()
        .atMost(WAIT)
        .pollInterval(POLL)
        .ignoreException(NoEndpointException.class)
        .until(() -> pickMany(b, 3 * expected.size() + 3).keySet().equals(expected));
  }

  /**
   * Waits until a pick fails with a message containing {@code fragment} (the balancer may first see
   * snapshots from before the service was written), and returns that message.
   */
  private static String problem(ServiceBalancer b, String fragment) {
    AtomicReference<String> message = new AtomicReference<>();
    await()
        .atMost(WAIT)
        .pollInterval(POLL)
        .untilAsserted(
            () -> {
              try {
                b.release(b.pick());
                message.set("picked");
              } catch (NoEndpointException e) {
                message.set(e.getMessage());
              }
              assertThat(message.get()).contains(fragment);
            });
    return message.get();
  }

  // ---- picking ------------------------------------------------------------------------------

  @Test
  void roundRobinSpreadsPicksExactlyEvenlyOverTheReadyEndpointsOfTheNamedPort() throws Exception {
    webWithThreeInstances(null);
    ServiceBalancer web = track(client.balancer("default/web", "http"));
    Set<Endpoint> all =
        Set.of(endpoint(9001, "web-1"), endpoint(9002, "web-2"), endpoint(9003, "web-3"));
    awaitPicked(web, all);

    assertThat(web.policy()).isEqualTo("round_robin");
    assertThat(web.hashOn()).isNull();
    assertThat(web.endpoints()).containsExactlyInAnyOrderElementsOf(all);
    assertThat(pickMany(web, 300))
        .containsOnlyKeys(all)
        .allSatisfy((e, n) -> assertThat(n).isEqualTo(100));
  }

  @Test
  void anotherPortOfTheSameServiceIsBalancedOverItsOwnInstancePorts() throws Exception {
    webWithThreeInstances(null);
    putInstance("web", "web-http-only", Map.of("http", 9004));
    ServiceBalancer admin = track(client.balancer("web", "admin"));
    ServiceBalancer byNumber = track(client.balancer("web", "81"));

    Set<Endpoint> admins =
        Set.of(endpoint(9101, "web-1"), endpoint(9102, "web-2"), endpoint(9103, "web-3"));
    awaitPicked(admin, admins);
    awaitPicked(byNumber, admins);
    assertThat(admin.service()).isEqualTo(ServiceKey.of("default", "web"));
    assertThat(admin.port()).isEqualTo("admin");
  }

  @Test
  void theServicesOwnPolicyMaglevKeepsEachHashKeyOnOneEndpoint() throws Exception {
    webWithThreeInstances(new LoadBalancing("maglev", "header:x-user"));
    ServiceBalancer web = track(client.balancer("web", "http"));
    await().atMost(WAIT).pollInterval(POLL).until(() -> web.endpoints().size() == 3);
    await().atMost(WAIT).pollInterval(POLL).until(() -> "maglev".equals(web.policy()));
    web.ready().get(WAIT.toSeconds(), TimeUnit.SECONDS);
    awaitPicked(web, Set.copyOf(web.endpoints())); // the picker holds all three

    assertThat(web.hashOn()).isEqualTo("header:x-user");
    Set<Endpoint> used = new HashSet<>();
    for (int user = 0; user < 60; user++) {
      Endpoint first = web.pick("user-" + user);
      web.release(first);
      used.add(first);
      for (int again = 0; again < 5; again++) {
        Endpoint e = web.pick("user-" + user);
        web.release(e);
        assertThat(e).as("user-%d, pick %d", user, again).isEqualTo(first);
      }
    }
    assertThat(used).hasSize(3);
  }

  @Test
  void theBuildersPolicyOverridesTheServices() throws Exception {
    webWithThreeInstances(new LoadBalancing("maglev", null));
    ServiceBalancer web =
        track(client.balancerBuilder("web").port("http").policy("round_robin").build());
    await().atMost(WAIT).pollInterval(POLL).until(() -> web.endpoints().size() == 3);
    awaitPicked(web, Set.copyOf(web.endpoints()));

    assertThat(web.policy()).isEqualTo("round_robin");
    Set<Endpoint> oneKey = new HashSet<>();
    for (int i = 0; i < 3; i++) {
      Endpoint e = web.pick("same-key");
      web.release(e);
      oneKey.add(e);
    }
    assertThat(oneKey).as("round robin ignores the hash").hasSize(3);
  }

  @Test
  void anUnknownPolicyOrBadPolicyConfigIsRefusedWhenBuilt() {
    assertThatThrownBy(() -> client.balancerBuilder("web").policy("fastest"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("\"fastest\"");
    assertThatThrownBy(() -> client.balancerBuilder("web").policy("maglev", Map.of("size", 7)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("\"size\"");
  }

  // ---- nothing to pick ----------------------------------------------------------------------

  @Test
  void aMissingServiceIsANoEndpointExceptionNamingIt() {
    ServiceBalancer ghost = track(client.balancer("default/ghost", "http"));

    assertThat(problem(ghost, "does not exist")).contains("service default/ghost");
  }

  @Test
  void aMissingPortNameIsANoEndpointExceptionListingThePorts() throws Exception {
    webWithThreeInstances(null);
    ServiceBalancer grpc = track(client.balancer("web", "grpc"));

    assertThat(problem(grpc, "no port \"grpc\""))
        .contains("service default/web")
        .contains("http 80")
        .contains("admin 81");
  }

  @Test
  void noPortNameForAServiceWithSeveralPortsAsksForOne() throws Exception {
    webWithThreeInstances(null);
    ServiceBalancer unnamed = track(client.balancer("web", null));

    assertThat(problem(unnamed, "several ports"))
        .contains("service default/web")
        .contains("http 80, admin 81");
  }

  @Test
  void anExternalNameServiceHasNoEndpointsToBalance() throws Exception {
    Service s =
        new Service(
            ObjectMeta.of("default", "db"),
            spec(ServiceType.ExternalName, null, List.of(), "db.example.com", null));
    registry.resources().write(s, false).get(WAIT.toSeconds(), TimeUnit.SECONDS);
    ServiceBalancer db = track(client.balancer("db", null));

    assertThat(problem(db, "ExternalName"))
        .contains("service default/db")
        .contains("db.example.com");
  }

  @Test
  void aServiceWithoutReadyEndpointsSaysSo() throws Exception {
    putService("web", HTTP);
    ServiceBalancer web = track(client.balancer("web", "http"));

    assertThat(problem(web, "no ready endpoint for port http")).contains("service default/web");
    assertThat(web.ready()).isNotDone();
  }

  // ---- following the registry --------------------------------------------------------------

  @Test
  void readyCompletesWithTheFirstEndpoint() throws Exception {
    putService("web", HTTP);
    ServiceBalancer web = track(client.balancer("web", "http"));
    problem(web, "no ready endpoint"); // it has seen the service, without endpoints
    assertThat(web.ready()).isNotDone();

    putInstance("web", "web-1", Map.of("http", 9001));

    assertThat(web.ready().get(WAIT.toSeconds(), TimeUnit.SECONDS)).isSameAs(web);
    assertThat(web.pick()).isEqualTo(endpoint(9001, "web-1"));
  }

  @Test
  void anAddedInstanceIsPickedAndADeletedOneIsNeverPickedOnceTheBalancerSawItGo() throws Exception {
    webWithThreeInstances(null);
    ServiceBalancer web = track(client.balancer("web", "http"));
    awaitPicked(
        web, Set.of(endpoint(9001, "web-1"), endpoint(9002, "web-2"), endpoint(9003, "web-3")));

    putInstance("web", "web-4", Map.of("http", 9004));
    awaitPicked(
        web,
        Set.of(
            endpoint(9001, "web-1"),
            endpoint(9002, "web-2"),
            endpoint(9003, "web-3"),
            endpoint(9004, "web-4")));

    deleteInstance("web-1");
    Endpoint gone = endpoint(9001, "web-1");
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (web.endpoints().contains(gone) && System.nanoTime() < deadline) {
      Thread.onSpinWait();
    }
    assertThat(web.endpoints()).doesNotContain(gone);
    assertThat(pickMany(web, 300)).doesNotContainKey(gone).hasSize(3);
  }

  @Test
  void twoInstancesAtOneAddressAndPortDoNotStopTheBalancerFollowingTheRegistry() throws Exception {
    webWithThreeInstances(null);
    ServiceBalancer web = track(client.balancer("web", "http"));
    awaitPicked(
        web, Set.of(endpoint(9001, "web-1"), endpoint(9002, "web-2"), endpoint(9003, "web-3")));

    // A restarted process registers under a new name before its old instance expired.
    putInstance("web", "web-1-restarted", Map.of("http", 9001));
    putInstance("web", "web-4", Map.of("http", 9004));

    await()
        .atMost(WAIT)
        .pollInterval(POLL)
        .until(() -> pickMany(web, 30).keySet().stream().anyMatch(e -> e.port() == 9004));
  }

  @Test
  void aPolicyChangeInTheRegistryIsAppliedWithoutAMomentWithNothingToPick() throws Exception {
    webWithThreeInstances(null);
    ServiceBalancer web = track(client.balancer("web", "http"));
    awaitPicked(
        web, Set.of(endpoint(9001, "web-1"), endpoint(9002, "web-2"), endpoint(9003, "web-3")));
    AtomicBoolean stop = new AtomicBoolean();
    AtomicReference<Throwable> failure = new AtomicReference<>();
    Thread picker =
        Thread.ofPlatform()
            .start(
                () -> {
                  while (!stop.get()) {
                    try {
                      web.release(web.pick());
                    } catch (RuntimeException e) {
                      failure.compareAndSet(null, e);
                    }
                  }
                });
    try {
      for (String policy : List.of("random", "maglev", "round_robin", "random", "maglev")) {
        putService("web", new LoadBalancing(policy, null), HTTP, ADMIN);
        await().atMost(WAIT).pollInterval(POLL).until(() -> policy.equals(web.policy()));
        Thread.sleep(50);
      }
    } finally {
      stop.set(true);
      picker.join();
    }
    assertThat(failure.get()).as("a pick failed while the policy changed").isNull();
  }

  @Test
  void fiveFailuresInARowEjectAnEndpointWithTheClientsDefaultOutlierDetection() throws Exception {
    webWithThreeInstances(null);
    ServiceBalancer web = track(client.balancer("web", "http"));
    Endpoint bad = endpoint(9002, "web-2");
    awaitPicked(web, Set.of(endpoint(9001, "web-1"), bad, endpoint(9003, "web-3")));

    for (int failures = 0; failures < 5; ) {
      Endpoint e = web.pick();
      if (e.equals(bad)) {
        web.report(e, Outcome.FAILURE, Duration.ofMillis(1));
        failures++;
      } else {
        web.report(e, Outcome.SUCCESS, Duration.ofMillis(1));
      }
    }

    awaitPicked(web, Set.of(endpoint(9001, "web-1"), endpoint(9003, "web-3")));
    assertThat(pickMany(web, 100)).doesNotContainKey(bad);
    assertThat(web.endpoints()).as("ejected, not removed").contains(bad);
  }

  @Test
  void fourFailuresAndASuccessDoNotEject() throws Exception {
    webWithThreeInstances(null);
    ServiceBalancer web = track(client.balancer("web", "http"));
    Endpoint flaky = endpoint(9002, "web-2");
    Set<Endpoint> all = Set.of(endpoint(9001, "web-1"), flaky, endpoint(9003, "web-3"));
    awaitPicked(web, all);

    for (int round = 0; round < 3; round++) {
      for (int i = 0; i < 5; i++) {
        Endpoint e = web.pick();
        while (!e.equals(flaky)) {
          web.release(e);
          e = web.pick();
        }
        web.report(e, i < 4 ? Outcome.FAILURE : Outcome.SUCCESS, null);
      }
    }

    Thread.sleep(200);
    assertThat(pickMany(web, 30).keySet()).isEqualTo(all);
  }

  @Test
  void releaseAndReportEndAPicksRequestInFlight() throws Exception {
    putService("web", HTTP);
    putInstance("web", "web-1", Map.of("http", 9001));
    putInstance("web", "web-2", Map.of("http", 9002));
    ServiceBalancer web =
        track(client.balancerBuilder("web").port("http").policy("least_request").build());
    Endpoint a = endpoint(9001, "web-1");
    Endpoint b = endpoint(9002, "web-2");
    // Each pick compares web-1 then web-2 (the alternating random source); ties go to web-1.
    await()
        .atMost(WAIT)
        .pollInterval(POLL)
        .ignoreException(NoEndpointException.class)
        .until(
            () -> {
              draws.set(0);
              Endpoint x = web.pick();
              Endpoint y = web.pick();
              web.release(x);
              web.release(y);
              return x.equals(a) && y.equals(b);
            });
    draws.set(0);

    Endpoint first = web.pick();
    assertThat(first).isEqualTo(a);
    web.release(first);
    assertThat(web.pick()).as("idle again after release").isEqualTo(a); // a: 1 in flight
    assertThat(web.pick()).as("a is busier").isEqualTo(b); // b: 1 in flight
    assertThat(web.pick()).as("a tie goes to a").isEqualTo(a); // a: 2 in flight

    web.report(a, Outcome.SUCCESS, Duration.ofMillis(1)); // a: 1 in flight

    assertThat(web.pick()).as("a tie again after the report").isEqualTo(a);
  }

  @Test
  void closeStopsFollowingTheRegistryButPicksKeepAnswering() throws Exception {
    webWithThreeInstances(null);
    ServiceBalancer web = client.balancer("web", "http");
    Set<Endpoint> three =
        Set.of(endpoint(9001, "web-1"), endpoint(9002, "web-2"), endpoint(9003, "web-3"));
    awaitPicked(web, three);

    web.close();
    web.close(); // idempotent
    putInstance("web", "web-4", Map.of("http", 9004));
    await()
        .atMost(WAIT)
        .pollInterval(POLL)
        .until(() -> client.watch().current().endpoints("default", "web").size() == 4);
    Thread.sleep(100); // the watch's listeners have had the snapshot

    assertThat(web.endpoints()).containsExactlyInAnyOrderElementsOf(three);
    assertThat(pickMany(web, 30).keySet()).isEqualTo(three);
  }

  @Test
  void closingBeforeTheFirstEndpointFailsReady() {
    ServiceBalancer web = client.balancer("nothing-yet", "http");
    web.close();

    assertThatThrownBy(() -> web.ready().get(1, TimeUnit.SECONDS))
        .isInstanceOf(ExecutionException.class)
        .hasCauseInstanceOf(MeridianException.class);
  }

  @Test
  void aNameWithoutNamespaceIsInTheClientsNamespace() throws Exception {
    MeridianClient other = MeridianClient.builder(registry.uri()).namespace("blue").connect();
    toClose.add(other);
    Service s =
        new Service(
            ObjectMeta.of("blue", "api"),
            spec(ServiceType.ClusterIP, Map.of("app", "api"), List.of(HTTP), null, null));
    registry.resources().write(s, false).get(WAIT.toSeconds(), TimeUnit.SECONDS);
    registry
        .resources()
        .write(
            new Instance(
                ObjectMeta.of("blue", "api-1", Map.of("app", "api")),
                InstanceSpec.of("127.0.0.1", Map.of("http", 9201))),
            false)
        .get(WAIT.toSeconds(), TimeUnit.SECONDS);

    ServiceBalancer api = other.balancer("api", "http");
    ServiceBalancer inDefault = track(client.balancer("api", "http"));

    assertThat(api.service()).isEqualTo(ServiceKey.of("blue", "api"));
    assertThat(api.ready().get(WAIT.toSeconds(), TimeUnit.SECONDS).pick())
        .isEqualTo(endpoint(9201, "api-1"));
    assertThat(problem(inDefault, "does not exist")).contains("service default/api");
  }

  // ---- what a node proxy adds: node filter, health marks, claims --------------------------

  @Test
  void aNodeFilteredBalancerPicksOnlyThatNodesEndpoints() throws Exception {
    putService("web", HTTP);
    for (int i = 1; i <= 3; i++) {
      Instance inst =
          new Instance(
              ObjectMeta.of("default", "web-" + i, Map.of("app", "web")),
              new InstanceSpec(
                  "127.0.0.1",
                  Map.of("http", 9000 + i),
                  i == 3 ? "node-b" : "node-a",
                  null,
                  null,
                  null,
                  null,
                  null));
      registry.resources().write(inst, false).get(WAIT.toSeconds(), TimeUnit.SECONDS);
    }
    ServiceBalancer a = track(client.balancerBuilder("web").port("http").node("node-a").build());
    ServiceBalancer c = track(client.balancerBuilder("web").port("http").node("node-c").build());
    awaitPicked(a, Set.of(endpoint(9001, "web-1"), endpoint(9002, "web-2")));
    assertThat(problem(c, "on node node-c")).contains("no ready endpoint for port http");
  }

  @Test
  void anEndpointMarkedUnhealthyIsSkippedUntilMarkedHealthyAgain() throws Exception {
    webWithThreeInstances(null);
    ServiceBalancer b = track(client.balancer("web", "http"));
    Set<Endpoint> all =
        Set.of(endpoint(9001, "web-1"), endpoint(9002, "web-2"), endpoint(9003, "web-3"));
    awaitPicked(b, all);
    b.markHealthy(endpoint(9002, "web-2"), false);
    assertThat(b.isMarkedUnhealthy(endpoint(9002, "web-2"))).isTrue();
    awaitPicked(b, Set.of(endpoint(9001, "web-1"), endpoint(9003, "web-3")));
    assertThat(b.candidates()).hasSize(3);
    assertThat(b.contains(endpoint(9002, "web-2"))).isFalse();
    // Every endpoint unhealthy: all are used rather than none.
    b.markHealthy(endpoint(9001, "web-1"), false);
    b.markHealthy(endpoint(9003, "web-3"), false);
    awaitPicked(b, all);
    b.markHealthy(endpoint(9001, "web-1"), true);
    awaitPicked(b, Set.of(endpoint(9001, "web-1")));
  }

  @Test
  void aClaimCountsInFlightOnAPresentEndpointAndRefusesAGoneOne() throws Exception {
    webWithThreeInstances(null);
    ServiceBalancer b = track(client.balancer("web", "http"));
    awaitPicked(
        b, Set.of(endpoint(9001, "web-1"), endpoint(9002, "web-2"), endpoint(9003, "web-3")));
    assertThat(b.claim(endpoint(9001, "web-1"))).isEqualTo(endpoint(9001, "web-1"));
    assertThat(b.activeRequests(endpoint(9001, "web-1"))).isEqualTo(1);
    b.release(endpoint(9001, "web-1"));
    assertThat(b.activeRequests(endpoint(9001, "web-1"))).isZero();
    deleteInstance("web-1");
    awaitPicked(b, Set.of(endpoint(9002, "web-2"), endpoint(9003, "web-3")));
    assertThat(b.claim(endpoint(9001, "web-1"))).isNull();
  }
}
