package io.meridian.client.grpc;

import io.grpc.Attributes;
import io.grpc.ClientStreamTracer;
import io.grpc.ConnectivityState;
import io.grpc.ConnectivityStateInfo;
import io.grpc.EquivalentAddressGroup;
import io.grpc.LoadBalancer;
import io.grpc.Metadata;
import io.grpc.Status;
import io.meridian.balancer.Backend;
import io.meridian.balancer.HashKeys;
import io.meridian.balancer.Picker;
import io.meridian.balancer.Policy;
import io.meridian.balancer.RandomSource;
import io.meridian.balancer.zone.ZoneConfig;
import io.meridian.balancer.zone.ZonePreference;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * A grpc-java {@link LoadBalancer} running a Meridian {@link Policy} over one subchannel per
 * resolved address (grpc's own {@code round_robin} shape, with Meridian's pickers).
 *
 * <h2>Design note</h2>
 *
 * <p>Subchannels are reconciled by address: survivors are kept (with their connections), new
 * addresses get a subchannel that is asked to connect at once, and removed ones are shut down after
 * the new picker is published. A subchannel that falls back to IDLE (its connection closed) is
 * asked to reconnect, so a restarted backend is picked up without waiting for a call.
 *
 * <p>Only READY subchannels are picked; the picker is rebuilt whenever the READY set, a weight or
 * the policy changes. Without any READY subchannel the channel is CONNECTING while one may still
 * come up (calls wait), else TRANSIENT_FAILURE with the last connection error (calls fail fast
 * unless wait-for-ready). A resolution error from Meridian's resolver is authoritative (the
 * registry says there is nothing ready), so every subchannel is dropped and calls fail with its
 * reason.
 *
 * <p>Each subchannel's {@link PickResult} is built once, so a pick allocates nothing beyond what
 * the policy does (nothing) unless the policy is least request, whose stream tracer counts calls in
 * flight. With {@code hashOn: header:NAME}, hash policies hash that header of each call.
 *
 * <p>Thread-safety: grpc calls every method, and every subchannel state listener, in the channel's
 * synchronization context; all fields are confined to it. Pickers are immutable.
 */
final class MeridianGrpcBalancer extends LoadBalancer {

  /** A parsed {@code meridian_*} config. */
  record Config(Policy policy, String hashOn, ZoneConfig zone) {}

  private final Helper helper;
  // grpc makes balancers through a no-argument provider, so there is nothing to inject from.
  private final RandomSource random = RandomSource.threadLocal();
  private final Map<String, Child> children = new LinkedHashMap<>();
  private Policy policy;
  private Metadata.Key<String> hashHeader;
  private ZoneConfig zone = ZoneConfig.of("");
  private Status lastError = Status.UNAVAILABLE.withDescription("no endpoint connected yet");
  private List<Backend<Child>> published = List.of();

  MeridianGrpcBalancer(Helper helper, Policy defaultPolicy) {
    this.helper = Objects.requireNonNull(helper, "helper");
    this.policy = defaultPolicy;
  }

  /** One address: its subchannel, state, weight and zone, and its prebuilt pick result. */
  private final class Child {
    final String key;
    final Subchannel subchannel;
    ConnectivityStateInfo state = ConnectivityStateInfo.forNonError(ConnectivityState.IDLE);
    Backend<Child> backend;
    PickResult result;

    Child(String key, Subchannel subchannel) {
      this.key = key;
      this.subchannel = subchannel;
    }

    void describe(int weight, String zone, boolean countInFlight) {
      if (backend == null || backend.weight() != weight || !backend.zone().equals(zone)) {
        backend = Backend.of(this, key, weight, zone);
        result = null;
      }
      if (result == null || (result.getStreamTracerFactory() != null) != countInFlight) {
        result =
            countInFlight
                ? PickResult.withSubchannel(subchannel, new InFlight(backend))
                : PickResult.withSubchannel(subchannel);
      }
    }
  }

  @Override
  public Status acceptResolvedAddresses(ResolvedAddresses resolved) {
    if (resolved.getLoadBalancingPolicyConfig() instanceof Config c) {
      policy = c.policy();
      zone = c.zone();
      hashHeader =
          c.hashOn() != null && c.hashOn().startsWith("header:")
              ? Metadata.Key.of(c.hashOn().substring(7), Metadata.ASCII_STRING_MARSHALLER)
              : null;
    }
    List<EquivalentAddressGroup> groups = resolved.getAddresses();
    if (groups.isEmpty()) {
      Status s = Status.UNAVAILABLE.withDescription("the resolver returned no addresses");
      handleNameResolutionError(s);
      return s;
    }
    boolean countInFlight = policy.name().equals("least_request");
    Set<String> seen = new HashSet<>();
    for (EquivalentAddressGroup g : groups) {
      String key = g.getAddresses().toString();
      if (!seen.add(key)) {
        continue;
      }
      Attributes a = g.getAttributes();
      Integer weight = a.get(MeridianNameResolverProvider.WEIGHT);
      String zone = a.get(MeridianNameResolverProvider.ZONE);
      Child child = children.get(key);
      if (child == null) {
        Subchannel sc =
            helper.createSubchannel(CreateSubchannelArgs.newBuilder().setAddresses(g).build());
        Child created = new Child(key, sc);
        children.put(key, created);
        sc.start(info -> onState(created, info));
        sc.requestConnection();
        child = created;
      }
      child.describe(
          weight == null ? 1 : Math.max(1, weight), zone == null ? "" : zone, countInFlight);
    }
    List<Subchannel> orphans = new ArrayList<>();
    for (Iterator<Child> it = children.values().iterator(); it.hasNext(); ) {
      Child c = it.next();
      if (!seen.contains(c.key)) {
        it.remove();
        orphans.add(c.subchannel);
      }
    }
    publish(true);
    orphans.forEach(Subchannel::shutdown);
    return Status.OK;
  }

  private void onState(Child child, ConnectivityStateInfo info) {
    if (children.get(child.key) != child) {
      return; // removed meanwhile
    }
    child.state = info;
    if (info.getState() == ConnectivityState.TRANSIENT_FAILURE) {
      lastError = info.getStatus();
    }
    if (info.getState() == ConnectivityState.IDLE) {
      child.subchannel.requestConnection();
    }
    publish(false);
  }

  /** Publishes a picker for the current READY set; {@code force} after a config change. */
  private void publish(boolean force) {
    List<Backend<Child>> all = new ArrayList<>(children.size());
    boolean mayConnect = false;
    for (Child c : children.values()) {
      all.add(c.backend);
      ConnectivityState s = c.state.getState();
      if (s == ConnectivityState.CONNECTING || s == ConnectivityState.IDLE) {
        mayConnect = true;
      }
    }
    List<Backend<Child>> ready = new ArrayList<>();
    for (Backend<Child> b : ZonePreference.scope(zone, all, MeridianGrpcBalancer::isReady)) {
      if (isReady(b)) {
        ready.add(b);
      }
    }
    if (!ready.isEmpty()) {
      if (force || !ready.equals(published)) {
        published = ready;
        helper.updateBalancingState(
            ConnectivityState.READY, new ReadyPicker(policy.picker(ready, random), hashHeader));
      }
      return;
    }
    published = List.of();
    if (mayConnect) {
      helper.updateBalancingState(
          ConnectivityState.CONNECTING, new FixedResultPicker(PickResult.withNoResult()));
    } else {
      helper.updateBalancingState(
          ConnectivityState.TRANSIENT_FAILURE,
          new FixedResultPicker(
              PickResult.withError(
                  lastError.augmentDescription(
                      "no ready endpoint among "
                          + children.size()
                          + " for "
                          + helper.getAuthority()))));
    }
  }

  private static boolean isReady(Backend<Child> b) {
    return b.value().state.getState() == ConnectivityState.READY;
  }

  @Override
  public void handleNameResolutionError(Status error) {
    for (Child c : children.values()) {
      c.subchannel.shutdown();
    }
    children.clear();
    published = List.of();
    helper.updateBalancingState(
        ConnectivityState.TRANSIENT_FAILURE, new FixedResultPicker(PickResult.withError(error)));
  }

  @Override
  public void requestConnection() {
    for (Child c : children.values()) {
      if (c.state.getState() == ConnectivityState.IDLE) {
        c.subchannel.requestConnection();
      }
    }
  }

  @Override
  public void shutdown() {
    for (Child c : children.values()) {
      c.subchannel.shutdown();
    }
    children.clear();
  }

  /** The per-call picker: the policy's picker, mapping a backend to its prebuilt result. */
  private static final class ReadyPicker extends SubchannelPicker {
    private final Picker<Child> picker;
    private final Metadata.Key<String> hashHeader;

    ReadyPicker(Picker<Child> picker, Metadata.Key<String> hashHeader) {
      this.picker = picker;
      this.hashHeader = hashHeader;
    }

    @Override
    public PickResult pickSubchannel(PickSubchannelArgs args) {
      Backend<Child> b;
      String v = hashHeader == null ? null : args.getHeaders().get(hashHeader);
      b = v == null ? picker.pick() : picker.pick(HashKeys.hash(v));
      return b.value().result;
    }

    @Override
    public String toString() {
      return "MeridianPicker{" + picker.size() + " ready}";
    }
  }

  /** Counts a call in flight on its backend from stream creation to close (least request). */
  private static final class InFlight extends ClientStreamTracer.Factory {
    private final Backend<?> backend;

    InFlight(Backend<?> backend) {
      this.backend = backend;
    }

    @Override
    public ClientStreamTracer newClientStreamTracer(
        ClientStreamTracer.StreamInfo info, Metadata headers) {
      backend.started();
      return new ClientStreamTracer() {
        @Override
        public void streamClosed(Status status) {
          backend.finished();
        }
      };
    }
  }
}
