package io.meridian.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/** {@code status} of a {@link Service}: the LoadBalancer ingress the registry allocated. */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public record ServiceStatus(LoadBalancerStatus loadBalancer) {

  public static final ServiceStatus EMPTY = new ServiceStatus(null);

  public static ServiceStatus ingress(String ip) {
    return new ServiceStatus(new LoadBalancerStatus(List.of(new Ingress(ip, null, null))));
  }

  @JsonInclude(JsonInclude.Include.NON_EMPTY)
  public record LoadBalancerStatus(List<Ingress> ingress) {
    public LoadBalancerStatus {
      ingress = ingress == null ? List.of() : List.copyOf(ingress);
    }
  }

  @JsonInclude(JsonInclude.Include.NON_EMPTY)
  public record Ingress(String ip, String hostname, String ipMode) {}

  /** The first ingress IP, or null. */
  public String ingressIP() {
    return loadBalancer == null || loadBalancer.ingress().isEmpty()
        ? null
        : loadBalancer.ingress().get(0).ip();
  }
}
