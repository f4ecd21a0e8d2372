package io.meridian.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;

/** A tenancy boundary. {@code default} always exists. */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
@JsonPropertyOrder({"apiVersion", "kind", "metadata"})
public record Namespace(String apiVersion, String kind, ObjectMeta metadata) implements Resource {

  public static final String DEFAULT = "default";

  public Namespace {
    apiVersion = apiVersion == null ? "v1" : apiVersion;
    kind = kind == null ? "Namespace" : kind;
  }

  @Override
  public Namespace withMetadata(ObjectMeta metadata) {
    return new Namespace(apiVersion, kind, metadata);
  }
}
