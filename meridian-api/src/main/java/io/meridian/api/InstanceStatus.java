package io.meridian.api;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * {@code status} of an {@link Instance}, written by the registry.
 *
 * @param conditions ready / serving / terminating, as Kubernetes endpoint conditions
 * @param message why it is not ready, e.g. the last failed health probe
 * @param lastProbeTime when the registry last probed it (RFC 3339)
 */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public record InstanceStatus(Conditions conditions, String message, String lastProbeTime) {

  public static InstanceStatus of(Conditions conditions) {
    return new InstanceStatus(conditions, null, null);
  }
}
