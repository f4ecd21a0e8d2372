package io.meridian.cli;

import io.meridian.testkit.MeridianJar;
import io.meridian.testkit.TempFiles;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Hosts built as network namespaces for integration tests (DESIGN.md, "Tests and the network"): one
 * router namespace and, per host, a namespace joined to it by a veth pair. Host number {@code n}
 * (1, 2, ... in the order given) is {@code 10.201.n.2/24} on its {@code eth0}, the router is {@code
 * 10.201.n.1} on its side, and the host's default route goes through the router, which forwards
 * between hosts (IP forwarding is switched on inside the router namespace only). Nothing reaches
 * the machine's own network: the veths are created inside the router namespace, so the machine's
 * namespace never holds an interface, a route or a sysctl of ours.
 *
 * <p>Namespace names carry a random suffix so that parallel runs do not clash. {@link #close()}
 * kills the processes started through {@link #startJava} and deletes every namespace (which removes
 * the veths), also after a partial build.
 *
 * <p>Thread-safety: not thread-safe; one test class drives it from one thread at a time.
 */
final class NetnsTopology implements AutoCloseable {

  static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(60);
  static final Duration STOP_GRACE = Duration.ofSeconds(5);

  /** JVM options for short-lived helper JVMs: start fast, stay small. */
  static final List<String> SMALL_JVM =
      List.of("-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xshare:auto", "-Xmx64m");

  /** A host: its name in the test, its namespace and its address. */
  record Host(String name, String namespace, String address) {}

  /** A finished command: its exit code and its standard output and error together. */
  record Result(int exitCode, String output) {
    boolean ok() {
      return exitCode == 0;
    }
  }

  /** A helper JVM started in a namespace, its output going to {@code log}. */
  record Started(Process process, Path log) {
    String output() {
      try {
        return Files.exists(log) ? Files.readString(log, StandardCharsets.UTF_8) : "";
      } catch (IOException e) {
        return "<cannot read " + log + ": " + e.getMessage() + ">";
      }
    }
  }

  private final String router;
  private final Map<String, Host> hosts = new LinkedHashMap<>();
  private final List<String> namespaces = new ArrayList<>(); // created, in order
  private final List<Started> started = new ArrayList<>();
  private final Path dir;

  private NetnsTopology(String suffix, Path dir) {
    this.router = "mr-" + suffix;
    this.dir = dir;
  }

  /**
   * Why namespaces cannot be built here (not root, no {@code ip}, no {@code ip netns}), or empty
   * when they can.
   */
  static Optional<String> whyUnavailable() {
    Result id = run(List.of("id", "-u"));
    if (!id.ok() || !id.output().strip().equals("0")) {
      return Optional.of("not root (id -u: " + id.output().strip() + ")");
    }
    Result ip = run(List.of("ip", "-V"));
    if (!ip.ok()) {
      return Optional.of("the ip command (iproute2) is unavailable: " + ip.output().strip());
    }
    Result netns = run(List.of("ip", "netns", "list"));
    if (!netns.ok()) {
      return Optional.of("ip netns is unavailable: " + netns.output().strip());
    }
    return Optional.empty();
  }

  /**
   * Builds the router and one host per name, in order (the first is {@code 10.201.1.2}). {@code
   * suffix} makes the namespace names unique (a few random hex digits).
   *
   * @throws IllegalStateException naming the command that failed (what was built is removed)
   */
  static NetnsTopology create(String suffix, String... hostNames) {
    Path dir;
    try {
      dir = Files.createTempDirectory("meridian-netns-");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    NetnsTopology t = new NetnsTopology(suffix, dir);
    try {
      t.addNamespace(t.router);
      t.must(List.of("ip", "-n", t.router, "link", "set", "lo", "up"));
      t.must(
          List.of("ip", "netns", "exec", t.router, "sysctl", "-q", "-w", "net.ipv4.ip_forward=1"));
      int n = 1;
      for (String name : hostNames) {
        t.addHost(new Host(name, name + "-" + suffix, "10.201." + n + ".2"), n);
        n++;
      }
      return t;
    } catch (RuntimeException e) {
      t.close();
      throw e;
    }
  }

  private void addNamespace(String ns) {
    must(List.of("ip", "netns", "add", ns));
    namespaces.add(ns);
  }

  private void addHost(Host h, int n) {
    addNamespace(h.namespace());
    String routerSide = "v-" + h.name();
    String subnet = "10.201." + n + ".";
    must(List.of("ip", "-n", h.namespace(), "link", "set", "lo", "up"));
    must(
        List.of(
            "ip",
            "-n",
            router,
            "link",
            "add",
            routerSide,
            "type",
            "veth",
            "peer",
            "name",
            "eth0",
            "netns",
            h.namespace()));
    must(List.of("ip", "-n", router, "addr", "add", subnet + "1/24", "dev", routerSide));
    must(List.of("ip", "-n", router, "link", "set", routerSide, "up"));
    must(List.of("ip", "-n", h.namespace(), "addr", "add", h.address() + "/24", "dev", "eth0"));
    must(List.of("ip", "-n", h.namespace(), "link", "set", "eth0", "up"));
    must(List.of("ip", "-n", h.namespace(), "route", "add", "default", "via", subnet + "1"));
    hosts.put(h.name(), h);
  }

  /**
   * Why the kernel cannot make dummy interfaces (some VM kernels are built without {@code
   * CONFIG_DUMMY} and cannot load modules), or empty when it can; tried in the router namespace.
   */
  Optional<String> whyNoDummyInterfaces() {
    Result r = run(List.of("ip", "-n", router, "link", "add", "mprobe0", "type", "dummy"));
    if (!r.ok()) {
      return Optional.of("ip link add mprobe0 type dummy: " + r.output().strip());
    }
    run(List.of("ip", "-n", router, "link", "del", "mprobe0"));
    return Optional.empty();
  }

  Host host(String name) {
    Host h = hosts.get(name);
    if (h == null) {
      throw new IllegalArgumentException("no host " + name + " in " + hosts.keySet());
    }
    return h;
  }

  /** The command prefix that runs a command in {@code host}'s namespace. */
  List<String> prefix(String host) {
    return List.of("ip", "netns", "exec", host(host).namespace());
  }

  /** Runs {@code command} in {@code host}'s namespace, bounded by {@link #COMMAND_TIMEOUT}. */
  Result exec(String host, List<String> command) {
    List<String> c = new ArrayList<>(prefix(host));
    c.addAll(command);
    return run(c);
  }

  /** Runs {@code main args...} from the test classes in a small JVM in {@code host}'s namespace. */
  Result runJava(String host, Class<?> main, String... args) {
    return exec(host, javaCommand(main, args));
  }

  /** Starts {@code main args...} from the test classes in {@code host}'s namespace; not waited. */
  Started startJava(String host, Class<?> main, String... args) {
    List<String> c = new ArrayList<>(prefix(host));
    c.addAll(javaCommand(main, args));
    Path log = dir.resolve(host + "-" + main.getSimpleName() + "-" + started.size() + ".log");
    try {
      Process p =
          new ProcessBuilder(c)
              .redirectErrorStream(true)
              .redirectOutput(log.toFile())
              .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
              .start();
      Started s = new Started(p, log);
      started.add(s);
      return s;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start " + String.join(" ", c), e);
    }
  }

  private static List<String> javaCommand(Class<?> main, String... args) {
    List<String> c = new ArrayList<>();
    c.add(MeridianJar.java().toString());
    c.addAll(SMALL_JVM);
    c.add("-cp");
    c.add(classesOf(main).toString());
    c.add(main.getName());
    c.addAll(List.of(args));
    return c;
  }

  /** The directory (or jar) {@code c} was loaded from: the test classes. */
  private static Path classesOf(Class<?> c) {
    try {
      return Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  private void must(List<String> command) {
    Result r = run(command);
    if (!r.ok()) {
      throw new IllegalStateException(
          String.join(" ", command) + " exited with " + r.exitCode() + ": " + r.output().strip());
    }
  }

  /** Runs {@code command} bounded by {@link #COMMAND_TIMEOUT}; exit 127 when it cannot start. */
  static Result run(List<String> command) {
    Process p;
    try {
      p = new ProcessBuilder(command).redirectErrorStream(true).start();
    } catch (IOException e) {
      return new Result(127, e.getMessage());
    }
    try {
      p.getOutputStream().close();
      // Read on another thread so that a command that never ends cannot hold us past the bound.
      var out = java.util.concurrent.CompletableFuture.supplyAsync(() -> readAll(p));
      if (!p.waitFor(COMMAND_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
        p.destroyForcibly();
        return new Result(
            124,
            String.join(" ", command) + ": timed out after " + COMMAND_TIMEOUT.toSeconds() + "s");
      }
      return new Result(p.exitValue(), out.get(STOP_GRACE.toMillis(), TimeUnit.MILLISECONDS));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      p.destroyForcibly();
      return new Result(130, "interrupted");
    } catch (IOException
        | java.util.concurrent.ExecutionException
        | java.util.concurrent.TimeoutException e) {
      p.destroyForcibly();
      return new Result(1, String.join(" ", command) + ": " + e);
    }
  }

  private static String readAll(Process p) {
    try {
      return new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      return "<cannot read output: " + e.getMessage() + ">";
    }
  }

  /** Stops the helper JVMs (SIGTERM, a grace, then SIGKILL) and deletes every namespace. */
  @Override
  public void close() {
    for (Started s : started) {
      s.process().destroy();
    }
    for (Started s : started) {
      try {
        if (!s.process().waitFor(STOP_GRACE.toMillis(), TimeUnit.MILLISECONDS)) {
          s.process().destroyForcibly().waitFor(STOP_GRACE.toMillis(), TimeUnit.MILLISECONDS);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        s.process().destroyForcibly();
      }
    }
    started.clear();
    for (int i = namespaces.size() - 1; i >= 0; i--) {
      Result r = run(List.of("ip", "netns", "del", namespaces.get(i)));
      if (!r.ok()) {
        System.err.println("cannot delete namespace " + namespaces.get(i) + ": " + r.output());
      }
    }
    namespaces.clear();
    TempFiles.deleteTree(dir);
  }

  @Override
  public String toString() {
    return "router " + router + ", hosts " + hosts.values();
  }
}
