package io.meridian.cli;

import io.meridian.api.GoDuration;
import io.meridian.api.Kind;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code meridian delete KIND NAME [--grace D]}.
 *
 * <p>Thread-safety: one instance per invocation, filled in by picocli and run on the main thread.
 */
@Command(
    name = "delete",
    sortOptions = false,
    description = {
      "Delete one object.",
      "",
      "An instance deleted with --grace is marked terminating first: data planes send it no new"
          + " requests and let open ones finish; it is removed when the grace period ends."
    },
    footer = {
      "",
      "Examples:",
      "  meridian delete service web",
      "  meridian delete instance web-127-0-0-1-9001 --grace 10s"
    })
final class DeleteCommand implements Callable<Integer> {

  @Parameters(
      index = "0",
      paramLabel = "KIND",
      converter = KindConverter.class,
      description = "What to delete.")
  Kind kind;

  @Parameters(index = "1", paramLabel = "NAME", description = "Its name.")
  String name;

  @Mixin ClientOptions client;

  @Option(
      names = "--grace",
      paramLabel = "DURATION",
      converter = DurationConverter.class,
      description =
          "Instances only: terminate gracefully over this long (e.g. 10s); default 0, at once.")
  GoDuration grace;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() {
    if (grace != null && kind != Kind.INSTANCE) {
      throw new CommandLine.ParameterException(
          spec.commandLine(), "--grace applies to instances only");
    }
    String path = ApiPaths.object(kind, client.namespace, name);
    if (grace != null) {
      path += "?gracePeriodSeconds=" + DurationConverter.ceilSeconds(grace);
    }
    client.client().delete(path);
    PrintWriter out = spec.commandLine().getOut();
    out.println(deleted(kind, name, grace));
    out.flush();
    return 0;
  }

  /** {@code service "web" deleted}, or the terminating form for a graceful delete. */
  static String deleted(Kind kind, String name, GoDuration grace) {
    String what = kind.kindName().toLowerCase(java.util.Locale.ROOT) + " \"" + name + "\"";
    if (grace == null || grace.duration().isZero()) {
      return what + " deleted";
    }
    return what + " terminating, removed in " + grace;
  }
}
