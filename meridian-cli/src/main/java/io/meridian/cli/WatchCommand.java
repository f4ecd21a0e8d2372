package io.meridian.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.meridian.api.Kind;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code meridian watch KIND}: one line per change until interrupted. Starts with an ADDED line for
 * every current object; resumes from the last seen resourceVersion when the connection drops, and
 * lists afresh when the registry no longer has that history (410 Gone).
 *
 * <p>Thread-safety: one instance per invocation, filled in by picocli and run on the main thread.
 */
@Command(
    name = "watch",
    sortOptions = false,
    description = {
      "Print every change of a kind, one line per event, until Ctrl-C.",
      "",
      "First an ADDED line for each current object, then ADDED, MODIFIED and DELETED as they"
          + " happen. Reconnects by itself when the connection drops."
    },
    footer = {
      "",
      "Examples:",
      "  meridian watch services",
      "  meridian watch endpoints -A",
      "  meridian watch instances -l app=web -o json"
    })
final class WatchCommand implements Callable<Integer> {

  static final Duration RETRY = Duration.ofSeconds(1);

  @Parameters(
      index = "0",
      paramLabel = "KIND",
      converter = KindConverter.class,
      description = "What to watch.")
  Kind kind;

  @Mixin ClientOptions client;

  @Option(
      names = {"-A", "--all-namespaces"},
      description = "Watch all namespaces.")
  boolean allNamespaces;

  @Option(
      names = {"-o", "--output"},
      paramLabel = "FORMAT",
      defaultValue = "table",
      converter = OutputFormat.Converter.class,
      description =
          "table (default: one summary line per event) or json (the raw events, one per line).")
  OutputFormat output;

  @Option(
      names = {"-l", "--selector"},
      paramLabel = "SELECTOR",
      description =
          "Only objects whose labels match: app=web,tier!=db, env, !legacy, 'env in (a,b)'.")
  String selector;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  private String resourceVersion;
  private boolean connected;

  @Override
  public Integer call() throws InterruptedException {
    if (output == OutputFormat.YAML || output == OutputFormat.WIDE) {
      throw new CommandLine.ParameterException(spec.commandLine(), "watch prints table or json");
    }
    boolean all = allNamespaces && kind.namespaced();
    String base =
        ApiPaths.collection(kind, all ? null : client.namespace)
            + "?watch=true"
            + ApiPaths.labelSelector('&', selector);
    RegistryClient registry = client.client();
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    while (true) {
      String path = resourceVersion == null ? base : base + "&resourceVersion=" + resourceVersion;
      try {
        registry.watch(path, event -> handle(event, out, all));
        connected = true;
      } catch (ApiException e) {
        if (e.code() != 410) {
          throw e;
        }
        relist(err);
      } catch (CliException e) {
        if (!connected) {
          throw e;
        }
        err.println("watch: " + e.getMessage() + "; retrying in " + RETRY.toSeconds() + "s");
        err.flush();
        Thread.sleep(RETRY.toMillis());
      }
    }
  }

  private void relist(PrintWriter err) {
    err.println(
        "watch: the registry no longer has the history since resourceVersion "
            + resourceVersion
            + "; listing again");
    err.flush();
    resourceVersion = null;
  }

  private boolean handle(JsonNode event, PrintWriter out, boolean all) {
    connected = true;
    String type = event.path("type").asText();
    JsonNode object = event.path("object");
    if (type.equals("ERROR")) {
      if (object.path("code").asInt() == 410) {
        relist(spec.commandLine().getErr());
        return false;
      }
      throw new ApiException(
          RegistryClient.error(object.path("code").asInt(500), WireFormat.toJson(object)));
    }
    String rv = object.path("metadata").path("resourceVersion").asText("");
    if (!rv.isEmpty()) {
      resourceVersion = rv;
    }
    if (output == OutputFormat.JSON) {
      out.println(WireFormat.compactJson(event));
    } else if (!type.equals("BOOKMARK")) {
      out.println(EventLine.of(kind, type, WireFormat.decode(kind, object), all));
    }
    out.flush();
    return true;
  }
}
