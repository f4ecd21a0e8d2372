package io.meridian.api;

/**
 * A stored object of the model: {@link Service}, {@link Instance}, {@link Node}, {@link Endpoints},
 * {@link Namespace}. Every resource is an immutable record with Kubernetes-style {@code
 * apiVersion}, {@code kind} and {@code metadata}.
 */
public sealed interface Resource permits Service, Instance, Node, Endpoints, Namespace {

  String apiVersion();

  String kind();

  ObjectMeta metadata();

  /** The same resource with other metadata (the registry sets resourceVersion, uid, timestamps). */
  Resource withMetadata(ObjectMeta metadata);

  /** The kind this resource belongs to. */
  default Kind kindInfo() {
    return Kind.of(getClass());
  }
}
