package io.meridian.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.meridian.api.Endpoints;
import io.meridian.api.Instance;
import io.meridian.api.Kind;
import io.meridian.api.Namespace;
import io.meridian.api.Node;
import io.meridian.api.Resource;
import io.meridian.api.Service;
import java.io.PrintWriter;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/**
 * {@code meridian describe KIND NAME}: one object in detail, for a person.
 *
 * <p>Thread-safety: one instance per invocation, filled in by picocli and run on the main thread.
 */
@Command(
    name = "describe",
    sortOptions = false,
    description = "Show one object in detail (a service with its endpoints).",
    footer = {
      "",
      "Examples:",
      "  meridian describe service web",
      "  meridian describe instance web-127-0-0-1-9001"
    })
final class DescribeCommand implements Callable<Integer> {

  @Parameters(
      index = "0",
      paramLabel = "KIND",
      converter = KindConverter.class,
      description = "What to describe.")
  Kind kind;

  @Parameters(index = "1", paramLabel = "NAME", description = "Its name.")
  String name;

  @Mixin ClientOptions client;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() {
    RegistryClient registry = client.client();
    Resource r =
        WireFormat.decode(kind, registry.get(ApiPaths.object(kind, client.namespace, name)));
    Description d =
        switch (r) {
          case Service s -> {
            Optional<JsonNode> ep =
                registry.find(ApiPaths.object(Kind.ENDPOINTS, client.namespace, name));
            yield Description.of(
                s, ep.map(n -> (Endpoints) WireFormat.decode(Kind.ENDPOINTS, n)).orElse(null));
          }
          case Instance i -> Description.of(i);
          case Endpoints e -> Description.of(e);
          case Node n -> Description.of(n);
          case Namespace n -> Description.of(n);
        };
    PrintWriter out = spec.commandLine().getOut();
    out.print(d.render());
    out.flush();
    return 0;
  }
}
