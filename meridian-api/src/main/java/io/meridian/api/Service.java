package io.meridian.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;

/**
 * A Kubernetes {@code v1 Service}: a stable name, virtual IP and ports in front of the instances
 * its selector matches. A Kubernetes Service manifest parses unchanged; Meridian adds {@code
 * spec.loadBalancing} and {@code spec.healthCheck}.
 */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
@JsonPropertyOrder({"apiVersion", "kind", "metadata", "spec", "status"})
public record Service(
    String apiVersion, String kind, ObjectMeta metadata, ServiceSpec spec, ServiceStatus status)
    implements Resource {

  public static final String API_VERSION = "v1";
  public static final String KIND = "Service";

  public Service {
    apiVersion = apiVersion == null ? API_VERSION : apiVersion;
    kind = kind == null ? KIND : kind;
    status = status == null ? ServiceStatus.EMPTY : status;
  }

  public Service(ObjectMeta metadata, ServiceSpec spec) {
    this(API_VERSION, KIND, metadata, spec, null);
  }

  @Override
  public Service withMetadata(ObjectMeta metadata) {
    return new Service(apiVersion, kind, metadata, spec, status);
  }

  public Service withSpec(ServiceSpec spec) {
    return new Service(apiVersion, kind, metadata, spec, status);
  }

  public Service withStatus(ServiceStatus status) {
    return new Service(apiVersion, kind, metadata, spec, status);
  }
}
