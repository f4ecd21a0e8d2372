package io.meridian.bench.balancer;

import io.grpc.Attributes;
import io.grpc.CallOptions;
import io.grpc.ChannelLogger;
import io.grpc.ConnectivityState;
import io.grpc.ConnectivityStateInfo;
import io.grpc.EquivalentAddressGroup;
import io.grpc.LoadBalancer;
import io.grpc.LoadBalancer.CreateSubchannelArgs;
import io.grpc.LoadBalancer.PickResult;
import io.grpc.LoadBalancer.PickSubchannelArgs;
import io.grpc.LoadBalancer.ResolvedAddresses;
import io.grpc.LoadBalancer.Subchannel;
import io.grpc.LoadBalancer.SubchannelPicker;
import io.grpc.LoadBalancer.SubchannelStateListener;
import io.grpc.LoadBalancerProvider;
import io.grpc.LoadBalancerRegistry;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.SynchronizationContext;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * The peer of {@link PickBenchmark}: grpc-java's own {@code round_robin} picker over 10, 100 and
 * 1,000 READY subchannels, one {@code pickSubchannel} per operation.
 *
 * <p>Design note. The picker is obtained the way a channel obtains it: the {@code round_robin}
 * provider from {@link LoadBalancerRegistry#getDefaultRegistry()} (grpc-util's {@code
 * RoundRobinLoadBalancer}, with a {@code pick_first} child per address) builds the balancer over a
 * minimal {@link LoadBalancer.Helper} of ours, whose subchannels report READY as soon as they are
 * started (no transport, no connection), on a real {@link SynchronizationContext}; the picker is
 * the one the balancer hands to {@code updateBalancingState(READY, ...)}. Setup fails unless 2N
 * picks reach N distinct subchannels, so an empty or CONNECTING picker is never measured.
 *
 * <p>Per pick, grpc's {@code ReadyPicker} does one atomic increment ({@code AtomicInteger}, masked
 * to non-negative), an int remainder by the list's size, a list read and a call to the child's
 * {@code FixedResultPicker}, which answers a {@code PickResult} built when the child became READY:
 * nothing is allocated. Meridian's round robin does one atomic increment ({@code AtomicLong}), a
 * long remainder and one array read. Both are measured in the same JMH run, with the same mode and
 * forks, single-threaded; the {@link PickSubchannelArgs} is one reused object whose getters answer
 * fixed values (round robin never reads them).
 *
 * <p>Thread-safety: JMH state; the picker is shared by all benchmark threads (as in a channel).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class GrpcRoundRobinBenchmark {

  @Param({"10", "100", "1000"})
  public int endpoints;

  private SubchannelPicker picker;
  private final PickSubchannelArgs args = new FixedArgs();

  @Setup
  public void setUp() {
    LoadBalancerProvider provider =
        LoadBalancerRegistry.getDefaultRegistry().getProvider("round_robin");
    if (provider == null) {
      throw new IllegalStateException("grpc's round_robin provider is not on the class path");
    }
    ReadyHelper helper = new ReadyHelper();
    LoadBalancer balancer = provider.newLoadBalancer(helper);
    List<EquivalentAddressGroup> groups = new ArrayList<>(endpoints);
    for (int i = 0; i < endpoints; i++) {
      groups.add(new EquivalentAddressGroup(new InetSocketAddress("127.0.0.1", 20_000 + i)));
    }
    ResolvedAddresses resolved = ResolvedAddresses.newBuilder().setAddresses(groups).build();
    Status[] accepted = new Status[1];
    helper.sync.execute(() -> accepted[0] = balancer.acceptResolvedAddresses(resolved));
    if (!accepted[0].isOk() || helper.state != ConnectivityState.READY) {
      throw new IllegalStateException("round_robin is " + helper.state + ": " + accepted[0]);
    }
    picker = helper.picker;
    Set<Subchannel> seen = new HashSet<>();
    for (int i = 0; i < 2 * endpoints; i++) {
      seen.add(picker.pickSubchannel(args).getSubchannel());
    }
    seen.remove(null);
    if (seen.size() != endpoints) {
      throw new IllegalStateException(
          "grpc's picker reached " + seen.size() + " of " + endpoints + " subchannels");
    }
  }

  @Benchmark
  public PickResult pick() {
    return picker.pickSubchannel(args);
  }

  /**
   * Creates subchannels that are READY once started; keeps the last picker it is given.
   * Thread-safety: used from the synchronization context during setup only.
   */
  static final class ReadyHelper extends LoadBalancer.Helper {
    final SynchronizationContext sync =
        new SynchronizationContext(
            (thread, e) -> {
              throw new IllegalStateException("uncaught in the synchronization context", e);
            });
    ConnectivityState state;
    SubchannelPicker picker;

    @Override
    public Subchannel createSubchannel(CreateSubchannelArgs args) {
      return new ReadySubchannel(args.getAddresses(), sync);
    }

    @Override
    public void updateBalancingState(ConnectivityState newState, SubchannelPicker newPicker) {
      state = newState;
      picker = newPicker;
    }

    @Override
    public SynchronizationContext getSynchronizationContext() {
      return sync;
    }

    @Override
    public ChannelLogger getChannelLogger() {
      return SilentLogger.INSTANCE;
    }

    @Override
    public String getAuthority() {
      return "pick-bench";
    }

    @Override
    public ManagedChannel createOobChannel(EquivalentAddressGroup eag, String authority) {
      throw new UnsupportedOperationException();
    }
  }

  /**
   * A subchannel with no transport: start() reports READY, queued on the synchronization context as
   * a real subchannel's transition would be. Thread-safety: immutable; called from that context.
   */
  static final class ReadySubchannel extends Subchannel {
    private final List<EquivalentAddressGroup> addresses;
    private final SynchronizationContext sync;

    ReadySubchannel(List<EquivalentAddressGroup> addresses, SynchronizationContext sync) {
      this.addresses = List.copyOf(addresses);
      this.sync = sync;
    }

    @Override
    public void start(SubchannelStateListener listener) {
      sync.executeLater(
          () ->
              listener.onSubchannelState(
                  ConnectivityStateInfo.forNonError(ConnectivityState.READY)));
    }

    @Override
    public void shutdown() {}

    @Override
    public void requestConnection() {}

    @Override
    public List<EquivalentAddressGroup> getAllAddresses() {
      return addresses;
    }

    @Override
    public Attributes getAttributes() {
      return Attributes.EMPTY;
    }

    @Override
    public ChannelLogger getChannelLogger() {
      return SilentLogger.INSTANCE;
    }
  }

  /** Fixed call details; round robin reads none of them. Thread-safety: immutable. */
  static final class FixedArgs extends PickSubchannelArgs {
    private static final MethodDescriptor<byte[], byte[]> METHOD =
        MethodDescriptor.<byte[], byte[]>newBuilder()
            .setType(MethodDescriptor.MethodType.UNARY)
            .setFullMethodName("bench.Pick/Pick")
            .setRequestMarshaller(Bytes.INSTANCE)
            .setResponseMarshaller(Bytes.INSTANCE)
            .build();
    private final Metadata headers = new Metadata();

    @Override
    public CallOptions getCallOptions() {
      return CallOptions.DEFAULT;
    }

    @Override
    public Metadata getHeaders() {
      return headers;
    }

    @Override
    public MethodDescriptor<?, ?> getMethodDescriptor() {
      return METHOD;
    }
  }

  /** A byte[] marshaller the descriptor needs; nothing is ever marshalled. Stateless. */
  enum Bytes implements MethodDescriptor.Marshaller<byte[]> {
    INSTANCE;

    @Override
    public InputStream stream(byte[] value) {
      return new ByteArrayInputStream(value);
    }

    @Override
    public byte[] parse(InputStream stream) {
      throw new UnsupportedOperationException("never called: no call is made");
    }
  }

  /** Drops every message. Stateless. */
  static final class SilentLogger extends ChannelLogger {
    static final SilentLogger INSTANCE = new SilentLogger();

    @Override
    public void log(ChannelLogLevel level, String message) {}

    @Override
    public void log(ChannelLogLevel level, String messageFormat, Object... args) {}
  }
}
