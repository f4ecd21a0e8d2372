package io.meridian.api;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * Kubernetes {@code EndpointConditions}: {@code ready} takes new traffic; {@code serving} passes
 * its checks (it may be terminating and still serving); {@code terminating} is being removed.
 */
@JsonInclude(JsonInclude.Include.ALWAYS)
public record Conditions(boolean ready, boolean serving, boolean terminating) {

  public static final Conditions READY = new Conditions(true, true, false);
  public static final Conditions NOT_READY = new Conditions(false, false, false);

  /** The same endpoint marked terminating: never ready, serving while its checks pass. */
  public Conditions terminate() {
    return new Conditions(false, serving, true);
  }
}
