package io.meridian.api;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * Meridian's {@code spec.loadBalancing}: which policy data planes and clients use for the service.
 *
 * @param policy round_robin (default), weighted_round_robin, least_request, random, ring_hash,
 *     maglev
 * @param hashOn for hash policies: {@code client_ip}, or {@code header:NAME}
 */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public record LoadBalancing(String policy, String hashOn) {

  public static final java.util.Set<String> POLICIES =
      java.util.Set.of(
          "round_robin", "weighted_round_robin", "least_request", "random", "ring_hash", "maglev");
}
