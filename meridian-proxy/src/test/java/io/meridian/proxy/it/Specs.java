package io.meridian.proxy.it;

import io.meridian.api.HealthCheck;
import io.meridian.api.Instance;
import io.meridian.api.InstanceSpec;
import io.meridian.api.ObjectMeta;
import io.meridian.api.Service;
import io.meridian.api.ServiceSpec;
import java.util.Map;

/**
 * Services and instances with the fields {@link ProxyFixture}'s plain ones leave out (traffic
 * policy, session affinity, health check, annotations, node), built through the records'
 * constructors since the API has no withers for them.
 *
 * <p>Thread-safety: stateless.
 */
final class Specs {

  private Specs() {}

  /** {@code s} with {@code spec} replaced by {@code edit(spec)}. */
  static Service edit(Service s, java.util.function.UnaryOperator<Fields> edit) {
    Fields f = edit.apply(new Fields(s.spec()));
    return s.withSpec(f.build());
  }

  /** The fields of a {@link ServiceSpec} this package's tests change. */
  static final class Fields {
    private final ServiceSpec base;
    ServiceSpec.SessionAffinity sessionAffinity;
    ServiceSpec.SessionAffinityConfig sessionAffinityConfig;
    ServiceSpec.TrafficPolicy externalTrafficPolicy;
    ServiceSpec.TrafficPolicy internalTrafficPolicy;
    HealthCheck healthCheck;

    Fields(ServiceSpec base) {
      this.base = base;
      this.sessionAffinity = base.sessionAffinity();
      this.sessionAffinityConfig = base.sessionAffinityConfig();
      this.externalTrafficPolicy = base.externalTrafficPolicy();
      this.internalTrafficPolicy = base.internalTrafficPolicy();
      this.healthCheck = base.healthCheck();
    }

    Fields clientIpAffinity() {
      sessionAffinity = ServiceSpec.SessionAffinity.ClientIP;
      return this;
    }

    Fields externalLocal() {
      externalTrafficPolicy = ServiceSpec.TrafficPolicy.Local;
      return this;
    }

    Fields healthCheck(HealthCheck hc) {
      healthCheck = hc;
      return this;
    }

    ServiceSpec build() {
      ServiceSpec b = base;
      return new ServiceSpec(
          b.type(),
          b.selector(),
          b.ports(),
          b.clusterIP(),
          b.clusterIPs(),
          b.ipFamilies(),
          b.ipFamilyPolicy(),
          b.externalIPs(),
          sessionAffinity,
          sessionAffinityConfig,
          externalTrafficPolicy,
          internalTrafficPolicy,
          b.externalName(),
          b.loadBalancerIP(),
          b.loadBalancerSourceRanges(),
          b.loadBalancerClass(),
          b.allocateLoadBalancerNodePorts(),
          b.healthCheckNodePort(),
          b.publishNotReadyAddresses(),
          b.trafficDistribution(),
          b.loadBalancing(),
          healthCheck);
    }
  }

  /** {@code s} with the annotation {@code key: value}. */
  static Service annotated(Service s, String key, String value) {
    ObjectMeta m = s.metadata();
    return s.withMetadata(
        new ObjectMeta(
            m.name(),
            m.generateName(),
            m.namespace(),
            m.labels(),
            Map.of(key, value),
            m.resourceVersion(),
            m.uid(),
            m.generation(),
            m.creationTimestamp(),
            m.deletionTimestamp(),
            m.deletionGracePeriodSeconds(),
            m.finalizers(),
            m.ownerReferences(),
            m.managedFields(),
            m.selfLink()));
  }

  /** An instance of {@code app} on 127.0.0.1 that says it runs on {@code node}. */
  static Instance instanceOnNode(String name, String app, int port, String portName, String node) {
    return new Instance(
        ObjectMeta.of(ProxyFixture.NS, name, Map.of("app", app)),
        new InstanceSpec("127.0.0.1", Map.of(portName, port), node, null, null, null, null, null));
  }
}
