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
 * {@code meridian deregister SERVICE HOST:PORT | --name INSTANCE [--grace D]}.
 *
 * <p>Thread-safety: one instance per invocation, filled in by picocli and run on the main thread.
 */
@Command(
    name = "deregister",
    sortOptions = false,
    description = {
      "Remove an instance registered with 'meridian register' (the service stays).",
      "",
      "With --grace it is marked terminating first: data planes send it no new requests and let"
          + " open ones finish; it is removed when the grace period ends."
    },
    footer = {
      "",
      "Examples:",
      "  meridian deregister web 127.0.0.1:9001",
      "  meridian deregister web --name web-blue-1 --grace 10s"
    })
final class DeregisterCommand implements Callable<Integer> {

  @Parameters(index = "0", paramLabel = "SERVICE", description = "The service's name.")
  String service;

  @Parameters(
      index = "1",
      paramLabel = "HOST:PORT",
      arity = "0..1",
      converter = HostPort.Converter.class,
      description = "The address it was registered with (or give --name).")
  HostPort target;

  @Mixin ClientOptions client;

  @Option(
      names = "--name",
      paramLabel = "INSTANCE",
      description = "The instance's name instead of HOST:PORT.")
  String name;

  @Option(
      names = "--grace",
      paramLabel = "DURATION",
      converter = DurationConverter.class,
      description = "Terminate gracefully over this long (e.g. 10s); default: remove at once.")
  GoDuration grace;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() {
    if ((target == null) == (name == null)) {
      throw new CommandLine.ParameterException(
          spec.commandLine(), "give either HOST:PORT or --name INSTANCE");
    }
    String instance = name != null ? name : target.instanceName(service);
    String path = ApiPaths.object(Kind.INSTANCE, client.namespace, instance);
    if (grace != null) {
      path += "?gracePeriodSeconds=" + DurationConverter.ceilSeconds(grace);
    }
    client.client().delete(path);
    PrintWriter out = spec.commandLine().getOut();
    out.println(DeleteCommand.deleted(Kind.INSTANCE, instance, grace));
    out.flush();
    return 0;
  }
}
