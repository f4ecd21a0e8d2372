package io.meridian.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.meridian.api.Kind;
import io.meridian.api.Resource;
import java.io.PrintWriter;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code meridian get KIND [NAME]}: list or show objects.
 *
 * <p>Thread-safety: one instance per invocation, filled in by picocli and run on the main thread.
 */
@Command(
    name = "get",
    sortOptions = false,
    description = "Show one object or a list of them, as a table, JSON or YAML.",
    footer = {
      "",
      "Kinds: services (svc), instances (inst), endpoints (ep), nodes (no), namespaces (ns).",
      "",
      "Examples:",
      "  meridian get services",
      "  meridian get svc web -o yaml",
      "  meridian get instances -l app=web -o wide",
      "  meridian get endpoints -A"
    })
final class GetCommand implements Callable<Integer> {

  @Parameters(
      index = "0",
      paramLabel = "KIND",
      converter = KindConverter.class,
      description = "What to show.")
  Kind kind;

  @Parameters(
      index = "1",
      paramLabel = "NAME",
      arity = "0..1",
      description = "One object (default: all).")
  String name;

  @Mixin ClientOptions client;

  @Option(
      names = {"-A", "--all-namespaces"},
      description = "List across all namespaces.")
  boolean allNamespaces;

  @Option(
      names = {"-o", "--output"},
      paramLabel = "FORMAT",
      defaultValue = "table",
      converter = OutputFormat.Converter.class,
      description = "table (default), wide, json or yaml.")
  OutputFormat output;

  @Option(
      names = {"-l", "--selector"},
      paramLabel = "SELECTOR",
      description =
          "Only objects whose labels match: app=web,tier!=db, env, !legacy, 'env in (a,b)'.")
  String selector;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  private final Clock clock = Clock.systemUTC();

  @Override
  public Integer call() {
    if (name != null && allNamespaces) {
      throw new CommandLine.ParameterException(
          spec.commandLine(), "a NAME cannot be combined with --all-namespaces");
    }
    PrintWriter out = spec.commandLine().getOut();
    RegistryClient registry = client.client();
    boolean all = allNamespaces && kind.namespaced();
    if (name != null) {
      JsonNode object = registry.get(ApiPaths.object(kind, client.namespace, name));
      print(out, object, List.of(WireFormat.decode(kind, object)), false);
      return 0;
    }
    JsonNode list =
        registry.get(
            ApiPaths.collection(kind, all ? null : client.namespace)
                + ApiPaths.labelSelector('?', selector));
    List<Resource> items = WireFormat.decodeItems(kind, list);
    if (items.isEmpty() && output.tabular()) {
      PrintWriter err = spec.commandLine().getErr();
      err.println(
          kind.namespaced() && !all
              ? "No resources found in " + client.namespace + " namespace."
              : "No resources found.");
      err.flush();
      return 0;
    }
    print(out, list, items, all);
    return 0;
  }

  private void print(PrintWriter out, JsonNode raw, List<Resource> items, boolean withNamespace) {
    switch (output) {
      case JSON -> out.print(WireFormat.prettyJson(raw));
      case YAML -> out.print(WireFormat.yaml(raw));
      default ->
          out.print(
              new ResourceTables(clock.instant())
                  .table(kind, items, output == OutputFormat.WIDE, withNamespace)
                  .render());
    }
    out.flush();
  }
}
