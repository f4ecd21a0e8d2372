package io.meridian.registry.health;

import io.meridian.api.HealthCheck;
import io.meridian.api.Instance;
import io.meridian.api.InstanceSpec;
import io.meridian.api.IntOrString;
import io.netty.util.NetUtil;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Map;
import java.util.Objects;

/**
 * What to probe for one instance: its address with the check's port resolved, and the check; or,
 * when that cannot be worked out, why ({@link #error}).
 *
 * <p>The port is the check's port number, else the instance port the check names, else the
 * instance's first port. The address must be an IP literal: resolving names would mean blocking DNS
 * on the controller's thread.
 *
 * <p>Thread-safety: immutable.
 *
 * @param address where to connect; null when {@code error} is set
 * @param check the instance's health check
 * @param error why the instance cannot be probed, e.g. {@code no port named "admin"}; else null
 */
record ProbeTarget(InetSocketAddress address, HealthCheck check, String error) {

  static ProbeTarget of(Instance instance) {
    InstanceSpec spec = instance.spec();
    HealthCheck check = spec.healthCheck();
    InetAddress ip =
        spec.address() == null
            ? null
            : NetUtil.createInetAddressFromIpAddressString(spec.address());
    if (ip == null) {
      return new ProbeTarget(
          null, check, "address \"" + spec.address() + "\" is not an IP address");
    }
    Map<String, Integer> ports = spec.ports();
    IntOrString port = check.port();
    Integer number;
    if (port == null) {
      number = ports.isEmpty() ? null : ports.values().iterator().next();
      if (number == null) {
        return new ProbeTarget(null, check, "no port to probe: the instance declares none");
      }
    } else if (port.isNumber()) {
      number = port.number();
    } else {
      number = ports.get(port.name());
      if (number == null) {
        return new ProbeTarget(null, check, "no port named \"" + port.name() + "\" to probe");
      }
    }
    if (number < 1 || number > 65535) {
      return new ProbeTarget(null, check, "port " + number + " is not 1..65535");
    }
    return new ProbeTarget(new InetSocketAddress(ip, number), check, null);
  }

  /** Whether {@code other} probes the same thing, so results judged for one hold for the other. */
  boolean sameProbe(ProbeTarget other) {
    return Objects.equals(address, other.address)
        && Objects.equals(check.type(), other.check.type())
        && check.effectivePath().equals(other.check.effectivePath());
  }
}
