package io.meridian.client.grpc;

import io.grpc.Attributes;
import io.grpc.NameResolver;
import io.grpc.NameResolverProvider;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.URI;
import java.util.Collection;
import java.util.List;

/**
 * The {@code meridian} scheme for grpc-java channels: {@code
 * ManagedChannelBuilder.forTarget("meridian:///default/greeter")} balances every call over the
 * ready endpoints of service {@code greeter} in namespace {@code default}.
 *
 * <p>Target syntax: {@code meridian://[registry-host:port]/namespace/service[:port]}. An empty
 * authority means the {@code MERIDIAN_REGISTRY} environment variable ({@code host:port} or an
 * {@code http://} URI), else {@code 127.0.0.1:7070}. The port is the service port's name or number;
 * without one, the port named {@code grpc}, else the service's only port.
 *
 * <p>Found by {@link java.util.ServiceLoader} through {@code META-INF/services}: having {@code
 * meridian-client} on the class path is enough. Each address carries the endpoint's {@link #ZONE},
 * {@link #WEIGHT} and {@link #INSTANCE}; the resolver's service config selects the service's {@code
 * spec.loadBalancing.policy} as {@code meridian_<policy>} (see {@link
 * MeridianLoadBalancerProvider}), round robin by default, unless the channel disables service
 * config lookup.
 *
 * <p>Thread-safety: stateless; the registry clients it shares live in {@link SharedClients}.
 */
public final class MeridianNameResolverProvider extends NameResolverProvider {

  public static final String SCHEME = "meridian";

  /** The endpoint's zone ("" when unknown). */
  public static final Attributes.Key<String> ZONE = Attributes.Key.create("io.meridian.zone");

  /** The endpoint's weight, 1..1000. */
  public static final Attributes.Key<Integer> WEIGHT = Attributes.Key.create("io.meridian.weight");

  /** The name of the instance behind the endpoint ("" for a manual endpoint). */
  public static final Attributes.Key<String> INSTANCE =
      Attributes.Key.create("io.meridian.instance");

  /** Where the registry is when the target names none. */
  static final String DEFAULT_REGISTRY = "127.0.0.1:7070";

  @Override
  protected boolean isAvailable() {
    return true;
  }

  /**
   * Below grpc's DNS resolver (5): grpc takes the default scheme, used for targets without one
   * ({@code "127.0.0.1:50051"}), from the highest-priority provider, and those must stay DNS
   * targets when this library is on the class path. {@code meridian:} targets find this provider by
   * scheme whatever its priority.
   */
  @Override
  protected int priority() {
    return 4;
  }

  @Override
  public String getDefaultScheme() {
    return SCHEME;
  }

  @Override
  public Collection<Class<? extends SocketAddress>> getProducedSocketAddressTypes() {
    return List.of(InetSocketAddress.class);
  }

  @Override
  public NameResolver newNameResolver(URI target, NameResolver.Args args) {
    if (!SCHEME.equals(target.getScheme())) {
      return null;
    }
    MeridianTarget t = MeridianTarget.parse(target, System.getenv("MERIDIAN_REGISTRY"));
    return new MeridianNameResolver(t, args, SharedClients.INSTANCE);
  }
}
