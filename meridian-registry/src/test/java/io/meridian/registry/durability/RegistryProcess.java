package io.meridian.registry.durability;

import io.meridian.registry.RegistryConfig;
import io.meridian.registry.RegistryServer;
import java.nio.file.Path;

/**
 * A registry in its own JVM, for tests that kill it with SIGKILL: {@code RegistryProcess DATADIR
 * PORT} prints {@code listening PORT} once bound and runs until killed.
 */
public final class RegistryProcess {

  private RegistryProcess() {}

  public static void main(String[] args) throws Exception {
    RegistryServer s =
        RegistryServer.create(
            RegistryConfig.builder(Path.of(args[0])).port(Integer.parseInt(args[1])).build());
    s.start().get();
    System.out.println("listening " + s.address().getPort());
    System.out.flush();
    Thread.currentThread().join();
  }
}
