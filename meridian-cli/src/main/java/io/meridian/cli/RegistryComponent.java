package io.meridian.cli;

import io.meridian.registry.RegistryConfig;
import io.meridian.registry.RegistryServer;
import java.util.concurrent.CompletableFuture;

/** The registry server as a {@link Component}. Thread-safety: as {@link RegistryServer}. */
final class RegistryComponent implements Component {

  private final RegistryConfig config;
  private final RegistryServer server;

  RegistryComponent(RegistryConfig config) {
    this.config = config;
    this.server = RegistryServer.create(config);
  }

  @Override
  public String bindAddress() {
    return HostPort.format(config.host(), config.port());
  }

  @Override
  public String name() {
    return "registry";
  }

  @Override
  public CompletableFuture<Void> start() {
    return server.start();
  }

  @Override
  public String address() {
    return server.uri().toString();
  }

  @Override
  public void close() {
    server.close();
  }
}
