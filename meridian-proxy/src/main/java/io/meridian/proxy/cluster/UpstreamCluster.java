package io.meridian.proxy.cluster;

import io.meridian.balancer.HashKeys;
import io.meridian.balancer.Outcome;
import io.meridian.client.Endpoint;
import io.meridian.client.NoEndpointException;
import io.meridian.client.RetryBudget;
import io.meridian.client.ServiceBalancer;
import java.net.InetAddress;
import java.time.Duration;
import java.util.Iterator;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;

/**
 * The endpoints of one service port as the data plane sends to them: a {@link ServiceBalancer}
 * (policy, outlier detection, panic, draining, traffic policy {@code Local}, health marks) plus
 * what only a proxy needs: client-IP session affinity, a cap on requests in flight, and counters.
 *
 * <p>Every {@link #pick} that returns an endpoint must be ended by exactly one {@link #report} or
 * {@link #release}: the balancer's in-flight count (least request reads it) and the cluster's cap
 * both depend on it.
 *
 * <p>Thread-safety: picks and reports are lock-free and may come from any event loop; the affinity
 * table is a concurrent map whose entries expire lazily.
 */
public final class UpstreamCluster implements AutoCloseable {

  private final ClusterKey key;
  private final ServiceBalancer balancer;
  private final int maxRequests;
  private final LongSupplier nanoTime;
  private final ClusterStats stats = new ClusterStats();
  private final AtomicInteger inFlight = new AtomicInteger();
  private final Map<InetAddress, Sticky> sticky = new ConcurrentHashMap<>();
  private final AtomicInteger picksSinceSweep = new AtomicInteger();
  private final RetryBudget retryBudget = RetryBudget.defaults();

  private record Sticky(Endpoint endpoint, long lastNanos) {}

  public UpstreamCluster(
      ClusterKey key, ServiceBalancer balancer, int maxRequests, LongSupplier nanoTime) {
    this.key = Objects.requireNonNull(key, "key");
    this.balancer = Objects.requireNonNull(balancer, "balancer");
    this.maxRequests = maxRequests;
    this.nanoTime = nanoTime;
  }

  public ClusterKey key() {
    return key;
  }

  public ServiceBalancer balancer() {
    return balancer;
  }

  public ClusterStats stats() {
    return stats;
  }

  /** Bounds retries to 20 % of requests plus 10 a second (Finagle's and Linkerd's default). */
  public RetryBudget retryBudget() {
    return retryBudget;
  }

  /** Requests (or L4 connections) picked and not yet ended. */
  public int inFlight() {
    return inFlight.get();
  }

  /**
   * An endpoint for a new connection or request from {@code client}, or null when there is none or
   * the cluster is at its cap (counted in {@link ClusterStats#unavailable}; {@link #problem} says
   * why).
   *
   * @param client the client's address, for affinity and client-IP hashing (may be null)
   * @param affinity how long {@code client} sticks to its endpoint, or null for no affinity
   * @param exclude an endpoint not to pick (a retry's first choice), or null
   */
  public Endpoint pick(InetAddress client, Duration affinity, Endpoint exclude) {
    if (inFlight.incrementAndGet() > maxRequests) {
      inFlight.decrementAndGet();
      stats.unavailable.increment();
      return null;
    }
    Endpoint e = pickUncapped(client, affinity, exclude);
    if (e == null) {
      inFlight.decrementAndGet();
      stats.unavailable.increment();
      return null;
    }
    stats.requests.increment();
    return e;
  }

  private Endpoint pickUncapped(InetAddress client, Duration affinity, Endpoint exclude) {
    long now = 0;
    if (affinity != null && client != null) {
      now = nanoTime.getAsLong();
      Sticky s = sticky.get(client);
      if (s != null && now - s.lastNanos < affinity.toNanos() && !s.endpoint.equals(exclude)) {
        Endpoint e = balancer.claim(s.endpoint);
        if (e != null) {
          sticky.put(client, new Sticky(e, now));
          return e;
        }
      }
    }
    Endpoint e;
    try {
      e = pickFromBalancer(client);
      if (e.equals(exclude) && balancer.endpoints().size() > 1) {
        Endpoint again = pickFromBalancer(client);
        balancer.release(e);
        e = again;
        if (e.equals(exclude)) {
          // A hash policy keeps a client on one endpoint; walk on to any other.
          balancer.release(e);
          e = null;
          for (Endpoint other : balancer.endpoints()) {
            if (!other.equals(exclude) && (e = balancer.claim(other)) != null) {
              break;
            }
          }
          if (e == null) {
            return null;
          }
        }
      }
    } catch (NoEndpointException ex) {
      return null;
    }
    if (affinity != null && client != null) {
      sticky.put(client, new Sticky(e, now));
      if (picksSinceSweep.incrementAndGet() >= 4096) {
        picksSinceSweep.set(0);
        sweep(now, affinity.toNanos());
      }
    }
    return e;
  }

  private Endpoint pickFromBalancer(InetAddress client) {
    String hashOn = balancer.hashOn();
    if (client != null && hashOn != null && hashOn.equals("client_ip")) {
      return balancer.pick(HashKeys.hash(client.getHostAddress()));
    }
    return balancer.pick();
  }

  private void sweep(long now, long ttl) {
    for (Iterator<Sticky> it = sticky.values().iterator(); it.hasNext(); ) {
      if (now - it.next().lastNanos >= ttl) {
        it.remove();
      }
    }
  }

  /** Why {@link #pick} found nothing: the balancer's reason, or the cap. */
  public String problem() {
    String p = balancer.problem();
    if (p != null) {
      return p;
    }
    return inFlight.get() >= maxRequests
        ? "cluster " + key + " has " + maxRequests + " requests in flight (its limit)"
        : "cluster " + key + ": every endpoint is ejected or excluded";
  }

  /** Ends a pick with its outcome, feeding outlier detection. */
  public void report(Endpoint endpoint, Outcome outcome, Duration latency) {
    inFlight.decrementAndGet();
    balancer.report(endpoint, outcome, latency);
  }

  /** Ends a pick that was not used, or whose outcome says nothing about the endpoint. */
  public void release(Endpoint endpoint) {
    inFlight.decrementAndGet();
    balancer.release(endpoint);
  }

  /** Whether new requests may go to {@code endpoint} (false once it left or drains). */
  public boolean accepts(Endpoint endpoint) {
    return balancer.contains(endpoint);
  }

  @Override
  public void close() {
    balancer.close();
    sticky.clear();
  }

  @Override
  public String toString() {
    return key + " " + balancer.policy() + " " + balancer.endpoints();
  }
}
