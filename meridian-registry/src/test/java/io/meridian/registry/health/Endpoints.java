package io.meridian.registry.health;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;

/**
 * Loopback endpoints that misbehave in one precise way.
 *
 * <p>Thread-safety: stateless.
 */
final class Endpoints {

  private Endpoints() {}

  /** An address on 127.0.0.1 where nothing listens: connecting is refused. */
  static InetSocketAddress refusing() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return new InetSocketAddress(InetAddress.getLoopbackAddress(), socket.getLocalPort());
    }
  }

  /**
   * A listening socket that never accepts: the kernel completes connections into its backlog, and
   * nothing is ever read or answered. Close it when done.
   */
  static ServerSocket silent() throws IOException {
    return new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
  }

  static InetSocketAddress address(ServerSocket socket) {
    return new InetSocketAddress(InetAddress.getLoopbackAddress(), socket.getLocalPort());
  }
}
