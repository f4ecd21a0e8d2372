package io.meridian.api;

/** {@code spec.type} of a {@link Service}. */
public enum ServiceType {
  ClusterIP,
  NodePort,
  LoadBalancer,
  ExternalName
}
