package io.meridian.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.util.List;

/**
 * A host running {@code meridian agent}. Cluster-scoped (no namespace). An agent keeps its node
 * alive with a lease ({@code spec.ttl}) like an ephemeral instance.
 */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
@JsonPropertyOrder({"apiVersion", "kind", "metadata", "spec", "status"})
public record Node(
    String apiVersion, String kind, ObjectMeta metadata, NodeSpec spec, NodeStatus status)
    implements Resource {

  public static final String API_VERSION = "meridian.io/v1";
  public static final String KIND = "Node";

  public Node {
    apiVersion = apiVersion == null ? API_VERSION : apiVersion;
    kind = kind == null ? KIND : kind;
  }

  @Override
  public Node withMetadata(ObjectMeta metadata) {
    return new Node(apiVersion, kind, metadata, spec, status);
  }

  /**
   * @param addresses the node's IP addresses (NodePorts answer on them)
   * @param zone its zone
   * @param ttl when set, the node disappears this long after its agent's last heartbeat
   */
  @JsonInclude(JsonInclude.Include.NON_EMPTY)
  public record NodeSpec(List<String> addresses, String zone, GoDuration ttl) {
    public NodeSpec {
      addresses = addresses == null ? List.of() : List.copyOf(addresses);
    }
  }

  @JsonInclude(JsonInclude.Include.NON_EMPTY)
  public record NodeStatus(Conditions conditions, String agentVersion) {}
}
