package io.meridian.proxy.http2;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.google.common.util.concurrent.ListenableFuture;
import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.ClientCalls;
import io.meridian.api.Instance;
import io.meridian.api.InstanceSpec;
import io.meridian.api.IntOrString;
import io.meridian.api.ObjectMeta;
import io.meridian.api.Service;
import io.meridian.api.ServicePort;
import io.meridian.api.ServiceSpec;
import io.meridian.api.ServiceType;
import io.meridian.client.MeridianClient;
import io.meridian.proxy.DataPlane;
import io.meridian.proxy.DataPlaneConfig;
import io.meridian.proxy.ProxySettings;
import io.meridian.proxy.SidecarUpstream;
import io.meridian.proxy.Transport;
import io.meridian.proxy.cluster.UpstreamCluster;
import io.meridian.registry.RegistryConfig;
import io.meridian.registry.RegistryServer;
import io.meridian.testkit.NettyLeakCheck;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The h2c/gRPC proxy end to end, over real sockets: a registry in process, real grpc-java backends,
 * a {@link DataPlane} serving a sidecar upstream, and grpc-java (or Netty's HTTP/2 codec) as the
 * client.
 */
@ExtendWith(NettyLeakCheck.class)
class Http2ProxyTest {

  private static final Duration WAIT = Duration.ofSeconds(20);

  @TempDir Path dir;
  private RegistryServer registry;
  private MeridianClient client;
  private EventLoopGroup group;
  private EventLoopGroup testGroup;
  private DataPlane dataPlane;
  private final List<Greeter> backends = new ArrayList<>();
  private final List<ManagedChannel> channels = new ArrayList<>();

  @BeforeEach
  void startRegistry() throws Exception {
    registry =
        RegistryServer.create(
            RegistryConfig.builder(dir).port(0).fsync(false).serviceCidr("127.96.0.0/16").build());
    registry.start().get(30, TimeUnit.SECONDS);
  }

  @AfterEach
  void stopAll() throws Exception {
    for (ManagedChannel c : channels) {
      c.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
    if (dataPlane != null) {
      dataPlane.close();
    }
    if (client != null) {
      client.close();
    }
    for (EventLoopGroup g : new EventLoopGroup[] {group, testGroup}) {
      if (g != null) {
        g.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
      }
    }
    for (Greeter b : backends) {
      b.close();
    }
    registry.close();
  }

  @Test
  void eachCallOfOneChannelPicksItsOwnBackend() throws Exception {
    service("greeter");
    for (String n : List.of("a", "b", "c")) {
      instance("greeter", n, backend(n).port());
    }
    int port = proxy(ProxySettings.DEFAULTS, "greeter", 3);
    ManagedChannel ch = channel(port);

    Map<String, Integer> counts = new TreeMap<>();
    for (int i = 0; i < 3000; i++) {
      counts.merge(call(ch, Greeter.SAY_HELLO), 1, Integer::sum);
    }

    assertThat(counts).containsOnlyKeys("a", "b", "c");
    assertThat(counts.values()).allSatisfy(c -> assertThat(c).isGreaterThanOrEqualTo(750));
    assertThat(backends)
        .allSatisfy(b -> assertThat(b.lastForwardedFor.get()).isEqualTo("127.0.0.1"));
    UpstreamCluster cluster = dataPlane.clusters().get(0);
    assertThat(cluster.stats().responses[2].sum()).isGreaterThanOrEqualTo(3000);
    assertThat(cluster.inFlight()).isZero();
    assertThat(cluster.stats().activeConnections.sum())
        .as("one multiplexed connection per backend")
        .isEqualTo(3);
  }

  @Test
  void twoThousandCallsFiredAtOnceThroughAFreshProxyAllSucceedAndSpread() throws Exception {
    service("greeter");
    for (String n : List.of("a", "b", "c")) {
      instance("greeter", n, backend(n).port());
    }
    int port = proxy(ProxySettings.DEFAULTS, "greeter", 3);
    ManagedChannel ch = channel(port);

    // All at once, before any upstream connection exists: most streams wait for a connection
    // and are opened in a burst when its SETTINGS arrive.
    List<ListenableFuture<String>> calls = new ArrayList<>();
    for (int i = 0; i < 2000; i++) {
      calls.add(
          ClientCalls.futureUnaryCall(
              ch.newCall(
                  Greeter.SAY_HELLO, CallOptions.DEFAULT.withDeadlineAfter(20, TimeUnit.SECONDS)),
              "hi"));
    }
    Map<String, Integer> counts = new TreeMap<>();
    for (ListenableFuture<String> c : calls) {
      counts.merge(c.get(30, TimeUnit.SECONDS), 1, Integer::sum);
    }

    assertThat(counts).containsOnlyKeys("a", "b", "c");
    assertThat(counts.values()).allSatisfy(c -> assertThat(c).isGreaterThanOrEqualTo(500));
    assertThat(dataPlane.clusters().get(0).inFlight()).isZero();
  }

  @Test
  void anEndpointThatAcceptsButNeverSpeaksHttp2IsGivenUpAfterTheConnectTimeout() throws Exception {
    service("greeter");
    instance("greeter", "a", backend("a").port());
    // The kernel completes the handshake into the backlog; nothing ever reads or answers.
    try (ServerSocket silent = new ServerSocket(0, 1000, InetAddress.getByName("127.0.0.1"))) {
      instance("greeter", "silent", silent.getLocalPort());
      int port =
          proxy(ProxySettings.DEFAULTS.withConnectTimeout(Duration.ofMillis(300)), "greeter", 2);
      ManagedChannel ch = channel(port);

      List<ListenableFuture<String>> calls = new ArrayList<>();
      for (int i = 0; i < 200; i++) {
        calls.add(
            ClientCalls.futureUnaryCall(
                ch.newCall(
                    Greeter.SAY_HELLO, CallOptions.DEFAULT.withDeadlineAfter(5, TimeUnit.SECONDS)),
                "hi"));
      }
      for (ListenableFuture<String> c : calls) {
        assertThat(c.get(10, TimeUnit.SECONDS)).isEqualTo("a");
      }
      UpstreamCluster cluster = dataPlane.clusters().get(0);
      assertThat(cluster.stats().connectFailures.sum())
          .as("connections to the silent endpoint, each counted once")
          .isPositive()
          .isLessThan(200);
      assertThat(cluster.inFlight()).isZero();
    }
  }

  @Test
  void largeMessagesFlowBothWaysWhileCallsShareConnections() throws Exception {
    service("greeter");
    for (String n : List.of("a", "b", "c")) {
      instance("greeter", n, backend(n).port());
    }
    int port = proxy(ProxySettings.DEFAULTS, "greeter", 3);
    ManagedChannel ch = channel(port);
    String big = "x".repeat(2 * 1024 * 1024); // past every flow-control window and the retry hold

    List<ListenableFuture<String>> calls = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      calls.add(
          ClientCalls.futureUnaryCall(
              ch.newCall(Greeter.ECHO, CallOptions.DEFAULT.withDeadlineAfter(20, TimeUnit.SECONDS)),
              i + big));
    }
    for (int i = 0; i < calls.size(); i++) {
      String answer = calls.get(i).get(30, TimeUnit.SECONDS);
      assertThat(answer).matches("[abc]:" + i + "x+");
      assertThat(answer.length()).isEqualTo(2 + String.valueOf(i).length() + big.length());
    }
    assertThat(dataPlane.clusters().get(0).inFlight()).isZero();
  }

  @Test
  void aRemovedBackendGetsNoCallsAndItsConnectionCloses() throws Exception {
    service("greeter");
    for (String n : List.of("a", "b", "c")) {
      instance("greeter", n, backend(n).port());
    }
    int port = proxy(ProxySettings.DEFAULTS, "greeter", 3);
    ManagedChannel ch = channel(port);
    for (int i = 0; i < 60; i++) {
      call(ch, Greeter.SAY_HELLO);
    }
    UpstreamCluster cluster = dataPlane.clusters().get(0);
    assertThat(cluster.stats().activeConnections.sum()).isEqualTo(3);

    registry
        .resources()
        .delete(io.meridian.api.Kind.INSTANCE, "default", "c", 0, null)
        .get(10, TimeUnit.SECONDS);
    await().atMost(WAIT).until(() -> cluster.balancer().endpoints().size() == 2);

    Map<String, Integer> counts = new TreeMap<>();
    for (int i = 0; i < 60; i++) {
      counts.merge(call(ch, Greeter.SAY_HELLO), 1, Integer::sum);
    }
    assertThat(counts).containsOnlyKeys("a", "b");
    await()
        .atMost(Duration.ofSeconds(5))
        .untilAsserted(() -> assertThat(cluster.stats().activeConnections.sum()).isEqualTo(2));
  }

  @Test
  void aBackendStoppedMidRunIsRoutedAroundAtOnce() throws Exception {
    service("greeter");
    for (String n : List.of("a", "b", "c")) {
      instance("greeter", n, backend(n).port());
    }
    int port = proxy(ProxySettings.DEFAULTS, "greeter", 3);
    ManagedChannel ch = channel(port);
    for (int i = 0; i < 300; i++) {
      call(ch, Greeter.SAY_HELLO);
    }

    backends.get(1).close(); // "b" stops; the registry still lists it
    long until = System.nanoTime() + Duration.ofSeconds(1).toNanos();
    while (System.nanoTime() < until) {
      try {
        call(ch, Greeter.SAY_HELLO);
      } catch (StatusRuntimeException e) {
        // a call in flight when b stopped may fail
      }
    }

    Map<String, Integer> counts = new TreeMap<>();
    for (int i = 0; i < 600; i++) {
      counts.merge(call(ch, Greeter.SAY_HELLO), 1, Integer::sum);
    }
    assertThat(counts).containsOnlyKeys("a", "c");
    UpstreamCluster cluster = dataPlane.clusters().get(0);
    assertThat(cluster.stats().connectFailures.sum())
        .as("b was still picked, and retried")
        .isPositive();
    assertThat(cluster.inFlight()).isZero();
  }

  @Test
  void aStreamTheBackendRefusesIsRetriedOnAnother() throws Exception {
    service("greeter");
    instance("greeter", "a", backend("a").port());
    testGroup = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    try (RefusingServer refuser = new RefusingServer(testGroup)) {
      instance("greeter", "refuser", refuser.port());
      int port = proxy(ProxySettings.DEFAULTS, "greeter", 2);
      ManagedChannel ch = channel(port);

      for (int i = 0; i < 200; i++) {
        assertThat(call(ch, Greeter.SAY_HELLO)).isEqualTo("a");
      }
      assertThat(refuser.refused.get()).as("streams the refuser saw and refused").isPositive();
      UpstreamCluster cluster = dataPlane.clusters().get(0);
      // Every stream the refuser refused was retried. A retry may also follow a stream whose
      // HEADERS never reached it (the write failed on the proxy's side), so not "equal".
      assertThat(cluster.stats().retries.sum())
          .as("retries, against streams refused")
          .isGreaterThanOrEqualTo(refuser.refused.get());
      assertThat(cluster.inFlight()).isZero();
    }
  }

  @Test
  void aServiceWithoutEndpointsAnswers503OrUnavailable() throws Exception {
    service("empty");
    int port = proxy(ProxySettings.DEFAULTS, "empty", 0);

    testGroup = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    try (H2cClient h2 = new H2cClient(testGroup, port)) {
      H2cClient.Response r = h2.get("/");
      assertThat(r.status()).isEqualTo(503);
      assertThat(r.body()).contains("no ready endpoint");
      assertThat(h2.get("/again").status()).as("the connection stays usable").isEqualTo(503);
    }
    await()
        .atMost(Duration.ofSeconds(5))
        .alias("a client that closed is closed")
        .until(() -> dataPlane.connections() == 0);

    ManagedChannel ch = channel(port);
    assertThatThrownBy(() -> call(ch, Greeter.SAY_HELLO))
        .isInstanceOfSatisfying(
            StatusRuntimeException.class,
            e -> {
              assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
              assertThat(e.getStatus().getDescription()).contains("no ready endpoint");
            });
  }

  @Test
  void aBackendThatDoesNotAnswerInTimeIsCutOffAndTheChannelGoesOn() throws Exception {
    service("greeter");
    Greeter only = backend("a");
    instance("greeter", "a", only.port());
    int port =
        proxy(ProxySettings.DEFAULTS.withRequestTimeout(Duration.ofMillis(300)), "greeter", 1);
    ManagedChannel ch = channel(port);

    assertThatThrownBy(() -> call(ch, Greeter.NEVER))
        .isInstanceOfSatisfying(
            StatusRuntimeException.class,
            e -> {
              assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
              assertThat(e.getStatus().getDescription()).contains("did not answer within");
            });
    assertThat(call(ch, Greeter.SAY_HELLO)).isEqualTo("a");

    // A client that gives up first cancels its stream; the proxy cancels the upstream one.
    assertThatThrownBy(
            () ->
                ClientCalls.blockingUnaryCall(
                    ch,
                    Greeter.NEVER,
                    CallOptions.DEFAULT.withDeadlineAfter(100, TimeUnit.MILLISECONDS),
                    "hi"))
        .isInstanceOfSatisfying(
            StatusRuntimeException.class,
            e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.DEADLINE_EXCEEDED));
    await().atMost(Duration.ofSeconds(5)).until(() -> dataPlane.clusters().get(0).inFlight() == 0);
    assertThat(call(ch, Greeter.SAY_HELLO)).isEqualTo("a");
  }

  // ---- fixtures ------------------------------------------------------------------------------

  private Greeter backend(String name) throws Exception {
    Greeter g = Greeter.start(name);
    backends.add(g);
    return g;
  }

  /** Starts the data plane with a sidecar for {@code service}'s port grpc; returns its port. */
  private int proxy(ProxySettings settings, String service, int endpoints) throws Exception {
    client = MeridianClient.connect(registry.uri());
    client.ready().get(WAIT.toSeconds(), TimeUnit.SECONDS);
    await()
        .atMost(WAIT)
        .until(
            () ->
                client.watch().current() != null
                    && client.watch().current().service("default", service).isPresent()
                    && client.watch().current().endpoints("default", service).size() == endpoints);
    int port = freePort();
    DataPlaneConfig config =
        new DataPlaneConfig(
            DataPlaneConfig.Role.AGENT,
            "node-1",
            List.of(),
            List.of(SidecarUpstream.parse("default/" + service + ":grpc=127.0.0.1:" + port)),
            false);
    Transport transport = Transport.best();
    group = transport.group(2);
    dataPlane = new DataPlane(client, config, settings, transport, group, false);
    dataPlane.start();
    await()
        .atMost(WAIT)
        .until(
            () ->
                dataPlane.routes().size() == 1
                    && dataPlane.routes().get(0).listener().appProtocol().equals("grpc")
                    && dataPlane.bindErrors().isEmpty()
                    && dataPlane.clusters().get(0).balancer().endpoints().size() == endpoints);
    return port;
  }

  private ManagedChannel channel(int port) {
    // A socket address, not "host:port": meridian-client's resolver is the default scheme here.
    ManagedChannel ch =
        NettyChannelBuilder.forAddress(new InetSocketAddress("127.0.0.1", port))
            .usePlaintext()
            .build();
    channels.add(ch);
    return ch;
  }

  private static String call(ManagedChannel ch, MethodDescriptor<String, String> method) {
    return ClientCalls.blockingUnaryCall(
        ch, method, CallOptions.DEFAULT.withDeadlineAfter(5, TimeUnit.SECONDS), "hi");
  }

  private void service(String name) throws Exception {
    ServiceSpec spec =
        ServiceSpec.of(
            ServiceType.ClusterIP,
            Map.of("app", name),
            List.of(
                new ServicePort(
                    "grpc", ServicePort.Protocol.TCP, 9000, IntOrString.of("grpc"), null, "grpc")));
    registry
        .resources()
        .write(new Service(ObjectMeta.of("default", name), spec), false)
        .get(10, TimeUnit.SECONDS);
  }

  private void instance(String service, String name, int port) throws Exception {
    registry
        .resources()
        .write(
            new Instance(
                ObjectMeta.of("default", name, Map.of("app", service)),
                new InstanceSpec(
                    "127.0.0.1", Map.of("grpc", port), null, null, null, null, null, null)),
            false)
        .get(10, TimeUnit.SECONDS);
  }

  private static int freePort() throws Exception {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
      return s.getLocalPort();
    }
  }
}
