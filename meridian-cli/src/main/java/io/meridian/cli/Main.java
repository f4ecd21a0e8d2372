package io.meridian.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import java.io.PrintWriter;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.ScopeType;

/**
 * The {@code meridian} command: one picocli subcommand per verb.
 *
 * <p>Exit codes: 0 ok, 1 error (one line {@code error: …} on stderr, a stack trace only with {@code
 * --debug}), 2 usage (bad flag, missing argument, unknown kind).
 *
 * <p>Thread-safety: one command line per process, run on the main thread.
 */
@Command(
    name = "meridian",
    scope = ScopeType.INHERIT, // every verb gets --help (and --version)
    mixinStandardHelpOptions = true,
    versionProvider = VersionCommand.Provider.class,
    synopsisSubcommandLabel = "COMMAND",
    description = {
      "Service discovery and load balancing on the Kubernetes Service model.",
      "",
      "Run a registry with 'meridian dev', then use the client commands against it"
          + " (--registry, or MERIDIAN_REGISTRY, default http://127.0.0.1:7070)."
    },
    footer = {
      "",
      "Examples:",
      "  meridian dev",
      "  meridian apply -f services.yaml",
      "  meridian register web 127.0.0.1:8080 --ttl 10s",
      "  meridian get endpoints web",
      "  meridian watch services",
      "",
      "Exit codes: 0 ok, 1 error, 2 usage."
    },
    subcommands = {
      DevCommand.class,
      ServerCommand.class,
      DnsCommand.class,
      AgentCommand.class,
      AgentCommand.EdgeCommand.class,
      ApplyCommand.class,
      GetCommand.class,
      DescribeCommand.class,
      DeleteCommand.class,
      WatchCommand.class,
      RegisterCommand.class,
      DeregisterCommand.class,
      VersionCommand.class,
      CommandLine.HelpCommand.class
    })
public final class Main implements Runnable {

  static final String DEBUG = "--debug";

  @Option(
      names = DEBUG,
      scope = ScopeType.INHERIT,
      description = "Print stack traces of errors and debug logs.")
  boolean debug;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  /** {@code meridian} alone is a usage error: it prints the list of commands. */
  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getErr());
    throw new CommandLine.ParameterException(spec.commandLine(), "missing a command");
  }

  public static void main(String[] args) {
    // Netty samples buffers for leak reports by default, recording stack traces on the data path;
    // the tests run with paranoid detection, production needs none. -D... on the command line wins.
    if (System.getProperty("io.netty.leakDetection.level") == null) {
      System.setProperty("io.netty.leakDetection.level", "disabled");
    }
    System.exit(run(args));
  }

  /** Runs the command line and returns the exit code (tests call this in-process). */
  public static int run(String... args) {
    return commandLine().execute(args);
  }

  static CommandLine commandLine() {
    CommandLine cmd = new CommandLine(new Main());
    cmd.setExecutionStrategy(
        pr -> {
          if (debugRequested(pr)) {
            ((Logger) LoggerFactory.getLogger("io.meridian")).setLevel(Level.DEBUG);
          }
          return new CommandLine.RunLast().execute(pr);
        });
    cmd.setParameterExceptionHandler(Main::usageError);
    cmd.setExecutionExceptionHandler(
        (ex, c, pr) -> {
          if (ex instanceof CommandLine.ParameterException pe) {
            return usageError(pe, pr.originalArgs().toArray(String[]::new));
          }
          ErrorReport.print(ex, c.getErr(), debugRequested(pr));
          return 1;
        });
    return cmd;
  }

  private static int usageError(CommandLine.ParameterException ex, String[] args) {
    CommandLine c = ex.getCommandLine();
    PrintWriter err = c.getErr();
    err.println("error: " + ex.getMessage());
    CommandLine.UnmatchedArgumentException.printSuggestions(ex, err);
    err.println("See '" + c.getCommandSpec().qualifiedName() + " --help'.");
    err.flush();
    return c.getCommandSpec().exitCodeOnInvalidInput();
  }

  private static boolean debugRequested(ParseResult pr) {
    for (ParseResult p = pr; p != null; p = p.subcommand()) {
      if (p.hasMatchedOption(DEBUG)) {
        return true;
      }
    }
    return false;
  }
}
