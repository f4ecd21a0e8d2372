package io.meridian.client.grpc;

import io.grpc.LoadBalancer;
import io.grpc.LoadBalancerProvider;
import io.grpc.NameResolver.ConfigOrError;
import io.grpc.Status;
import io.meridian.balancer.Policies;
import io.meridian.balancer.Policy;
import io.meridian.balancer.zone.ZoneConfig;
import java.util.HashMap;
import java.util.Map;

/**
 * Meridian's balancing policies for grpc-java, by name in a service config: {@code
 * meridian_round_robin}, {@code meridian_weighted_round_robin}, {@code meridian_random}, {@code
 * meridian_least_request}, {@code meridian_ring_hash}, {@code meridian_maglev}. The {@code
 * meridian_} prefix keeps them apart from grpc's own {@code round_robin} and friends.
 *
 * <pre>{@code
 * {"loadBalancingConfig": [{"meridian_maglev": {"hashOn": "header:x-user", "tableSize": 65537}}]}
 * }</pre>
 *
 * <p>The config is the policy's own keys (see each policy's provider) plus {@code hashOn}: {@code
 * header:NAME} hashes that request header for the hash policies (a call without it is balanced as
 * by {@code pick()}), and {@code localZone}: the caller's zone, preferred while at least 70 % of
 * its endpoints are READY. Registered through {@code META-INF/services}; one subclass per policy
 * because grpc's registry instantiates providers by class.
 *
 * <p>Thread-safety: stateless.
 */
public abstract class MeridianLoadBalancerProvider extends LoadBalancerProvider {

  /** The prefix of every Meridian policy name in grpc. */
  public static final String PREFIX = "meridian_";

  /** The config key naming what hash policies hash. */
  public static final String HASH_ON = "hashOn";

  /** The config key naming the caller's zone, preferred while enough of it is READY. */
  public static final String LOCAL_ZONE = "localZone";

  private final String policy;

  MeridianLoadBalancerProvider(String policy) {
    this.policy = policy;
  }

  @Override
  public boolean isAvailable() {
    return true;
  }

  @Override
  public int getPriority() {
    return 5;
  }

  @Override
  public String getPolicyName() {
    return PREFIX + policy;
  }

  @Override
  public ConfigOrError parseLoadBalancingPolicyConfig(Map<String, ?> raw) {
    Map<String, Object> config = new HashMap<>(raw == null ? Map.of() : raw);
    Object hashOn = config.remove(HASH_ON);
    Object localZone = config.remove(LOCAL_ZONE);
    if (localZone != null && !(localZone instanceof String)) {
      return ConfigOrError.fromError(
          Status.INVALID_ARGUMENT.withDescription(
              getPolicyName() + ": localZone must be a string, got " + localZone));
    }
    if (hashOn != null
        && !(hashOn instanceof String s && s.startsWith("header:") && s.length() > 7)
        && !"client_ip".equals(hashOn)) {
      return ConfigOrError.fromError(
          Status.INVALID_ARGUMENT.withDescription(
              getPolicyName()
                  + ": hashOn must be \"header:NAME\" or \"client_ip\", got "
                  + hashOn));
    }
    try {
      Policy p = Policies.create(policy, config);
      return ConfigOrError.fromConfig(
          new MeridianGrpcBalancer.Config(
              p,
              hashOn == null ? null : (String) hashOn,
              ZoneConfig.of(localZone == null ? "" : (String) localZone)));
    } catch (IllegalArgumentException e) {
      return ConfigOrError.fromError(
          Status.INVALID_ARGUMENT.withDescription(getPolicyName() + ": " + e.getMessage()));
    }
  }

  @Override
  public LoadBalancer newLoadBalancer(LoadBalancer.Helper helper) {
    return new MeridianGrpcBalancer(helper, Policies.create(policy));
  }

  /** {@code meridian_round_robin}. */
  public static final class RoundRobin extends MeridianLoadBalancerProvider {
    public RoundRobin() {
      super("round_robin");
    }
  }

  /** {@code meridian_weighted_round_robin}: smooth weighted round robin by instance weight. */
  public static final class WeightedRoundRobin extends MeridianLoadBalancerProvider {
    public WeightedRoundRobin() {
      super("weighted_round_robin");
    }
  }

  /** {@code meridian_random}: weighted random. */
  public static final class Random extends MeridianLoadBalancerProvider {
    public Random() {
      super("random");
    }
  }

  /** {@code meridian_least_request}: power of two choices over calls in flight. */
  public static final class LeastRequest extends MeridianLoadBalancerProvider {
    public LeastRequest() {
      super("least_request");
    }
  }

  /** {@code meridian_ring_hash}. */
  public static final class RingHash extends MeridianLoadBalancerProvider {
    public RingHash() {
      super("ring_hash");
    }
  }

  /** {@code meridian_maglev}. */
  public static final class Maglev extends MeridianLoadBalancerProvider {
    public Maglev() {
      super("maglev");
    }
  }
}
