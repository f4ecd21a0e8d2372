package io.meridian.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.meridian.testkit.CliResult;
import io.meridian.testkit.CliRunner;
import org.junit.jupiter.api.Test;

/** Exit codes and messages of the real jar when something is wrong before any request. */
class CliUsageIT {

  @Test
  void getWithoutAKindIsAUsageError() {
    CliResult r = CliRunner.run("get");

    assertThat(r.exitCode()).as(r.toString()).isEqualTo(2);
    assertThat(r.stderr()).contains("KIND").contains("meridian get --help");
  }

  @Test
  void anUnknownFlagIsAUsageError() {
    CliResult r = CliRunner.run("get", "services", "--no-such-flag");

    assertThat(r.exitCode()).as(r.toString()).isEqualTo(2);
    assertThat(r.stderr()).contains("--no-such-flag");
  }

  @Test
  void anUnreachableRegistryIsExitOneWithAMessageNamingItsUrl() {
    CliResult r =
        CliRunner.create()
            .withEnv("MERIDIAN_REGISTRY", "http://127.0.0.1:9")
            .exec("get", "services");

    assertThat(r.exitCode()).as(r.toString()).isEqualTo(1);
    assertThat(r.stderr().strip())
        .startsWith("error: cannot reach the registry at http://127.0.0.1:9")
        .doesNotContain("at java.")
        .hasLineCount(1);
  }

  @Test
  void helpAndVersionExitZero() {
    CliResult help = CliRunner.run("--help");
    CliResult version = CliRunner.run("version");

    assertThat(help.exitCode()).isZero();
    assertThat(help.stdout()).contains("register").contains("watch");
    assertThat(version.exitCode()).isZero();
    assertThat(version.stdout()).startsWith("meridian 0.");
  }
}
