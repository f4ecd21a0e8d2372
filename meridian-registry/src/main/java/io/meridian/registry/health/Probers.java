package io.meridian.registry.health;

import io.meridian.api.HealthCheck;
import io.netty.channel.EventLoopGroup;
import java.net.InetSocketAddress;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;

/**
 * The health probers, on Netty: {@code tcp} (connect), {@code http} (HTTP/1.1 GET, 2xx/3xx passes)
 * and {@code grpc} (the gRPC health checking protocol over h2c).
 *
 * <p>All probers of a process share one injected {@link EventLoopGroup} (NIO or epoll); creating a
 * prober does no I/O and starts no thread, and the caller owns the group's lifecycle.
 *
 * <p>Thread-safety: the probers returned are immutable and safe from any thread.
 */
public final class Probers {

  private Probers() {}

  /**
   * One prober for every type, dispatching by {@link HealthCheck#type()}: {@code tcp} (also when
   * the type is absent), {@code http} or {@code grpc}; an unknown type is a failed result naming
   * it.
   *
   * @throws IllegalArgumentException when {@code group} is neither NIO nor epoll
   */
  public static Prober create(EventLoopGroup group) {
    ProbeConnector connector = new ProbeConnector(group);
    Prober tcp = new TcpProber(connector);
    Prober http = new HttpProber(connector);
    Prober grpc = new GrpcProber(connector);
    return (target, check) -> {
      String type = check.type() == null ? "tcp" : check.type().toLowerCase(Locale.ROOT);
      Prober prober =
          switch (type) {
            case "tcp" -> tcp;
            case "http" -> http;
            case "grpc" -> grpc;
            default -> null;
          };
      if (prober == null) {
        return CompletableFuture.completedFuture(
            ProbeResult.failed("unknown health check type \"" + check.type() + "\""));
      }
      return guarded(prober, target, check);
    };
  }

  /**
   * The prober for one type: {@code tcp}, {@code http} or {@code grpc}.
   *
   * @throws IllegalArgumentException for another type, or a group that is neither NIO nor epoll
   */
  public static Prober forType(String type, EventLoopGroup group) {
    ProbeConnector connector = new ProbeConnector(group);
    Prober prober =
        switch (type.toLowerCase(Locale.ROOT)) {
          case "tcp" -> new TcpProber(connector);
          case "http" -> new HttpProber(connector);
          case "grpc" -> new GrpcProber(connector);
          default ->
              throw new IllegalArgumentException("unknown health check type \"" + type + "\"");
        };
    return (target, check) -> guarded(prober, target, check);
  }

  /** Keeps the contract when a prober throws instead of returning a failed result. */
  private static CompletableFuture<ProbeResult> guarded(
      Prober prober, InetSocketAddress target, HealthCheck check) {
    try {
      return prober.probe(target, check);
    } catch (RuntimeException e) {
      return CompletableFuture.completedFuture(
          ProbeResult.failed("probe failed to start: " + e.getMessage()));
    }
  }
}
