package io.meridian.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;

/**
 * One running copy of a service (the role a pod plays in Kubernetes). Services select instances by
 * their labels. An instance with {@code spec.ttl} is ephemeral: it lives while heartbeats renew its
 * lease. One without is persistent: it stays until deleted, and is health-checked when it declares
 * {@code spec.healthCheck}.
 */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
@JsonPropertyOrder({"apiVersion", "kind", "metadata", "spec", "status"})
public record Instance(
    String apiVersion, String kind, ObjectMeta metadata, InstanceSpec spec, InstanceStatus status)
    implements Resource {

  public static final String API_VERSION = "meridian.io/v1";
  public static final String KIND = "Instance";

  public Instance {
    apiVersion = apiVersion == null ? API_VERSION : apiVersion;
    kind = kind == null ? KIND : kind;
  }

  public Instance(ObjectMeta metadata, InstanceSpec spec) {
    this(API_VERSION, KIND, metadata, spec, null);
  }

  @Override
  public Instance withMetadata(ObjectMeta metadata) {
    return new Instance(apiVersion, kind, metadata, spec, status);
  }

  public Instance withSpec(InstanceSpec spec) {
    return new Instance(apiVersion, kind, metadata, spec, status);
  }

  public Instance withStatus(InstanceStatus status) {
    return new Instance(apiVersion, kind, metadata, spec, status);
  }

  /** {@code status.conditions}, defaulting to ready and serving when no one has judged it yet. */
  public Conditions conditions() {
    return status == null || status.conditions() == null ? Conditions.READY : status.conditions();
  }
}
