package io.meridian.balancer.zone;

import io.meridian.balancer.Backend;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/**
 * Chooses the scope of balancing: the caller's own zone while it is healthy enough, else every
 * zone.
 *
 * <h2>Design note</h2>
 *
 * <p>A simplification of Envoy's <a
 * href="https://www.envoyproxy.io/docs/envoy/latest/intro/arch_overview/upstream/load_balancing/zone_aware">zone
 * aware routing</a>. Envoy knows how the callers are spread over zones and spills exactly the
 * residual share across zones; a client-side library does not know its peers, so the rule here is
 * all-or-nothing: prefer the local zone while at least {@code minHealthyPercent} % and at least
 * {@code minBackends} of its backends are healthy; otherwise fall back to all zones (where the
 * panic threshold is then judged). A local zone with no backends, or no healthy one, always falls
 * back.
 *
 * <p>The default 70 % comes from Envoy's <a
 * href="https://www.envoyproxy.io/docs/envoy/latest/intro/arch_overview/upstream/load_balancing/priority">overprovisioning
 * factor</a> of 1.4: Envoy treats a locality as fully available down to 1/1.4 = 71 % healthy, and
 * starts moving traffic away below that; having no proportional spill-over, we move all of it,
 * rounded to 70. At that point the surviving local backends carry 1/0.7 = 1.43 times their normal
 * load, the same headroom Envoy assumes. The default {@code minBackends} of 1 keeps a small zone
 * preferred; raise it where one or two backends cannot carry a zone's callers.
 *
 * <p>Thread-safety: stateless.
 */
public final class ZonePreference {

  private ZonePreference() {}

  /**
   * The backends to balance over: the local zone's (healthy or not: the panic threshold decides
   * next) when it qualifies, else {@code backends} itself.
   *
   * @param healthy whether a backend is healthy now
   */
  public static <E> List<Backend<E>> scope(
      ZoneConfig config, List<Backend<E>> backends, Predicate<? super Backend<E>> healthy) {
    if (!config.enabled()) {
      return backends;
    }
    List<Backend<E>> local = new ArrayList<>();
    int localHealthy = 0;
    for (Backend<E> b : backends) {
      if (b.zone().equals(config.localZone())) {
        local.add(b);
        if (healthy.test(b)) {
          localHealthy++;
        }
      }
    }
    boolean qualifies =
        localHealthy > 0
            && localHealthy >= config.minBackends()
            && 100.0 * localHealthy >= config.minHealthyPercent() * local.size();
    return qualifies ? local : backends;
  }
}
