package io.meridian.client.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.meridian.api.IntOrString;
import io.meridian.api.Kind;
import io.meridian.api.ObjectMeta;
import io.meridian.api.Service;
import io.meridian.api.ServicePort;
import io.meridian.api.ServiceSpec;
import io.meridian.api.ServiceType;
import io.meridian.registry.RegistryConfig;
import io.meridian.registry.RegistryServer;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 3, bar 3, with real processes and sockets: a registry, three backend processes that
 * register themselves with a lease, and a caller process that finds the registry only through
 * {@code MERIDIAN_REGISTRY}. 3,000 calls spread over all three; then one backend is SIGKILLed while
 * the caller keeps calling: no call may fail later than one second after the kill, and the killed
 * instance's lease must expire. Once through grpc-java ({@code meridian:///default/greeter}), once
 * through {@code MeridianHttpClient} ({@code http://web.default/hello}).
 */
class KillBackendTest {

  private static final int TTL_SECONDS = 2;
  private static final int CALLS = 3_000;
  private static final Duration START = Duration.ofSeconds(60);

  @TempDir Path dir;
  private RegistryServer registry;
  private final List<Process> processes = new ArrayList<>();

  @AfterEach
  void tearDown() throws Exception {
    for (Process p : processes) {
      p.destroyForcibly();
    }
    for (Process p : processes) {
      p.waitFor(10, TimeUnit.SECONDS);
    }
    if (registry != null) {
      registry.close();
    }
  }

  @Test
  void grpcCallsMoveAwayFromAKilledServer() throws Exception {
    run("grpc", "greeter", "grpc", "meridian:///default/greeter");
  }

  @Test
  void httpCallsMoveAwayFromAKilledServer() throws Exception {
    run("http", "web", "http", "http://web.default/hello");
  }

  private void run(String mode, String service, String portName, String target) throws Exception {
    registry =
        RegistryServer.create(
            RegistryConfig.builder(dir.resolve("registry")).port(0).fsync(false).build());
    registry.start().get(30, TimeUnit.SECONDS);
    String hostPort = registry.uri().getHost() + ":" + registry.uri().getPort();
    registry
        .resources()
        .write(
            new Service(
                ObjectMeta.of("default", service),
                ServiceSpec.of(
                    ServiceType.ClusterIP,
                    Map.of("app", service),
                    List.of(
                        new ServicePort(
                            portName,
                            ServicePort.Protocol.TCP,
                            8080,
                            IntOrString.of(portName),
                            null,
                            null)))),
            false)
        .get(10, TimeUnit.SECONDS);

    List<String> names = List.of(service + "-a", service + "-b", service + "-c");
    Map<String, Process> backends = new HashMap<>();
    for (String name : names) {
      Process p =
          java(
              Map.of(),
              BackendMain.class.getName(),
              mode,
              registry.uri().toString(),
              service,
              name,
              String.valueOf(TTL_SECONDS));
      backends.put(name, p);
    }
    for (String name : names) {
      awaitLine(lines(backends.get(name)), l -> l.startsWith("READY"), name);
    }

    Process caller =
        java(
            Map.of("MERIDIAN_REGISTRY", hostPort),
            CallerMain.class.getName(),
            mode,
            target,
            "3",
            String.valueOf(CALLS),
            "30");
    BlockingQueue<String> out = lines(caller);
    String seen = awaitLine(out, l -> l.startsWith("SEEN"), "caller");
    assertThat(seen).contains(names);

    String spread = awaitLine(out, l -> l.startsWith("SPREAD"), "caller");
    Map<String, Integer> counts = parseCounts(spread);
    assertThat(counts.get("failures")).as(spread).isZero();
    for (String name : names) {
      assertThat(counts.getOrDefault(name, 0)).as(spread).isGreaterThanOrEqualTo(CALLS / 4);
    }

    awaitLine(out, l -> l.equals("KILL-NOW"), "caller");
    Thread.sleep(300); // let the caller get going
    String victim = names.get(0);
    long killedAt = System.currentTimeMillis();
    backends.get(victim).destroyForcibly();
    backends.get(victim).waitFor(10, TimeUnit.SECONDS);

    await()
        .atMost(Duration.ofSeconds(TTL_SECONDS + 5))
        .pollInterval(Duration.ofMillis(50))
        .until(() -> registry.resources().get(Kind.INSTANCE, "default", victim).isEmpty());
    long expiredAt = System.currentTimeMillis();
    Thread.sleep(1_000); // calls after the lease expired

    try (OutputStream in = caller.getOutputStream()) {
      in.write("STOP\n".getBytes(StandardCharsets.UTF_8));
    }
    List<String> failures = new ArrayList<>();
    String last;
    while (true) {
      String l = awaitLine(out, x -> true, "caller");
      if (l.startsWith("FAIL")) {
        failures.add(l);
      } else if (l.startsWith("LAST")) {
        last = l;
        break;
      }
    }
    String done = awaitLine(out, l -> l.startsWith("DONE"), "caller");
    int afterKill = Integer.parseInt(done.substring(5).trim());

    for (String f : failures) {
      long t = Long.parseLong(f.split(" ")[1]);
      assertThat(t - killedAt)
          .as("a call failed %d ms after the kill: %s", t - killedAt, f)
          .isLessThanOrEqualTo(1_000);
    }
    assertThat(expiredAt - killedAt)
        .as("the lease expires within its ttl (plus the reaper's slack)")
        .isLessThanOrEqualTo(TimeUnit.SECONDS.toMillis(TTL_SECONDS) + 3_000);
    Map<String, Long> lastAnswer = new HashMap<>();
    for (String part : last.substring(4).trim().split(" ")) {
      String[] kv = part.split("=");
      lastAnswer.put(kv[0], Long.parseLong(kv[1]));
    }
    for (String survivor : names.subList(1, 3)) {
      assertThat(lastAnswer.get(survivor)).as(last).isGreaterThan(expiredAt);
    }
    assertThat(afterKill).as("calls made while a backend was killed").isGreaterThan(100);
    System.out.printf(
        "%s: %s; after the kill %d calls, %d failed (%s); lease expired after %d ms%n",
        mode, spread, afterKill, failures.size(), failures, expiredAt - killedAt);
  }

  private Process java(Map<String, String> env, String... args) throws IOException {
    List<String> command = new ArrayList<>();
    command.add(ProcessHandle.current().info().command().orElse("java"));
    command.add("--enable-native-access=ALL-UNNAMED");
    command.add("-Xmx192m");
    command.add("-XX:+UseSerialGC");
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
    pb.environment().putAll(env);
    Process p = pb.start();
    processes.add(p);
    return p;
  }

  private final Map<Process, BlockingQueue<String>> outputs = new HashMap<>();

  /** The process's output lines, read on a virtual thread (also logged to this test's output). */
  private BlockingQueue<String> lines(Process p) {
    return outputs.computeIfAbsent(
        p,
        proc -> {
          BlockingQueue<String> q = new LinkedBlockingQueue<>();
          Thread.ofVirtual()
              .start(
                  () -> {
                    try (BufferedReader r =
                        new BufferedReader(
                            new InputStreamReader(proc.getInputStream(), StandardCharsets.UTF_8))) {
                      String l;
                      while ((l = r.readLine()) != null) {
                        if (!l.startsWith("FAIL")) {
                          System.out.println("[" + proc.pid() + "] " + l);
                        }
                        q.add(l);
                      }
                    } catch (IOException ignored) {
                      // the process died
                    }
                  });
          return q;
        });
  }

  private static String awaitLine(
      BlockingQueue<String> q, java.util.function.Predicate<String> match, String who)
      throws InterruptedException {
    long deadline = System.nanoTime() + START.toNanos();
    while (System.nanoTime() < deadline) {
      String l = q.poll(100, TimeUnit.MILLISECONDS);
      if (l != null && match.test(l)) {
        return l;
      }
    }
    throw new AssertionError(who + " did not print the expected line within " + START);
  }

  private static Map<String, Integer> parseCounts(String line) {
    Map<String, Integer> m = new HashMap<>();
    for (String part : line.substring(line.indexOf(' ') + 1).split(" ")) {
      String[] kv = part.split("=");
      m.put(kv[0], Integer.parseInt(kv[1]));
    }
    return m;
  }
}
