package io.meridian.client.grpc;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.LoadBalancerProvider;
import io.grpc.LoadBalancerRegistry;
import io.grpc.NameResolver;
import io.grpc.NameResolverProvider;
import io.grpc.NameResolverRegistry;
import io.grpc.Status;
import io.grpc.SynchronizationContext;
import io.meridian.api.LoadBalancing;
import io.meridian.balancer.zone.ZoneConfig;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Meridian's gRPC policies and resolver, found the way a channel finds them. (A real channel
 * against a real registry is {@code GrpcBalancingTest}'s.)
 */
class MeridianLoadBalancerProviderTest {

  private static LoadBalancerProvider provider(String name) {
    LoadBalancerProvider p = LoadBalancerRegistry.getDefaultRegistry().getProvider(name);
    assertThat(p).as(name).isNotNull();
    return p;
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "round_robin",
        "weighted_round_robin",
        "random",
        "least_request",
        "ring_hash",
        "maglev"
      })
  void everyPolicyIsFoundInGrpcsRegistryUnderItsPrefixedName(String policy) {
    LoadBalancerProvider p = provider("meridian_" + policy);

    assertThat(p).isInstanceOf(MeridianLoadBalancerProvider.class);
    assertThat(p.getPolicyName()).isEqualTo("meridian_" + policy);
    assertThat(p.isAvailable()).isTrue();
    NameResolver.ConfigOrError c = p.parseLoadBalancingPolicyConfig(Map.of());
    assertThat(c.getError()).isNull();
    assertThat(((MeridianGrpcBalancer.Config) c.getConfig()).policy().name()).isEqualTo(policy);
  }

  @Test
  void grpcsOwnPoliciesKeepTheirNames() {
    assertThat(LoadBalancerRegistry.getDefaultRegistry().getProvider("maglev")).isNull();
    assertThat(LoadBalancerRegistry.getDefaultRegistry().getProvider("round_robin"))
        .isNotInstanceOf(MeridianLoadBalancerProvider.class);
  }

  @Test
  void aGoodConfigIsParsedWithItsHashOnAndPolicyKeys() {
    NameResolver.ConfigOrError c =
        provider("meridian_maglev")
            .parseLoadBalancingPolicyConfig(Map.of("hashOn", "header:x-user", "tableSize", 251.0));

    assertThat(c.getError()).isNull();
    MeridianGrpcBalancer.Config config = (MeridianGrpcBalancer.Config) c.getConfig();
    assertThat(config.hashOn()).isEqualTo("header:x-user");
    assertThat(config.policy().name()).isEqualTo("maglev");
  }

  @Test
  void clientIpIsAnAcceptedHashOn() {
    NameResolver.ConfigOrError c =
        provider("meridian_ring_hash")
            .parseLoadBalancingPolicyConfig(Map.of("hashOn", "client_ip"));

    assertThat(c.getError()).isNull();
    assertThat(((MeridianGrpcBalancer.Config) c.getConfig()).hashOn()).isEqualTo("client_ip");
  }

  @Test
  void anUnknownKeyIsAnErrorNamingItAndThePolicy() {
    NameResolver.ConfigOrError c =
        provider("meridian_maglev").parseLoadBalancingPolicyConfig(Map.of("tableSiz", 251));

    assertThat(c.getConfig()).isNull();
    assertThat(c.getError().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
    assertThat(c.getError().getDescription()).contains("meridian_maglev").contains("\"tableSiz\"");
  }

  @Test
  void aPolicyTakingNoConfigRefusesAnyKey() {
    NameResolver.ConfigOrError c =
        provider("meridian_round_robin").parseLoadBalancingPolicyConfig(Map.of("tableSize", 251));

    assertThat(c.getError()).isNotNull();
    assertThat(c.getError().getDescription())
        .contains("meridian_round_robin")
        .contains("tableSize");
  }

  @Test
  void aBadValueIsAnErrorNamingTheKey() {
    NameResolver.ConfigOrError c =
        provider("meridian_maglev").parseLoadBalancingPolicyConfig(Map.of("tableSize", "big"));

    assertThat(c.getError()).isNotNull();
    assertThat(c.getError().getDescription()).contains("tableSize").contains("big");
  }

  @ParameterizedTest
  @ValueSource(strings = {"header:", "cookie:session", "client-ip", ""})
  void aBadHashOnIsAnErrorNamingTheField(String hashOn) {
    NameResolver.ConfigOrError c =
        provider("meridian_ring_hash").parseLoadBalancingPolicyConfig(Map.of("hashOn", hashOn));

    assertThat(c.getConfig()).isNull();
    assertThat(c.getError().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
    assertThat(c.getError().getDescription()).contains("meridian_ring_hash").contains("hashOn");
  }

  @Test
  void aHashOnThatIsNotAStringIsAnError() {
    NameResolver.ConfigOrError c =
        provider("meridian_maglev").parseLoadBalancingPolicyConfig(Map.of("hashOn", 7.0));

    assertThat(c.getError()).isNotNull();
    assertThat(c.getError().getDescription()).contains("hashOn");
  }

  @Test
  void aLocalZoneIsCarriedToTheBalancer() {
    NameResolver.ConfigOrError c =
        provider("meridian_round_robin").parseLoadBalancingPolicyConfig(Map.of("localZone", "z1"));

    assertThat(c.getError()).isNull();
    MeridianGrpcBalancer.Config config = (MeridianGrpcBalancer.Config) c.getConfig();
    assertThat(config.zone()).isEqualTo(ZoneConfig.of("z1"));
    assertThat(config.hashOn()).isNull();
  }

  @Test
  void withoutALocalZoneNoZoneIsPreferred() {
    NameResolver.ConfigOrError c =
        provider("meridian_random").parseLoadBalancingPolicyConfig(Map.of());

    assertThat(((MeridianGrpcBalancer.Config) c.getConfig()).zone()).isEqualTo(ZoneConfig.of(""));
  }

  @Test
  void aLocalZoneThatIsNotAStringIsAnErrorNamingIt() {
    NameResolver.ConfigOrError c =
        provider("meridian_round_robin").parseLoadBalancingPolicyConfig(Map.of("localZone", 3.0));

    assertThat(c.getConfig()).isNull();
    assertThat(c.getError().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
    assertThat(c.getError().getDescription())
        .contains("meridian_round_robin")
        .contains("localZone");
  }

  // ---- the resolver -------------------------------------------------------------------------

  @Test
  void theMeridianSchemeIsFoundInGrpcsResolverRegistry() {
    NameResolverProvider p =
        NameResolverRegistry.getDefaultRegistry().getProviderForScheme("meridian");

    assertThat(p).isInstanceOf(MeridianNameResolverProvider.class);
    assertThat(p.getProducedSocketAddressTypes()).containsExactly(InetSocketAddress.class);
  }

  @Test
  void aResolverIsMadeForAMeridianTargetWithoutConnecting() {
    NameResolver r =
        NameResolverRegistry.getDefaultRegistry()
            .asFactory()
            .newNameResolver(URI.create("meridian://127.0.0.1:1/prod/greeter:grpc"), args());

    assertThat(r).isInstanceOf(MeridianNameResolver.class);
    assertThat(r.getServiceAuthority()).isEqualTo("greeter.prod");
    r.shutdown(); // never started: nothing to release
  }

  @Test
  void theProviderDeclinesOtherSchemes() {
    assertThat(
            new MeridianNameResolverProvider()
                .newNameResolver(URI.create("dns:///greeter"), args()))
        .isNull();
  }

  private static NameResolver.Args args() {
    return NameResolver.Args.newBuilder()
        .setDefaultPort(443)
        .setProxyDetector(address -> null)
        .setSynchronizationContext(
            new SynchronizationContext(
                (t, e) -> {
                  throw new AssertionError(e);
                }))
        .setServiceConfigParser(
            new NameResolver.ServiceConfigParser() {
              @Override
              public NameResolver.ConfigOrError parseServiceConfig(Map<String, ?> config) {
                return NameResolver.ConfigOrError.fromConfig(config);
              }
            })
        .build();
  }

  @Test
  void theKnownPolicyNamesMatchTheApisList() {
    List<String> names = LoadBalancing.POLICIES.stream().map(p -> "meridian_" + p).toList();
    assertThat(names).allSatisfy(n -> assertThat(provider(n)).isNotNull());
  }
}
