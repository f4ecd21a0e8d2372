package io.meridian.client.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Server;
import io.grpc.ServerServiceDefinition;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.MetadataUtils;
import io.grpc.stub.ServerCalls;
import io.meridian.api.Instance;
import io.meridian.api.InstanceSpec;
import io.meridian.api.IntOrString;
import io.meridian.api.LoadBalancing;
import io.meridian.api.ObjectMeta;
import io.meridian.api.Service;
import io.meridian.api.ServicePort;
import io.meridian.api.ServiceSpec;
import io.meridian.api.ServiceType;
import io.meridian.client.it.Greeter;
import io.meridian.registry.RegistryConfig;
import io.meridian.registry.RegistryServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * grpc-java channels on {@code meridian://} targets against a real registry and real gRPC servers
 * on loopback: the policy comes from the Service, follows changes to it, hashes a header for
 * affinity, and a call to a service with nothing to call fails with the reason.
 */
class GrpcBalancingTest {

  private static final MethodDescriptor<String, String> WHO =
      MethodDescriptor.<String, String>newBuilder()
          .setType(MethodDescriptor.MethodType.UNARY)
          .setFullMethodName("meridian.test.Who/Am")
          .setRequestMarshaller(Greeter.UTF8)
          .setResponseMarshaller(Greeter.UTF8)
          .build();

  @TempDir Path dir;
  private RegistryServer registry;
  private final List<Server> servers = new ArrayList<>();
  private final List<ManagedChannel> channels = new ArrayList<>();

  @BeforeEach
  void startRegistry() throws Exception {
    registry = RegistryServer.create(RegistryConfig.builder(dir).port(0).fsync(false).build());
    registry.start().get(30, TimeUnit.SECONDS);
  }

  @AfterEach
  void stopAll() throws Exception {
    for (ManagedChannel c : channels) {
      c.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
    for (Server s : servers) {
      s.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
    registry.close();
  }

  @Test
  void roundRobinByDefaultOverEveryReadyInstance() throws Exception {
    service("who", null);
    for (String n : List.of("a", "b", "c")) {
      instance("who", n, serve(n));
    }
    ManagedChannel ch = channel("who");
    awaitAll(ch, 3);

    Map<String, Integer> counts = new TreeMap<>();
    for (int i = 0; i < 300; i++) {
      counts.merge(call(ch, null), 1, Integer::sum);
    }
    assertThat(counts).containsOnlyKeys("a", "b", "c");
    assertThat(counts.values()).allSatisfy(c -> assertThat(c).isEqualTo(100));
  }

  @Test
  void maglevFromTheServiceKeepsAHeaderOnOneServer() throws Exception {
    service("who", new LoadBalancing("maglev", "header:x-user"));
    for (String n : List.of("a", "b", "c")) {
      instance("who", n, serve(n));
    }
    ManagedChannel ch = channel("who");
    awaitAll(ch, 3);

    Set<String> owners = new HashSet<>();
    for (int user = 0; user < 30; user++) {
      String first = call(ch, "user-" + user);
      owners.add(first);
      for (int i = 0; i < 10; i++) {
        assertThat(call(ch, "user-" + user)).as("user-%d", user).isEqualTo(first);
      }
    }
    assertThat(owners).as("30 users spread over more than one server").hasSizeGreaterThan(1);
  }

  @Test
  void followsAChangeOfPolicyAndOfInstances() throws Exception {
    service("who", null);
    instance("who", "a", serve("a"));
    instance("who", "b", serve("b"));
    ManagedChannel ch = channel("who");
    awaitAll(ch, 2);

    service("who", new LoadBalancing("ring_hash", "header:x-user"));
    instance("who", "c", serve("c"));
    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () -> {
              Set<String> seen = new HashSet<>();
              for (int i = 0; i < 60; i++) {
                seen.add(call(ch, "u" + i));
              }
              assertThat(seen).contains("c");
              // ring hash now: one user, one server
              String first = call(ch, "sticky");
              for (int i = 0; i < 20; i++) {
                assertThat(call(ch, "sticky")).isEqualTo(first);
              }
            });

    registry
        .resources()
        .delete(io.meridian.api.Kind.INSTANCE, "default", "c", 0, null)
        .get(10, TimeUnit.SECONDS);
    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () -> {
              Set<String> seen = new HashSet<>();
              for (int i = 0; i < 60; i++) {
                seen.add(call(ch, "u" + i));
              }
              assertThat(seen).containsOnly("a", "b");
            });
  }

  @Test
  void aServiceConfigPicksAMeridianPolicyByNameWithALocalZone() throws Exception {
    service("who", null);
    instance("who", "near-1", serve("near-1"), "z1");
    instance("who", "near-2", serve("near-2"), "z1");
    instance("who", "far", serve("far"), "z2");
    Map<String, Object> config =
        Map.of(
            "loadBalancingConfig",
            List.of(Map.of("meridian_least_request", Map.of("localZone", "z1"))));
    ManagedChannel ch =
        ManagedChannelBuilder.forTarget(target("who"))
            .usePlaintext()
            .defaultServiceConfig(config)
            .disableServiceConfigLookUp()
            .build();
    channels.add(ch);
    awaitAll(ch, 2);

    Map<String, Integer> counts = new TreeMap<>();
    for (int i = 0; i < 200; i++) {
      counts.merge(call(ch, null), 1, Integer::sum);
    }
    assertThat(counts).containsOnlyKeys("near-1", "near-2");

    for (Server s : servers.subList(0, 2)) {
      s.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
    await()
        .atMost(Duration.ofSeconds(10))
        .ignoreExceptions()
        .until(() -> call(ch, null).equals("far"));
  }

  @Test
  void grpcsOutlierDetectionWrapsAMeridianPolicy() throws Exception {
    service("who", null);
    for (String n : List.of("a", "b", "c")) {
      instance("who", n, serve(n));
    }
    Map<String, Object> config =
        Map.of(
            "loadBalancingConfig",
            List.of(
                Map.of(
                    "outlier_detection_experimental",
                    Map.of(
                        "interval",
                        "1s",
                        "childPolicy",
                        List.of(Map.of("meridian_weighted_round_robin", Map.of()))))));
    ManagedChannel ch =
        ManagedChannelBuilder.forTarget(target("who"))
            .usePlaintext()
            .defaultServiceConfig(config)
            .disableServiceConfigLookUp()
            .build();
    channels.add(ch);
    awaitAll(ch, 3);
    Map<String, Integer> counts = new TreeMap<>();
    for (int i = 0; i < 90; i++) {
      counts.merge(call(ch, null), 1, Integer::sum);
    }
    assertThat(counts).containsOnlyKeys("a", "b", "c");
  }

  @Test
  void aMissingServiceFailsWithTheReason() throws Exception {
    ManagedChannel ch = channel("nosuch");
    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () ->
                assertThatThrownBy(() -> call(ch, null))
                    .isInstanceOfSatisfying(
                        StatusRuntimeException.class,
                        e -> {
                          assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
                          assertThat(e.getStatus().getDescription())
                              .contains("service default/nosuch does not exist");
                        }));
  }

  @Test
  void aServiceWithoutReadyEndpointsFailsWithTheReason() throws Exception {
    service("who", null);
    ManagedChannel ch = channel("who");
    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () ->
                assertThatThrownBy(() -> call(ch, null))
                    .hasMessageContaining(
                        "service default/who has no ready endpoint for port grpc"));
    instance("who", "late", serve("late"));
    await()
        .atMost(Duration.ofSeconds(10))
        .ignoreExceptions()
        .until(() -> call(ch, null).equals("late"));
  }

  // ---- fixtures ------------------------------------------------------------------------------

  private int serve(String name) throws IOException {
    Server s =
        NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
            .addService(
                ServerServiceDefinition.builder("meridian.test.Who")
                    .addMethod(
                        WHO,
                        ServerCalls.asyncUnaryCall(
                            (req, resp) -> {
                              resp.onNext(name);
                              resp.onCompleted();
                            }))
                    .build())
            .build()
            .start();
    servers.add(s);
    return s.getPort();
  }

  private void service(String name, LoadBalancing lb) throws Exception {
    ServiceSpec spec =
        ServiceSpec.of(
            ServiceType.ClusterIP,
            Map.of("app", name),
            List.of(
                new ServicePort(
                    "grpc", ServicePort.Protocol.TCP, 9000, IntOrString.of("grpc"), null, null)));
    if (lb != null) {
      spec = spec.withLoadBalancing(lb);
    }
    registry
        .resources()
        .write(new Service(ObjectMeta.of("default", name), spec), false)
        .get(10, TimeUnit.SECONDS);
  }

  private void instance(String service, String name, int port) throws Exception {
    instance(service, name, port, null);
  }

  private void instance(String service, String name, int port, String zone) throws Exception {
    registry
        .resources()
        .write(
            new Instance(
                ObjectMeta.of("default", name, Map.of("app", service)),
                new InstanceSpec(
                    "127.0.0.1", Map.of("grpc", port), null, zone, null, null, null, null)),
            false)
        .get(10, TimeUnit.SECONDS);
  }

  private String target(String service) {
    return "meridian://"
        + registry.uri().getHost()
        + ":"
        + registry.uri().getPort()
        + "/default/"
        + service;
  }

  private ManagedChannel channel(String service) {
    ManagedChannel ch = ManagedChannelBuilder.forTarget(target(service)).usePlaintext().build();
    channels.add(ch);
    return ch;
  }

  private static String call(ManagedChannel ch, String user) {
    Metadata h = new Metadata();
    if (user != null) {
      h.put(Metadata.Key.of("x-user", Metadata.ASCII_STRING_MARSHALLER), user);
    }
    return ClientCalls.blockingUnaryCall(
        io.grpc.ClientInterceptors.intercept(ch, MetadataUtils.newAttachHeadersInterceptor(h)),
        WHO,
        CallOptions.DEFAULT.withDeadlineAfter(5, TimeUnit.SECONDS),
        "?");
  }

  private static void awaitAll(ManagedChannel ch, int n) {
    await()
        .atMost(Duration.ofSeconds(20))
        .ignoreExceptions()
        .until(
            () -> {
              Set<String> seen = new HashSet<>();
              for (int i = 0; i < 3 * n; i++) {
                seen.add(call(ch, null));
              }
              return seen.size() == n;
            });
  }
}
