package io.meridian.bench.registry;

import io.meridian.registry.RegistryConfig;
import io.meridian.registry.RegistryServer;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;

/**
 * The registry as its own process for the benchmark: {@code java -cp <bench classpath>
 * io.meridian.bench.registry.StandaloneRegistry <data dir>} starts a {@link RegistryServer} with
 * the embedded store (fsync on) on 127.0.0.1 and a free port, prints {@code pid <n>} and {@code
 * port <n>} on stdout, and runs until its stdin closes (the benchmark closing the pipe, or dying)
 * or it gets SIGTERM. Logs go to stderr.
 *
 * <p>Thread-safety: a main; the server is closed exactly once (stdin EOF and the hook race safely,
 * since {@link RegistryServer#close} is idempotent).
 */
public final class StandaloneRegistry {

  private StandaloneRegistry() {}

  public static void main(String[] args) throws Exception {
    if (args.length != 1) {
      System.err.println("usage: StandaloneRegistry <data dir>");
      System.exit(2);
    }
    RegistryServer server =
        RegistryServer.create(RegistryConfig.builder(Path.of(args[0])).port(0).fsync(true).build());
    Runtime.getRuntime().addShutdownHook(new Thread(server::close, "registry-shutdown"));
    server.start().get();
    System.out.println("pid " + ProcessHandle.current().pid());
    System.out.println("port " + server.address().getPort());
    System.out.flush();
    awaitEof(System.in);
    server.close();
    System.exit(0);
  }

  private static void awaitEof(InputStream in) {
    byte[] buf = new byte[256];
    try {
      while (in.read(buf) >= 0) {
        // nothing is sent on this pipe; it only tells us the benchmark is alive
      }
    } catch (IOException e) {
      // the pipe broke: the benchmark is gone
    }
  }
}
