package io.meridian.registry.health;

import static org.assertj.core.api.Assertions.assertThat;

import io.meridian.api.HealthCheck;
import io.meridian.api.Instance;
import io.meridian.api.InstanceSpec;
import io.meridian.api.IntOrString;
import io.meridian.api.ObjectMeta;
import java.net.InetSocketAddress;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ProbeTargetTest {

  private static Instance instance(String address, IntOrString port) {
    Map<String, Integer> ports = new LinkedHashMap<>();
    ports.put("http", 8080);
    ports.put("admin", 9090);
    HealthCheck check = new HealthCheck("http", null, port, null, null, null, null);
    return new Instance(
        ObjectMeta.of("default", "web-1"),
        new InstanceSpec(address, ports, null, null, null, null, null, check));
  }

  @Test
  void aPortNumberIsUsedAsIs() {
    assertThat(ProbeTarget.of(instance("10.0.0.1", IntOrString.of(7000))).address())
        .isEqualTo(new InetSocketAddress("10.0.0.1", 7000));
  }

  @Test
  void aPortNameIsLookedUpInTheInstancePorts() {
    assertThat(ProbeTarget.of(instance("10.0.0.1", IntOrString.of("admin"))).address())
        .isEqualTo(new InetSocketAddress("10.0.0.1", 9090));
  }

  @Test
  void noPortMeansTheFirstInstancePort() {
    assertThat(ProbeTarget.of(instance("10.0.0.1", null)).address())
        .isEqualTo(new InetSocketAddress("10.0.0.1", 8080));
  }

  @Test
  void ipv6AddressesWork() {
    assertThat(ProbeTarget.of(instance("::1", null)).address())
        .isEqualTo(new InetSocketAddress("::1", 8080));
  }

  @Test
  void anUnknownPortNameIsAnError() {
    ProbeTarget target = ProbeTarget.of(instance("10.0.0.1", IntOrString.of("grpc")));
    assertThat(target.address()).isNull();
    assertThat(target.error()).isEqualTo("no port named \"grpc\" to probe");
  }

  @Test
  void aHostNameIsAnErrorNotADnsLookup() {
    assertThat(ProbeTarget.of(instance("web.example", null)).error())
        .isEqualTo("address \"web.example\" is not an IP address");
  }

  @Test
  void anInstanceWithoutPortsAndNoCheckPortIsAnError() {
    Instance bare =
        new Instance(
            ObjectMeta.of("default", "web-1"),
            new InstanceSpec(
                "10.0.0.1",
                Map.of(),
                null,
                null,
                null,
                null,
                null,
                new HealthCheck("tcp", null, null, null, null, null, null)));
    assertThat(ProbeTarget.of(bare).error()).contains("no port");
  }

  @Test
  void sameProbeIgnoresTimingAndThresholds() {
    ProbeTarget a = ProbeTarget.of(instance("10.0.0.1", null));
    Instance slower =
        new Instance(
            ObjectMeta.of("default", "web-1"),
            new InstanceSpec(
                "10.0.0.1",
                Map.of("http", 8080),
                null,
                null,
                null,
                null,
                null,
                new HealthCheck("http", "/healthz", null, null, null, 5, 5)));
    assertThat(a.sameProbe(ProbeTarget.of(slower))).isTrue();
    assertThat(a.sameProbe(ProbeTarget.of(instance("10.0.0.2", null)))).isFalse();
  }
}
