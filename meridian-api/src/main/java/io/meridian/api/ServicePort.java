package io.meridian.api;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * One entry of {@code spec.ports}.
 *
 * @param name required when a service has more than one port; DNS-1123 label
 * @param protocol TCP (default) or UDP
 * @param port the port the service answers on (1..65535)
 * @param targetPort the instance's port: a number, or the name of one of the instance's {@code
 *     spec.ports}; defaults to {@code port}
 * @param nodePort for NodePort and LoadBalancer services: allocated from the node-port range unless
 *     given
 * @param appProtocol tcp, http, h2c, grpc or tls (Kubernetes allows any string; Meridian's data
 *     planes understand these)
 */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public record ServicePort(
    String name,
    Protocol protocol,
    Integer port,
    IntOrString targetPort,
    Integer nodePort,
    String appProtocol) {

  public static ServicePort tcp(String name, int port) {
    return new ServicePort(name, Protocol.TCP, port, null, null, null);
  }

  /** {@code protocol}, with the default TCP. */
  public Protocol effectiveProtocol() {
    return protocol == null ? Protocol.TCP : protocol;
  }

  /** {@code targetPort}, with the default: the same number as {@code port}. */
  public IntOrString effectiveTargetPort() {
    return targetPort == null ? IntOrString.of(port == null ? 0 : port) : targetPort;
  }

  public ServicePort withNodePort(Integer nodePort) {
    return new ServicePort(name, protocol, port, targetPort, nodePort, appProtocol);
  }

  public enum Protocol {
    TCP,
    UDP
  }
}
