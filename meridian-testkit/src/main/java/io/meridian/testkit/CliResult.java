package io.meridian.testkit;

/**
 * What one run of the {@code meridian} command did.
 *
 * @param exitCode the process's exit code
 * @param stdout everything it printed on standard output
 * @param stderr everything it printed on standard error
 */
public record CliResult(int exitCode, String stdout, String stderr) {

  /** Whether it exited 0. */
  public boolean ok() {
    return exitCode == 0;
  }

  /** Everything, for assertion messages. */
  @Override
  public String toString() {
    return "exit " + exitCode + "\n--- stdout ---\n" + stdout + "\n--- stderr ---\n" + stderr;
  }
}
