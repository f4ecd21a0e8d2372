package io.meridian.bench.balancer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.meridian.bench.CpuModel;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Turns the JSON of {@link PickBenchmark} and {@link GrpcRoundRobinBenchmark} runs ({@code -rf
 * json}) into the Markdown section {@value #HEADING}: one row per picker and endpoint count with
 * ns/op, B/op and the ratio to grpc's round robin at the same count, then each policy against the
 * goal. Prints it, and with {@code --docs FILE} replaces that section of FILE (up to the next
 * {@code ## } heading) or appends it, as the registry benchmark does. Its exit status never depends
 * on the figures.
 *
 * <pre>
 * PickReport [--docs FILE|-] [--command CMD] [--measured WHEN] [--busy CPUS] RESULT.json...
 * </pre>
 *
 * {@code --busy} is how many CPUs the whole machine kept busy during the run (from {@code
 * /proc/stat}, measured by the script), so a reader can tell a quiet run from a shared one.
 *
 * <p>Thread-safety: a main; single-threaded.
 */
public final class PickReport {

  static final String HEADING = "## Client-side pick()";
  static final String GRPC = "grpc-java round_robin";

  /** One benchmark's figures; {@code error} is JMH's 99.9% half-width, NaN when it has none. */
  record Figure(double nanos, double error, double bytes) {}

  private PickReport() {}

  public static void main(String[] args) throws IOException {
    Path docs = null;
    String command = "meridian-bench/run-pick-bench.sh";
    String measured = "(time not recorded)";
    String busy = null;
    List<Path> inputs = new ArrayList<>();
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--docs" -> docs = "-".equals(args[++i]) ? null : Path.of(args[i]);
        case "--command" -> command = args[++i];
        case "--measured" -> measured = args[++i];
        case "--busy" -> busy = args[++i];
        default -> inputs.add(Path.of(args[i]));
      }
    }
    if (inputs.isEmpty()) {
      System.err.println(
          "usage: PickReport [--docs FILE|-] [--command CMD] [--measured WHEN] [--busy CPUS]"
              + " RESULT.json...");
      System.exit(2);
    }
    ObjectMapper mapper = new ObjectMapper();
    List<JsonNode> results = new ArrayList<>();
    for (Path p : inputs) {
      mapper.readTree(p.toFile()).forEach(results::add);
    }
    String section = markdown(results, command, measured, busy);
    System.out.print(section);
    if (docs != null) {
      writeSection(docs, section);
      System.err.println("run-pick-bench: wrote the pick() section of " + docs);
    }
  }

  static String markdown(List<JsonNode> results, String command, String measured, String busy) {
    // picker -> endpoints -> figure, for pick() and pick(hash)
    Map<String, Map<Integer, Figure>> pick = new TreeMap<>();
    Map<String, Map<Integer, Figure>> hash = new TreeMap<>();
    Set<String> order = new LinkedHashSet<>();
    order.add(GRPC);
    for (JsonNode r : results) {
      String bench = r.path("benchmark").asText();
      JsonNode params = r.path("params");
      String picker =
          bench.contains("GrpcRoundRobinBenchmark") ? GRPC : params.path("policy").asText();
      order.add(picker);
      Figure f =
          new Figure(
              number(r.path("primaryMetric").path("score")),
              number(r.path("primaryMetric").path("scoreError")),
              bytesPerOp(r.path("secondaryMetrics")));
      (bench.endsWith(".pickHash") ? hash : pick)
          .computeIfAbsent(picker, k -> new TreeMap<>())
          .put(params.path("endpoints").asInt(), f);
    }
    Map<Integer, Figure> grpc = pick.getOrDefault(GRPC, Map.of());
    JsonNode first = results.get(0);
    StringBuilder b = new StringBuilder();
    b.append(HEADING).append("\n\n");
    b.append(
        String.format(
            Locale.ROOT,
            "Measured %s on %s. JMH %s, average time, %d thread(s), %d fork(s) × %d × %s warm-up +"
                + " %d × %s measured; B/op is `-prof gc`'s `gc.alloc.rate.norm`; ± is JMH's 99.9%%"
                + " interval. Figures are from one run%s.\n\n",
            measured,
            machine(first),
            first.path("jmhVersion").asText(),
            first.path("threads").asInt(),
            first.path("forks").asInt(),
            first.path("warmupIterations").asInt(),
            first.path("warmupTime").asText(),
            first.path("measurementIterations").asInt(),
            first.path("measurementTime").asText(),
            busy == null
                ? ""
                : "; the machine kept "
                    + busy
                    + " CPUs busy meanwhile (the benchmark itself about"
                    + " 1, the rest is other work on the shared machine)"));
    b.append("Reproduce (about 4 minutes after the build): `").append(command).append("`\n\n");
    b.append(
        "Every Meridian picker is built by `Policies.create(name)` with its defaults over the same"
            + " backends (weights 1..10 from a seeded generator) with the production"
            + " `RandomSource.threadLocal()`. grpc-java's is the picker its own `round_robin`"
            + " balancer (grpc-util, `pick_first` children) publishes once every subchannel is"
            + " READY, fed by a stub helper; its setup checks that 2N picks reach all N"
            + " subchannels. *÷ grpc* is ns/op over grpc's at the same endpoint count. `pick(hash)`"
            + " is given precomputed XXH64 hashes of 4,096 client keys (hashing the key is not"
            + " counted); only the hash policies have it. B/op of 0.001 is JMH's own bookkeeping"
            + " spread over the operations of an iteration, not the picker.\n\n");
    b.append(
        "| picker | endpoints | pick() ns/op | ± | B/op | ÷ grpc | pick(hash) ns/op | ± | B/op |"
            + " ÷ grpc |\n");
    b.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
    for (String picker : order) {
      Map<Integer, Figure> p = pick.getOrDefault(picker, Map.of());
      Map<Integer, Figure> h = hash.getOrDefault(picker, Map.of());
      Set<Integer> counts = new TreeSet<>(p.keySet());
      counts.addAll(h.keySet());
      for (int n : counts) {
        b.append("| ").append(picker).append(" | ").append(String.format(Locale.ROOT, "%,d", n));
        cells(b, p.get(n), picker.equals(GRPC) ? null : grpc.get(n));
        cells(b, h.get(n), grpc.get(n));
        b.append(" |\n");
      }
    }
    b.append("\n### Against the goal: ≤ grpc's ns/op and 0 B/op\n\n");
    b.append(
        "*Ties* are slower than grpc by less than the two ± intervals together: not a difference"
            + " this run can show.\n\n");
    for (String picker : order) {
      if (!picker.equals(GRPC)) {
        b.append("- ").append(picker).append(": ").append(verdict(pick.get(picker), grpc));
        if (hash.containsKey(picker)) {
          b.append("; pick(hash): ").append(verdict(hash.get(picker), grpc));
        }
        b.append(".\n");
      }
    }
    return b.toString();
  }

  private static void cells(StringBuilder b, Figure f, Figure grpc) {
    if (f == null) {
      b.append(" | — |  |  | ");
      return;
    }
    b.append(" | ").append(String.format(Locale.ROOT, "%.2f", f.nanos()));
    b.append(" | ");
    if (!Double.isNaN(f.error())) {
      b.append(String.format(Locale.ROOT, "%.2f", f.error()));
    }
    b.append(" | ").append(String.format(Locale.ROOT, "%.3f", f.bytes()));
    b.append(" | ");
    if (grpc != null) {
      b.append(String.format(Locale.ROOT, "%.2f", f.nanos() / grpc.nanos()));
    }
  }

  /** Whether a picker holds the goal at every endpoint count measured, and where it does not. */
  private static String verdict(Map<Integer, Figure> figures, Map<Integer, Figure> grpc) {
    if (figures == null || figures.isEmpty()) {
      return "not measured";
    }
    List<String> misses = new ArrayList<>();
    List<String> ties = new ArrayList<>();
    for (Map.Entry<Integer, Figure> e : figures.entrySet()) {
      Figure g = grpc.get(e.getKey());
      Figure f = e.getValue();
      if (g != null && f.nanos() > g.nanos()) {
        String at =
            String.format(Locale.ROOT, "%.1f vs %.1f ns at %,d", f.nanos(), g.nanos(), e.getKey());
        double noise = f.error() + g.error(); // NaN unless both have an interval
        (f.nanos() - g.nanos() <= noise ? ties : misses).add(at);
      }
      if (f.bytes() > 0.01) {
        misses.add(String.format(Locale.ROOT, "%.2f B/op at %,d", f.bytes(), e.getKey()));
      }
    }
    if (!misses.isEmpty()) {
      return "**misses** (" + String.join("; ", misses) + ")";
    }
    return ties.isEmpty() ? "**holds**" : "**holds**, ties at " + String.join("; ", ties);
  }

  private static String machine(JsonNode r) {
    String model = CpuModel.name();
    return Runtime.getRuntime().availableProcessors()
        + " CPUs ("
        + model
        + "), "
        + System.getProperty("os.name")
        + " "
        + System.getProperty("os.version")
        + ", JDK "
        + r.path("vmName").asText()
        + " "
        + r.path("vmVersion").asText();
  }

  /** JMH writes NaN as a string. */
  private static double number(JsonNode n) {
    return n.isNumber() ? n.asDouble() : Double.NaN;
  }

  private static double bytesPerOp(JsonNode secondary) {
    for (Map.Entry<String, JsonNode> e : secondary.properties()) {
      if (e.getKey().replace("·", "").equals("gc.alloc.rate.norm")) {
        return number(e.getValue().path("score"));
      }
    }
    return Double.NaN;
  }

  /** Replaces (or appends) the section in {@code file}, creating the file if needed. */
  static void writeSection(Path file, String section) throws IOException {
    String old =
        Files.exists(file)
            ? Files.readString(file, StandardCharsets.UTF_8)
            : "# Benchmarks\n\nFigures printed by the benchmarks in `meridian-bench`; each section"
                + " names the command that reproduces it. Benchmarks never pass or fail on speed.\n\n";
    String updated;
    int start = old.startsWith(HEADING + "\n") ? 0 : old.indexOf("\n" + HEADING + "\n");
    if (start < 0) {
      updated = (old.endsWith("\n\n") ? old : old.stripTrailing() + "\n\n") + section;
    } else {
      start = start == 0 ? 0 : start + 1;
      int end = old.indexOf("\n## ", start + HEADING.length());
      updated = old.substring(0, start) + section + (end < 0 ? "" : "\n" + old.substring(end + 1));
    }
    if (file.getParent() != null) {
      Files.createDirectories(file.getParent());
    }
    Files.writeString(file, updated, StandardCharsets.UTF_8);
  }
}
