package io.meridian.bench.registry;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Starts {@link StandaloneRegistry} as a separate JVM with this JVM's java and classpath, so the
 * registry never shares a process (or its heap, GC and JIT) with the load generator.
 *
 * <p>Thread-safety: start on one thread; {@link #close} is idempotent.
 */
final class RegistryProcess implements AutoCloseable {

  private final ChildProcess child;
  private final InetSocketAddress address;

  private RegistryProcess(ChildProcess child, InetSocketAddress address) {
    this.child = child;
    this.address = address;
  }

  /**
   * @param jvmArgs extra JVM options for the registry (a JFR recording, a heap size)
   */
  static RegistryProcess start(Path dataDir, Path log, List<String> jvmArgs) throws IOException {
    String java =
        ProcessHandle.current()
            .info()
            .command()
            .orElse(System.getProperty("java.home") + "/bin/java");
    List<String> cmd = new ArrayList<>();
    cmd.add(java);
    cmd.add("--enable-native-access=ALL-UNNAMED");
    cmd.addAll(jvmArgs);
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add(StandaloneRegistry.class.getName());
    cmd.add(dataDir.toString());
    ProcessBuilder pb =
        new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.appendTo(log.toFile()));
    ChildProcess child = ChildProcess.start("registry", pb);
    try {
      String line = child.awaitLine("port ", 60_000);
      if (line == null) {
        throw new IOException(
            "registry did not report its port; the end of its log:\n" + ChildProcess.tail(log, 15));
      }
      int port = Integer.parseInt(line.substring(5).trim());
      return new RegistryProcess(child, new InetSocketAddress("127.0.0.1", port));
    } catch (IOException | RuntimeException e) {
      child.close();
      throw e;
    }
  }

  InetSocketAddress address() {
    return address;
  }

  ProcessHandle process() {
    return child.server();
  }

  @Override
  public void close() {
    child.close();
  }
}
