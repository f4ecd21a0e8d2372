package io.meridian.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.meridian.testkit.MeridianJar;
import io.meridian.testkit.MeridianProcess;
import io.meridian.testkit.TempFiles;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Issue 5, bar 5: {@code meridian agent} on two nodes of a small network made of namespaces (see
 * {@link NetnsTopology}): a client host, two node hosts and two backend hosts behind one router.
 * The registry runs on node1 and listens on node1's address, so node2's agent reaches it through
 * the router. Service {@code web} (NodePort, Cluster policy) selects the backends on backend1 and
 * backend2; service {@code local} (NodePort, {@code externalTrafficPolicy: Local}) selects one
 * backend on node2. Both speak {@code appProtocol: http}, so the agents balance per request and add
 * {@code X-Forwarded-For}.
 *
 * <p>Needs root and iproute2; skips with the reason otherwise. Everything it made (processes,
 * namespaces, veths) is removed in {@link #tearDown()}, also after a failure.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class NetnsTopologyIT {

  static final String CLIENT = "client";
  static final String NODE1 = "node1";
  static final String NODE2 = "node2";
  static final String BACKEND1 = "backend1";
  static final String BACKEND2 = "backend2";
  static final int BACKEND_PORT = 8080;
  static final Duration WAIT = Duration.ofSeconds(60);
  static final Duration POLL = Duration.ofMillis(500);
  static final ObjectMapper JSON = new ObjectMapper();

  static NetnsTopology net;
  static Path registryData;
  static MeridianProcess registry;
  static String registryUrl;
  static final List<MeridianProcess> agents = new ArrayList<>();
  static String webClusterIp;
  static int webNodePort;
  static int localNodePort;

  @BeforeAll
  static void buildTheNetworkAndStartEverything() throws Exception {
    Optional<String> why = NetnsTopology.whyUnavailable();
    if (why.isPresent()) {
      System.out.println("NetnsTopologyIT skipped: " + why.get());
    }
    assumeTrue(why.isEmpty(), () -> "needs root and ip netns: " + why.orElseThrow());

    String suffix = Integer.toHexString(ThreadLocalRandom.current().nextInt(0x100000, 0x1000000));
    net = NetnsTopology.create(suffix, CLIENT, NODE1, NODE2, BACKEND1, BACKEND2);
    System.out.println("NetnsTopologyIT: " + net);
    net.whyNoDummyInterfaces()
        .ifPresent(
            r ->
                System.out.println(
                    "NetnsTopologyIT: no dummy interfaces in this kernel ("
                        + r
                        + "): the agents put ClusterIPs on lo"));

    String node1 = net.host(NODE1).address();
    registryData = Files.createTempDirectory("meridian-netns-registry-");
    registry =
        MeridianProcess.startWithPrefix(
            net.prefix(NODE1),
            "server",
            "--host",
            node1,
            "--port",
            "0",
            "--data-dir",
            registryData.toString(),
            "--service-cidr",
            "10.96.0.0/16");
    registryUrl = registry.uri().toString();

    List<NetnsTopology.Started> backends =
        List.of(
            net.startJava(BACKEND1, NetnsHttpBackend.class, BACKEND1, "" + BACKEND_PORT),
            net.startJava(BACKEND2, NetnsHttpBackend.class, BACKEND2, "" + BACKEND_PORT),
            net.startJava(NODE2, NetnsHttpBackend.class, "local-on-node2", "" + BACKEND_PORT));

    Path yaml = Files.createTempFile("meridian-netns-", ".yaml");
    try {
      Files.writeString(yaml, manifests(), StandardCharsets.UTF_8);
      NetnsTopology.Result applied =
          net.exec(NODE1, meridian("apply", "-f", yaml.toString(), "--registry", registryUrl));
      assertThat(applied.exitCode()).as(applied.output()).isZero();
    } finally {
      Files.deleteIfExists(yaml);
    }

    JsonNode web = getJson("svc", "web");
    webClusterIp = web.path("spec").path("clusterIP").asText();
    webNodePort = web.path("spec").path("ports").get(0).path("nodePort").asInt();
    localNodePort =
        getJson("svc", "local").path("spec").path("ports").get(0).path("nodePort").asInt();
    assertThat(webClusterIp).startsWith("10.96.");
    assertThat(webNodePort).isBetween(30000, 32767);
    assertThat(localNodePort).isBetween(30000, 32767);

    for (NetnsTopology.Started b : backends) {
      await("a backend listening")
          .atMost(WAIT)
          .pollInterval(POLL)
          .untilAsserted(
              () -> {
                assertThat(b.process().isAlive()).as(b.output()).isTrue();
                assertThat(b.output()).contains(NetnsHttpBackend.LISTENING);
              });
    }
    await("three ready endpoints in the registry")
        .atMost(WAIT)
        .pollInterval(POLL)
        .untilAsserted(
            () -> {
              assertThat(readyEndpoints("web")).isEqualTo(2);
              assertThat(readyEndpoints("local")).isEqualTo(1);
            });

    for (String node : List.of(NODE1, NODE2)) {
      MeridianProcess agent =
          MeridianProcess.launchWithPrefix(
              net.prefix(node),
              "agent",
              "--registry",
              registryUrl,
              "--node",
              node,
              "--node-address",
              net.host(node).address(),
              "--admin-port",
              "-1");
      agents.add(agent);
    }
    for (MeridianProcess agent : agents) {
      agent.awaitOutput("meridian: agent listening on", MeridianProcess.START_TIMEOUT);
    }
    // Every agent binds its node address at both NodePorts, and each ClusterIP:80.
    for (int i = 0; i < agents.size(); i++) {
      String node = List.of(NODE1, NODE2).get(i);
      MeridianProcess agent = agents.get(i);
      String addr = net.host(node).address();
      List<String> wanted =
          List.of(addr + ":" + webNodePort, addr + ":" + localNodePort, webClusterIp + ":80");
      await("the agent on " + node + " listening")
          .atMost(WAIT)
          .pollInterval(POLL)
          .untilAsserted(
              () ->
                  assertThat(listening(node))
                      .as(() -> "sockets in " + node + "; agent's log:\n" + agent.stderr())
                      .containsAll(wanted));
    }
  }

  @AfterAll
  static void tearDown() {
    for (MeridianProcess agent : agents) {
      agent.close();
    }
    agents.clear();
    if (registry != null) {
      registry.close();
      registry = null;
    }
    if (net != null) {
      net.close(); // kills the backends, deletes the namespaces and with them the veths
      net = null;
    }
    if (registryData != null) {
      TempFiles.deleteTree(registryData);
      registryData = null;
    }
  }

  @Test
  @Order(1)
  void aNodeReachesAServiceByClusterIpAndRequestsAreSpreadOverBothBackends() {
    String url = "http://" + webClusterIp + ":80/";

    List<String> answers = awaitAnswers(NODE2, url, 20, lines -> names(lines).size() == 2);

    assertThat(answers).allSatisfy(l -> assertThat(l).startsWith("200 "));
    assertThat(names(answers)).containsExactlyInAnyOrder(BACKEND1, BACKEND2);
  }

  @Test
  @Order(2)
  void aClientOutsideReachesTheBackendsThroughEitherNodesNodePort() {
    for (String node : List.of(NODE1, NODE2)) {
      String url = "http://" + net.host(node).address() + ":" + webNodePort + "/";

      List<String> answers = awaitAnswers(CLIENT, url, 10, lines -> names(lines).size() == 2);

      assertThat(answers).as(url).allSatisfy(l -> assertThat(l).startsWith("200 "));
      assertThat(names(answers)).as(url).containsExactlyInAnyOrder(BACKEND1, BACKEND2);
    }
  }

  @Test
  @Order(3)
  void withExternalTrafficPolicyLocalTheBackendSeesTheRealClientAddress() {
    String client = net.host(CLIENT).address();
    String viaNode2 = "http://" + net.host(NODE2).address() + ":" + localNodePort + "/";

    List<String> answers = awaitAnswers(CLIENT, viaNode2, 5, lines -> true);

    assertThat(answers).containsOnly("200 local-on-node2 xff=" + client);
  }

  @Test
  @Order(4)
  void withExternalTrafficPolicyLocalANodeWithoutAnEndpointDoesNotForward() {
    String viaNode1 = "http://" + net.host(NODE1).address() + ":" + localNodePort + "/";
    // node1's agent listens there (checked when starting), but has no endpoint of its own.
    assertThat(listening(NODE1)).contains(net.host(NODE1).address() + ":" + localNodePort);

    List<String> answers = probe(CLIENT, viaNode1, 3);
    System.out.println("NetnsTopologyIT: " + viaNode1 + " from the client: " + answers);

    assertThat(answers)
        .hasSize(3)
        .allSatisfy(l -> assertThat(l).doesNotStartWith("200").doesNotContain("local-on-node2"));
  }

  @Test
  @Order(5)
  void stoppedAgentsRemoveTheClusterIpsTheyAdded() {
    for (String node : List.of(NODE1, NODE2)) {
      assertThat(hasClusterIp(node))
          .as(webClusterIp + " on " + node + " while the agent runs")
          .isTrue();
    }

    for (MeridianProcess agent : agents) {
      agent.stop(); // SIGTERM, bounded
    }

    for (String node : List.of(NODE1, NODE2)) {
      await(webClusterIp + " and meridian0 gone from " + node)
          .atMost(Duration.ofSeconds(10))
          .pollInterval(POLL)
          .until(() -> !hasClusterIp(node) && !hasMeridian0(node));
    }
  }

  // --- helpers

  private static String manifests() {
    return """
        apiVersion: v1
        kind: Service
        metadata:
          name: web
        spec:
          type: NodePort
          selector: {app: web}
          ports:
          - {name: http, port: 80, targetPort: http, appProtocol: http}
        ---
        apiVersion: v1
        kind: Service
        metadata:
          name: local
        spec:
          type: NodePort
          externalTrafficPolicy: Local
          selector: {app: local}
          ports:
          - {name: http, port: 80, targetPort: http, appProtocol: http}
        ---
        apiVersion: meridian.io/v1
        kind: Instance
        metadata:
          name: web-backend1
          labels: {app: web}
        spec:
          address: %s
          ports: {http: %d}
        ---
        apiVersion: meridian.io/v1
        kind: Instance
        metadata:
          name: web-backend2
          labels: {app: web}
        spec:
          address: %s
          ports: {http: %d}
        ---
        apiVersion: meridian.io/v1
        kind: Instance
        metadata:
          name: local-node2
          labels: {app: local}
        spec:
          address: %s
          ports: {http: %d}
          node: node2
        """
        .formatted(
            net.host(BACKEND1).address(),
            BACKEND_PORT,
            net.host(BACKEND2).address(),
            BACKEND_PORT,
            net.host(NODE2).address(),
            BACKEND_PORT);
  }

  /** {@code java -jar meridian.jar args...} with the fast-starting options of a short command. */
  private static List<String> meridian(String... args) {
    return MeridianJar.command(
        List.of("-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xshare:auto"), List.of(args));
  }

  private static JsonNode getJson(String kind, String name) throws Exception {
    NetnsTopology.Result r =
        net.exec(NODE1, meridian("get", kind, name, "-o", "json", "--registry", registryUrl));
    assertThat(r.exitCode()).as(r.output()).isZero();
    return JSON.readTree(r.output());
  }

  private static int readyEndpoints(String service) throws Exception {
    NetnsTopology.Result r =
        net.exec(
            NODE1, meridian("get", "endpoints", service, "-o", "json", "--registry", registryUrl));
    if (!r.ok()) {
      return -1;
    }
    int ready = 0;
    for (JsonNode e : JSON.readTree(r.output()).path("endpoints")) {
      if (e.path("conditions").path("ready").asBoolean(true)) {
        ready++;
      }
    }
    return ready;
  }

  /**
   * The {@code address:port}s TCP sockets listen on in {@code host}'s namespace (Java's dual-stack
   * sockets show as {@code [::ffff:a.b.c.d]:port} in ss; given here as {@code a.b.c.d:port}).
   */
  private static List<String> listening(String host) {
    NetnsTopology.Result r = net.exec(host, List.of("ss", "-Htln"));
    assertThat(r.exitCode()).as(r.output()).isZero();
    return r.output()
        .lines()
        .map(l -> l.strip().split("\\s+"))
        .filter(f -> f.length >= 4)
        .map(f -> f[3].replace("[::ffff:", "").replace("]", ""))
        .toList();
  }

  /** Whether the web ClusterIP is an address of {@code host} (on meridian0, or on lo). */
  private static boolean hasClusterIp(String host) {
    NetnsTopology.Result r = net.exec(host, List.of("ip", "-o", "addr", "show"));
    return r.ok() && r.output().contains(" " + webClusterIp + "/32");
  }

  private static boolean hasMeridian0(String host) {
    return net.exec(host, List.of("ip", "link", "show", "meridian0")).ok();
  }

  /** {@code count} GETs of {@code url} from {@code host}: one line each (see NetnsHttpProbe). */
  private static List<String> probe(String host, String url, int count) {
    NetnsTopology.Result r = net.runJava(host, NetnsHttpProbe.class, url, "" + count);
    assertThat(r.exitCode()).as(r.output()).isZero();
    return r.output().lines().filter(l -> !l.isBlank()).toList();
  }

  /**
   * Probes until every answer is a 200 and {@code enough} holds (agents follow the registry
   * asynchronously), bounded by {@link #WAIT}; the last answers.
   */
  private static List<String> awaitAnswers(
      String host, String url, int count, java.util.function.Predicate<List<String>> enough) {
    List<List<String>> last = new ArrayList<>(List.of(List.of()));
    await("answers from " + url + " in " + host)
        .atMost(WAIT)
        .pollInterval(POLL)
        .untilAsserted(
            () -> {
              List<String> answers = probe(host, url, count);
              last.set(0, answers);
              assertThat(answers).hasSize(count).allSatisfy(l -> assertThat(l).startsWith("200 "));
              assertThat(enough.test(answers)).as(answers.toString()).isTrue();
            });
    return last.get(0);
  }

  /** The backend names in answers {@code 200 NAME xff=...}. */
  private static Set<String> names(List<String> answers) {
    Set<String> names = new HashSet<>();
    for (String l : answers) {
      String[] parts = l.split(" ");
      if (parts.length >= 2 && parts[0].equals("200")) {
        names.add(parts[1]);
      }
    }
    return names;
  }
}
