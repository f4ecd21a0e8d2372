package io.meridian.cli;

import java.nio.file.Path;
import picocli.CommandLine.Option;

/**
 * Where a server process keeps its data and listens: shared by {@code dev} and {@code server}.
 *
 * <p>Thread-safety: filled in by picocli, then only read by one command.
 */
final class ListenOptions {

  @Option(
      names = "--data-dir",
      paramLabel = "DIR",
      defaultValue = "./meridian-data",
      description =
          "Data directory, relative to the current directory (default: ${DEFAULT-VALUE}).")
  Path dataDir;

  @Option(
      names = "--host",
      paramLabel = "ADDR",
      defaultValue = "127.0.0.1",
      description = "Address the registry API binds (default: ${DEFAULT-VALUE}).")
  String host;

  @Option(
      names = "--port",
      paramLabel = "PORT",
      defaultValue = "7070",
      description = "Registry API port; 0 picks a free one (default: ${DEFAULT-VALUE}).")
  int port;
}
