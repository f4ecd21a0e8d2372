package io.meridian.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.util.List;

/**
 * The endpoints of one service (named like the service), with EndpointSlice semantics: for every
 * instance the service's selector matches, its address, the instance port each service port maps
 * to, and its conditions. Derived by the registry for services with a selector; written by users
 * for services without one.
 */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
@JsonPropertyOrder({"apiVersion", "kind", "metadata", "endpoints"})
public record Endpoints(
    String apiVersion, String kind, ObjectMeta metadata, List<Endpoint> endpoints)
    implements Resource {

  public static final String API_VERSION = "meridian.io/v1";
  public static final String KIND = "Endpoints";

  public Endpoints {
    apiVersion = apiVersion == null ? API_VERSION : apiVersion;
    kind = kind == null ? KIND : kind;
    endpoints = endpoints == null ? List.of() : List.copyOf(endpoints);
  }

  public Endpoints(ObjectMeta metadata, List<Endpoint> endpoints) {
    this(API_VERSION, KIND, metadata, endpoints);
  }

  @Override
  public Endpoints withMetadata(ObjectMeta metadata) {
    return new Endpoints(apiVersion, kind, metadata, endpoints);
  }

  /**
   * One backend of the service.
   *
   * @param instance the instance's name (absent for manual endpoints)
   * @param address its IP address
   * @param ports for each service port (by the service port's name, "" when unnamed), the instance
   *     port it maps to; a service port whose named targetPort the instance lacks is left out
   * @param conditions ready / serving / terminating
   */
  @JsonInclude(JsonInclude.Include.NON_EMPTY)
  public record Endpoint(
      String instance,
      String address,
      List<EndpointPort> ports,
      Conditions conditions,
      String node,
      String zone,
      String hostname,
      Integer weight) {
    public Endpoint {
      ports = ports == null ? List.of() : List.copyOf(ports);
      conditions = conditions == null ? Conditions.READY : conditions;
    }

    /** The port for the service port named {@code name}, or -1. */
    public int port(String name) {
      for (EndpointPort p : ports) {
        if (p.name().equals(name)) {
          return p.port();
        }
      }
      return -1;
    }
  }

  /**
   * @param name the service port's name ("" when the service has one unnamed port)
   * @param port the instance's port number
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record EndpointPort(
      String name, int port, ServicePort.Protocol protocol, String appProtocol) {
    public EndpointPort {
      name = name == null ? "" : name;
    }
  }
}
