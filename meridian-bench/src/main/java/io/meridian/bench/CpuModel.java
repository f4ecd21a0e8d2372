package io.meridian.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** The CPU the figures were measured on, as reports name it. Thread-safety: stateless. */
public final class CpuModel {

  private CpuModel() {}

  /** The "model name" of /proc/cpuinfo, or "unknown CPU" off Linux. */
  public static String name() {
    try {
      return Files.readAllLines(Path.of("/proc/cpuinfo")).stream()
          .filter(l -> l.startsWith("model name"))
          .map(l -> l.substring(l.indexOf(':') + 1).trim())
          .findFirst()
          .orElse("unknown CPU");
    } catch (IOException e) {
      return "unknown CPU";
    }
  }
}
