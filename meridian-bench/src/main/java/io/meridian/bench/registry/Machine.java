package io.meridian.bench.registry;

import io.meridian.bench.CpuModel;
import java.io.IOException;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;

/**
 * What the figures were measured on, for the report.
 *
 * <p>Thread-safety: immutable.
 */
record Machine(
    int cpus, String cpuModel, String kernel, String jdk, String etcd, String disk, String date) {

  static Machine describe(Path dataDir, String etcdBinary) {
    String model = CpuModel.name();
    String disk;
    try {
      FileStore fs = Files.getFileStore(dataDir);
      disk = fs.name() + " (" + fs.type() + ")";
    } catch (IOException e) {
      disk = "unknown";
    }
    return new Machine(
        Runtime.getRuntime().availableProcessors(),
        model,
        System.getProperty("os.name") + " " + System.getProperty("os.version"),
        System.getProperty("java.vm.vendor") + " " + Runtime.version(),
        EtcdServer.version(etcdBinary),
        disk,
        ZonedDateTime.now(ZoneOffset.UTC)
            .format(DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm 'UTC'")));
  }

  String oneLine() {
    return cpus
        + " CPUs ("
        + cpuModel
        + "), "
        + kernel
        + ", JDK "
        + jdk
        + ", "
        + etcd
        + ", data dirs on "
        + disk;
  }
}
