package io.meridian.registry.health;

import io.meridian.api.HealthCheck;
import io.netty.channel.ChannelOption;
import java.net.InetSocketAddress;
import java.util.concurrent.CompletableFuture;

/**
 * {@code type: tcp}: passes when a connection is established within the timeout, then closes it
 * without reading or writing a byte.
 *
 * <p>Thread-safety: immutable; safe from any thread.
 */
final class TcpProber implements Prober {

  private final ProbeConnector connector;

  TcpProber(ProbeConnector connector) {
    this.connector = connector;
  }

  @Override
  public CompletableFuture<ProbeResult> probe(InetSocketAddress target, HealthCheck check) {
    return connector
        .connect(
            target,
            check.effectiveTimeout(),
            (ch, attempt) -> {
              ch.config().setOption(ChannelOption.AUTO_READ, false);
              ch.pipeline().addLast(new ProbeOutcomeHandler(attempt, "connection closed"));
            },
            (ch, attempt) -> attempt.finish(ProbeResult.passed("connected")))
        .result();
  }
}
