package io.meridian.bench.registry;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A single-member etcd on loopback for the comparison: its own data dir, free client and peer
 * ports, etcd's default durability (every write is fsynced before it is acknowledged; etcd has no
 * switch to turn that off), and {@code --heartbeat-interval=250 --election-timeout=2500} so a busy
 * 2-core machine does not trigger spurious elections (DEPENDENCIES.md). Its output goes to a log
 * file; it runs under a small shell that kills it when this JVM's pipe closes.
 *
 * <p>Thread-safety: start on one thread; {@link #close} is idempotent.
 */
final class EtcdServer implements AutoCloseable {

  private static final String WRAPPER =
      "log=$1; shift; \"$@\" >\"$log\" 2>&1 </dev/null & p=$!; echo \"pid $p\"; "
          + "while read -r _; do :; done; kill -TERM \"$p\" 2>/dev/null; wait \"$p\"";

  private final ChildProcess child;
  private final URI clientUrl;

  private EtcdServer(ChildProcess child, URI clientUrl) {
    this.child = child;
    this.clientUrl = clientUrl;
  }

  /** Starts etcd and waits (at most 30 s) until it acknowledges a write. */
  static EtcdServer start(String etcd, Path dataDir, Path log) throws Exception {
    int[] ports = freePorts(2);
    String client = "http://127.0.0.1:" + ports[0];
    String peer = "http://127.0.0.1:" + ports[1];
    List<String> cmd =
        new ArrayList<>(List.of("bash", "-c", WRAPPER, "etcd-wrapper", log.toString()));
    cmd.addAll(
        List.of(
            etcd,
            "--name=bench",
            "--data-dir=" + dataDir,
            "--listen-client-urls=" + client,
            "--advertise-client-urls=" + client,
            "--listen-peer-urls=" + peer,
            "--initial-advertise-peer-urls=" + peer,
            "--initial-cluster=bench=" + peer,
            "--initial-cluster-state=new",
            "--heartbeat-interval=250",
            "--election-timeout=2500",
            "--logger=zap",
            "--log-outputs=stderr"));
    ChildProcess child = ChildProcess.start("etcd", new ProcessBuilder(cmd));
    EtcdServer server = new EtcdServer(child, URI.create(client));
    try {
      server.awaitWritable(30_000);
    } catch (Exception e) {
      server.close();
      throw new IOException(
          "etcd did not become writable; the end of its log:\n" + ChildProcess.tail(log, 15), e);
    }
    return server;
  }

  URI clientUrl() {
    return clientUrl;
  }

  ProcessHandle process() {
    return child.server();
  }

  /** A jetcd client for this member, with jetcd's defaults. */
  Client newClient() {
    return Client.builder().endpoints(clientUrl).build();
  }

  private void awaitWritable(long timeoutMillis) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
    Exception last = null;
    try (Client c = newClient()) {
      ByteSequence key = ByteSequence.from("/bench/ready", StandardCharsets.UTF_8);
      while (System.nanoTime() < deadline) {
        if (!child.serverAlive()) {
          throw new IOException("etcd exited");
        }
        try {
          c.getKVClient().put(key, key).get(2, TimeUnit.SECONDS);
          return;
        } catch (Exception e) {
          last = e;
          Thread.sleep(200);
        }
      }
    }
    throw new IOException("timed out", last);
  }

  /** {@code etcd --version}'s first line, e.g. "etcd Version: 3.4.23". */
  static String version(String etcd) {
    try {
      Process p = new ProcessBuilder(etcd, "--version").redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      p.waitFor(10, TimeUnit.SECONDS);
      return out.lines().findFirst().orElse("unknown").trim();
    } catch (IOException | InterruptedException e) {
      return "unknown (" + e + ")";
    }
  }

  private static int[] freePorts(int n) throws IOException {
    List<ServerSocket> sockets = new ArrayList<>();
    try {
      int[] ports = new int[n];
      for (int i = 0; i < n; i++) {
        ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        sockets.add(s);
        ports[i] = s.getLocalPort();
      }
      return ports;
    } finally {
      for (ServerSocket s : sockets) {
        s.close();
      }
    }
  }

  @Override
  public void close() {
    child.close();
  }
}
