package io.meridian.testkit;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The runnable {@code meridian.jar} under test and the command line that runs it with the JVM
 * running the tests. The jar comes from the system property {@code meridian.jar} (the failsafe
 * configuration of meridian-cli sets it to {@code target/meridian.jar}).
 *
 * <p>Thread-safety: stateless; safe from any thread.
 */
public final class MeridianJar {

  /** The system property naming the jar. */
  public static final String PROPERTY = "meridian.jar";

  private MeridianJar() {}

  /** The jar, checked to exist. */
  public static Path path() {
    String p = System.getProperty(PROPERTY);
    if (p == null || p.isBlank()) {
      throw new IllegalStateException(
          "system property "
              + PROPERTY
              + " is not set: run integration tests through failsafe"
              + " (./mvnw -pl meridian-cli verify), which points it at target/meridian.jar");
    }
    Path jar = Path.of(p).toAbsolutePath();
    if (!Files.isRegularFile(jar)) {
      throw new IllegalStateException(
          jar + " does not exist: build it with ./mvnw -pl meridian-cli package");
    }
    return jar;
  }

  /** The {@code java} of the running JVM. */
  public static Path java() {
    Path bin = Path.of(System.getProperty("java.home"), "bin", "java");
    if (Files.isExecutable(bin)) {
      return bin;
    }
    return ProcessHandle.current().info().command().map(Path::of).orElse(bin);
  }

  /** {@code java [jvmOptions] --enable-native-access=ALL-UNNAMED -jar meridian.jar args...}. */
  public static List<String> command(List<String> jvmOptions, List<String> args) {
    List<String> cmd = new ArrayList<>();
    cmd.add(java().toString());
    cmd.addAll(jvmOptions);
    cmd.add("--enable-native-access=ALL-UNNAMED");
    cmd.add("-jar");
    cmd.add(path().toString());
    cmd.addAll(args);
    return cmd;
  }
}
