package io.meridian.client.grpc;

import io.grpc.Attributes;
import io.grpc.EquivalentAddressGroup;
import io.grpc.NameResolver;
import io.grpc.Status;
import io.grpc.StatusOr;
import io.grpc.SynchronizationContext;
import io.meridian.client.ClusterSnapshot;
import io.meridian.client.Endpoint;
import io.meridian.client.MeridianClient;
import io.meridian.client.PortEndpoints;
import io.meridian.client.ServiceEntry;
import io.meridian.client.SnapshotListener;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Resolves one {@code meridian:} target by following the registry's snapshots: every change of the
 * service's endpoints or balancing settings becomes a new resolution result, pushed as it happens
 * (there is nothing to poll, so {@link #refresh()} does nothing).
 *
 * <p>Each result carries the ready endpoints as address groups (one address each, with zone, weight
 * and instance attributes) and a service config whose load-balancing policy is {@code
 * meridian_<spec.loadBalancing.policy>} ({@code meridian_round_robin} by default) with {@code
 * hashOn}. A service that does not exist, has no such port or no ready endpoint is an UNAVAILABLE
 * result naming why, so a call fails with that reason instead of waiting.
 *
 * <p>Thread-safety: grpc calls {@link #start} and {@link #shutdown} in its synchronization context;
 * snapshots arrive on the client's callback thread and are handed to that context, where {@code
 * listener}, {@code last} and {@code shutdown} are read and written.
 */
final class MeridianNameResolver extends NameResolver {

  private final MeridianTarget target;
  private final SynchronizationContext sync;
  private final NameResolver.ServiceConfigParser parser;
  private final SharedClients clients;
  private final SnapshotListener snapshots = this::onSnapshot;

  // Confined to the synchronization context.
  private Listener2 listener;
  private MeridianClient client;
  private PortEndpoints last;
  private boolean shutdown;

  // Confined to the client's callback thread (snapshots arrive there, one at a time).
  private ServiceEntry lastEntry;
  private boolean seen;

  MeridianNameResolver(MeridianTarget target, NameResolver.Args args, SharedClients clients) {
    this.target = target;
    this.sync = args.getSynchronizationContext();
    this.parser = args.getServiceConfigParser();
    this.clients = clients;
  }

  @Override
  public String getServiceAuthority() {
    return target.service().name() + "." + target.service().namespace();
  }

  @Override
  public void start(Listener2 listener) {
    this.listener = listener;
    this.client = clients.acquire(target.registry());
    client.watch().addListener(snapshots);
  }

  private void onSnapshot(ClusterSnapshot snapshot) {
    ServiceEntry entry = snapshot.service(target.service()).orElse(null);
    if (seen && entry == lastEntry) {
      return; // another service changed: nothing to recompute (as ServiceBalancer does)
    }
    seen = true;
    lastEntry = entry;
    PortEndpoints sel = PortEndpoints.select(target.service(), entry, target.port(), "grpc");
    sync.execute(() -> publish(sel));
  }

  private void publish(PortEndpoints sel) {
    if (shutdown || sel.equals(last)) {
      return;
    }
    last = sel;
    ResolutionResult.Builder result =
        ResolutionResult.newBuilder().setServiceConfig(serviceConfig(sel));
    if (sel.endpoints().isEmpty()) {
      result.setAddressesOrError(
          StatusOr.fromStatus(Status.UNAVAILABLE.withDescription(sel.problem())));
    } else {
      List<EquivalentAddressGroup> groups = new ArrayList<>(sel.endpoints().size());
      for (Endpoint e : sel.endpoints()) {
        Attributes attrs =
            Attributes.newBuilder()
                .set(MeridianNameResolverProvider.ZONE, e.zone())
                .set(MeridianNameResolverProvider.WEIGHT, e.weight())
                .set(MeridianNameResolverProvider.INSTANCE, e.instance())
                .build();
        groups.add(new EquivalentAddressGroup(new InetSocketAddress(e.address(), e.port()), attrs));
      }
      result.setAddressesOrError(StatusOr.fromValue(groups));
    }
    listener.onResult2(result.build());
  }

  private ConfigOrError serviceConfig(PortEndpoints sel) {
    String policy = sel.policy() == null ? "round_robin" : sel.policy();
    Map<String, ?> config =
        sel.hashOn() == null
            ? Map.of()
            : Map.of(MeridianLoadBalancerProvider.HASH_ON, sel.hashOn());
    return parser.parseServiceConfig(
        Map.of(
            "loadBalancingConfig",
            List.of(Map.of(MeridianLoadBalancerProvider.PREFIX + policy, config))));
  }

  @Override
  public void refresh() {
    // Push-based: every change arrives through the watch.
  }

  @Override
  public void shutdown() {
    if (shutdown) {
      return;
    }
    shutdown = true;
    if (client != null) {
      client.watch().removeListener(snapshots);
      clients.release(target.registry());
      client = null;
    }
  }
}
