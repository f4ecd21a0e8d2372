package io.meridian.registry.resource;

import io.meridian.api.FieldError;
import io.meridian.api.Service;
import io.meridian.api.ServicePort;
import io.meridian.api.ServiceSpec;
import io.meridian.api.ServiceStatus;
import io.meridian.api.ServiceType;
import io.meridian.registry.alloc.Allocator;
import io.meridian.registry.store.CompactedException;
import io.meridian.registry.store.Compare;
import io.meridian.registry.store.Event;
import io.meridian.registry.store.KeyValue;
import io.meridian.registry.store.Op;
import io.meridian.registry.store.Store;
import io.meridian.registry.store.Watch;
import io.meridian.registry.store.WatchListener;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.random.RandomGenerator;

/**
 * Gives services their ClusterIP, NodePorts and LoadBalancer ingress IP, and takes them back.
 *
 * <p>Each allocated value is a claim key owned by {@code namespace/name}, written in the same
 * transaction as the service and guarded by an "absent" comparison (see {@link Allocator}). Values
 * a service already holds are kept across updates; {@code clusterIP} is immutable once set, as in
 * Kubernetes. Requested values are honoured when free and in range, refused with a 422 naming the
 * field otherwise. Because claims are ordinary keys, they survive restarts with the store and the
 * bitmaps are rebuilt from them by {@link #start}.
 *
 * <p>Thread-safety: safe from any thread (allocators are thread-safe; this class adds no state
 * beyond the watch handle, set once in start).
 */
public final class ServiceAllocations implements AutoCloseable {

  /** One value a planned write takes; {@code requested} when the user asked for exactly it. */
  public record Claim(Allocator allocator, String value, String field, boolean requested) {}

  private final Allocator clusterIps;
  private final Allocator nodePorts;
  private final Allocator lbIps;
  private final RandomGenerator random;
  private volatile Store store;
  private volatile Watch watch;

  public ServiceAllocations(
      Allocator clusterIps, Allocator nodePorts, Allocator lbIps, RandomGenerator random) {
    this.clusterIps = clusterIps;
    this.nodePorts = nodePorts;
    this.lbIps = lbIps;
    this.random = random;
  }

  public Allocator clusterIps() {
    return clusterIps;
  }

  public Allocator nodePorts() {
    return nodePorts;
  }

  public Allocator lbIps() {
    return lbIps;
  }

  /** Loads existing claims and follows later ones. */
  public void start(Store store) {
    this.store = store;
    var range = store.range(Keys.ALLOCATIONS);
    for (KeyValue kv : range.kvs()) {
      apply(kv.key(), true);
    }
    try {
      watch =
          store.watch(
              Keys.ALLOCATIONS,
              range.revision() + 1,
              new WatchListener() {
                @Override
                public void onEvents(List<Event> events) {
                  for (Event e : events) {
                    apply(e.kv().key(), e.type() == Event.Type.PUT);
                  }
                }
              });
    } catch (CompactedException e) {
      throw new IllegalStateException("cannot follow allocations", e);
    }
  }

  private void apply(String key, boolean used) {
    for (Allocator a : List.of(clusterIps, nodePorts, lbIps)) {
      if (key.startsWith(a.claimPrefix())) {
        String value = key.substring(a.claimPrefix().length());
        if (used) {
          a.markUsed(value);
        } else {
          a.markFree(value);
        }
      }
    }
  }

  @Override
  public void close() {
    Watch w = watch;
    if (w != null) {
      w.close();
    }
  }

  /** Plans the allocations of {@code svc} given what {@code previous} (may be null) holds. */
  public Resources.Plan plan(Service svc, Service previous) {
    ServiceSpec spec = svc.spec();
    String owner = svc.metadata().namespace() + "/" + svc.metadata().name();
    Map<String, String> held = previous == null ? Map.of() : held(previous);
    List<Claim> claims = new ArrayList<>();
    List<FieldError> errors = new ArrayList<>();
    ServiceType type = spec.effectiveType();

    // ClusterIP
    String previousIp = previous == null ? null : nonEmpty(previous.spec().clusterIP());
    String requestedIp = nonEmpty(spec.clusterIP());
    String ip;
    if (type == ServiceType.ExternalName) {
      if (requestedIp != null) {
        errors.add(new FieldError("spec.clusterIP", "must be empty for an ExternalName service"));
      }
      ip = null;
    } else if (previousIp != null
        && !(previous.spec().effectiveType() == ServiceType.ExternalName)) {
      if (requestedIp != null && !requestedIp.equals(previousIp)) {
        errors.add(
            new FieldError(
                "spec.clusterIP",
                "field is immutable (is " + previousIp + ", got " + requestedIp + ")"));
      }
      ip = previousIp;
      if (!ServiceSpec.HEADLESS.equals(ip)) {
        claims.add(new Claim(clusterIps, ip, "spec.clusterIP", false));
      }
    } else if (ServiceSpec.HEADLESS.equals(requestedIp)) {
      ip = ServiceSpec.HEADLESS;
    } else if (requestedIp != null) {
      ip = requestedIp;
      if (!clusterIps.contains(ip)) {
        errors.add(
            new FieldError(
                "spec.clusterIP",
                ip + " is not within the service CIDR " + clusterIps.range().describe()));
      } else {
        claims.add(new Claim(clusterIps, ip, "spec.clusterIP", true));
      }
    } else {
      ip = pick(clusterIps, Set.of(), "spec.clusterIP", "the service CIDR", errors);
      if (ip != null) {
        claims.add(new Claim(clusterIps, ip, "spec.clusterIP", false));
      }
    }

    // NodePorts
    List<ServicePort> ports = new ArrayList<>(spec.ports());
    boolean wantsNodePorts = type == ServiceType.NodePort || type == ServiceType.LoadBalancer;
    if (wantsNodePorts) {
      Map<String, Integer> previousByPort = previousNodePorts(previous);
      Set<String> taken = new HashSet<>();
      for (int i = 0; i < ports.size(); i++) {
        ServicePort p = ports.get(i);
        String field = "spec.ports[" + i + "].nodePort";
        Integer np = p.nodePort();
        boolean requested = np != null;
        if (np == null) {
          np = previousByPort.get(portKey(p));
        }
        if (np != null) {
          String v = Integer.toString(np);
          if (!nodePorts.contains(v)) {
            errors.add(
                new FieldError(
                    field, np + " is outside the node port range " + nodePorts.range().describe()));
            continue;
          }
          if (taken.add(v)) {
            claims.add(
                new Claim(
                    nodePorts, v, field, requested && !held.containsKey(nodePorts.claimKey(v))));
          }
        } else {
          String v = pick(nodePorts, taken, field, "the node port range", errors);
          if (v == null) {
            continue;
          }
          taken.add(v);
          np = Integer.parseInt(v);
          claims.add(new Claim(nodePorts, v, field, false));
        }
        ports.set(i, p.withNodePort(np));
      }
    }

    // LoadBalancer ingress
    ServiceStatus status = ServiceStatus.EMPTY;
    if (type == ServiceType.LoadBalancer) {
      String previousLb = previous == null ? null : previous.status().ingressIP();
      String requestedLb = nonEmpty(spec.loadBalancerIP());
      String lb = null;
      if (requestedLb != null) {
        if (!lbIps.contains(requestedLb)) {
          errors.add(
              new FieldError(
                  "spec.loadBalancerIP",
                  requestedLb + " is not in the LoadBalancer pool " + lbIps.range().describe()));
        } else {
          lb = requestedLb;
          claims.add(new Claim(lbIps, lb, "spec.loadBalancerIP", !lb.equals(previousLb)));
        }
      } else if (previousLb != null && lbIps.contains(previousLb)) {
        lb = previousLb;
        claims.add(new Claim(lbIps, lb, "spec.loadBalancerIP", false));
      } else {
        // An exhausted or empty pool leaves the service pending, as a cloud LB would.
        lb = lbIps.candidate(random, Set.of()).orElse(null);
        if (lb != null) {
          claims.add(new Claim(lbIps, lb, "status.loadBalancer.ingress[0].ip", false));
        }
      }
      if (lb != null) {
        status = ServiceStatus.ingress(lb);
      }
    }

    if (!errors.isEmpty()) {
      throw ApiException.invalid(errors);
    }
    for (Claim c : claims) {
      if (c.requested() && c.allocator().isUsed(c.value()) && !ownedBy(c, owner)) {
        throw ApiException.invalid(
            List.of(
                new FieldError(c.field(), "provided " + describe(c) + " is already allocated")));
      }
    }

    ServiceSpec newSpec =
        spec.withClusterIP(type == ServiceType.ExternalName ? null : ip).withPorts(ports);
    Service planned = svc.withSpec(newSpec).withStatus(status);

    // Claims new to this service are created (guarded); those it no longer needs are released.
    List<Compare> compares = new ArrayList<>();
    List<Op> ops = new ArrayList<>();
    Set<String> keep = new HashSet<>();
    byte[] ownerBytes = owner.getBytes(StandardCharsets.UTF_8);
    for (Claim c : claims) {
      String key = c.allocator().claimKey(c.value());
      keep.add(key);
      if (!held.containsKey(key)) {
        compares.add(Compare.absent(key));
        ops.add(Op.put(key, ownerBytes));
      }
    }
    for (String key : held.keySet()) {
      if (!keep.contains(key)) {
        ops.add(Op.delete(key));
      }
    }
    return new Resources.Plan(planned, compares, ops, claims);
  }

  private boolean ownedBy(Claim c, String owner) {
    Store s = store;
    if (s == null) {
      return false;
    }
    return s.get(c.allocator().claimKey(c.value()))
        .map(kv -> owner.equals(kv.valueAsString()))
        .orElse(false);
  }

  /** After a failed transaction: the 422 to answer if a requested value was taken meanwhile. */
  public ApiException explainFailure(Resources.Plan plan) {
    Store s = store;
    if (s == null || plan.claims().isEmpty()) {
      return null;
    }
    String owner = plan.resource().metadata().namespace() + "/" + plan.resource().metadata().name();
    for (Claim c : plan.claims()) {
      if (!c.requested()) {
        continue;
      }
      var kv = s.get(c.allocator().claimKey(c.value()));
      if (kv.isPresent() && !owner.equals(kv.get().valueAsString())) {
        return ApiException.invalid(
            List.of(
                new FieldError(c.field(), "provided " + describe(c) + " is already allocated")));
      }
    }
    return null;
  }

  /** Ops that release everything {@code svc} holds. */
  public List<Op> release(Service svc) {
    List<Op> ops = new ArrayList<>();
    for (String key : held(svc).keySet()) {
      ops.add(Op.delete(key));
    }
    return ops;
  }

  /** Claim keys that {@code svc} holds, each to its owner {@code namespace/name}. */
  private Map<String, String> held(Service svc) {
    String owner = svc.metadata().namespace() + "/" + svc.metadata().name();
    Map<String, String> held = new LinkedHashMap<>();
    String ip = nonEmpty(svc.spec().clusterIP());
    if (ip != null && !ServiceSpec.HEADLESS.equals(ip)) {
      held.put(clusterIps.claimKey(ip), owner);
    }
    for (ServicePort p : svc.spec().ports()) {
      if (p.nodePort() != null) {
        held.put(nodePorts.claimKey(Integer.toString(p.nodePort())), owner);
      }
    }
    String lb = svc.status().ingressIP();
    if (lb != null) {
      held.put(lbIps.claimKey(lb), owner);
    }
    return held;
  }

  private static Map<String, Integer> previousNodePorts(Service previous) {
    Map<String, Integer> m = new HashMap<>();
    if (previous != null) {
      for (ServicePort p : previous.spec().ports()) {
        if (p.nodePort() != null) {
          m.put(portKey(p), p.nodePort());
        }
      }
    }
    return m;
  }

  private static String portKey(ServicePort p) {
    return Objects.toString(p.name(), "") + "/" + p.port() + "/" + p.effectiveProtocol();
  }

  private String pick(
      Allocator a, Set<String> exclude, String field, String what, List<FieldError> errors) {
    var v = a.candidate(random, exclude);
    if (v.isEmpty()) {
      errors.add(new FieldError(field, what + " " + a.range().describe() + " is full"));
      return null;
    }
    return v.get();
  }

  private static String describe(Claim c) {
    return switch (c.allocator().name()) {
      case "nodeport" -> "port " + c.value();
      default -> "IP " + c.value();
    };
  }

  private static String nonEmpty(String s) {
    return s == null || s.isEmpty() ? null : s;
  }
}
