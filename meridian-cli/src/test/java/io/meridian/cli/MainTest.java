package io.meridian.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** The command tree parsed in-process: usage errors are exit code 2 with a one-line reason. */
class MainTest {

  private record Run(int code, String out, String err) {}

  private static Run run(String... args) {
    CommandLine cmd = Main.commandLine();
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    cmd.setOut(new PrintWriter(out, true));
    cmd.setErr(new PrintWriter(err, true));
    int code = cmd.execute(args);
    return new Run(code, out.toString(), err.toString());
  }

  @Test
  void everyVerbHasHelpAndExitsZero() {
    for (String verb :
        new String[] {
          "dev",
          "server",
          "dns",
          "apply",
          "get",
          "describe",
          "delete",
          "watch",
          "register",
          "deregister",
          "version"
        }) {
      Run r = run(verb, "--help");
      assertThat(r.code()).as(verb).isZero();
      assertThat(r.out()).as(verb).startsWith("Usage: meridian " + verb);
    }
  }

  @Test
  void aMissingKindIsAUsageError() {
    Run r = run("get");
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err())
        .contains("error: Missing required parameter: 'KIND'")
        .contains("See 'meridian get --help'.");
  }

  @Test
  void anUnknownKindFlagOrFormatIsAUsageError() {
    assertThat(run("get", "pods").err()).contains("unknown kind 'pods'");
    assertThat(run("get", "pods").code()).isEqualTo(2);
    assertThat(run("get", "svc", "--bogus").code()).isEqualTo(2);
    assertThat(run("get", "svc", "-o", "xml").code()).isEqualTo(2);
    assertThat(run("delete", "svc", "web", "--grace", "ten").code()).isEqualTo(2);
    assertThat(run("register", "web", "127.0.0.1").code()).isEqualTo(2);
    assertThat(run("get", "svc", "--registry", "ftp://x").code()).isEqualTo(2);
  }

  @Test
  void noCommandIsAUsageErrorThatListsTheCommands() {
    Run r = run();
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).contains("Commands:").contains("register");
  }

  @Test
  void deregisterWantsExactlyOneWayToNameTheInstance() {
    assertThat(run("deregister", "web").code()).isEqualTo(2);
    assertThat(run("deregister", "web", "127.0.0.1:9001", "--name", "x").code()).isEqualTo(2);
  }

  @Test
  void graceIsForInstancesOnly() {
    Run r = run("delete", "svc", "web", "--grace", "5s", "--registry", "http://127.0.0.1:1");
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).contains("--grace applies to instances only");
  }

  @Test
  void anUnreachableRegistryIsAnErrorNamingItsUrl() {
    Run r = run("get", "svc", "--registry", "http://127.0.0.1:1");
    assertThat(r.code()).isEqualTo(1);
    assertThat(r.err())
        .startsWith("error: cannot reach the registry at http://127.0.0.1:1")
        .doesNotContain("Exception");
  }

  @Test
  void versionNamesMeridianAndJava() {
    Run r = run("version");
    assertThat(r.code()).isZero();
    assertThat(r.out()).startsWith("meridian ").contains("java ");
  }
}
