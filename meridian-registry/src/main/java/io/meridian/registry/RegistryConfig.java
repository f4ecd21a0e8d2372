package io.meridian.registry;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;

/**
 * Everything a {@link RegistryServer} is configured with. Immutable; build with {@link
 * #builder(Path)}.
 *
 * @param dataDir where the embedded store keeps its log and snapshots
 * @param host the address the API binds (default 127.0.0.1)
 * @param port the API port (default 7070; 0 picks a free one)
 * @param serviceCidr ClusterIPs come from here (default 10.96.0.0/16)
 * @param nodePortMin lowest NodePort (default 30000)
 * @param nodePortMax highest NodePort (default 32767)
 * @param lbPool LoadBalancer ingress IPs come from here (CIDR or {@code a.b.c.d-a.b.c.e}); empty
 *     for none (LoadBalancer services then stay pending)
 * @param maxRequestBytes larger request bodies get 413 (default 1 MiB)
 * @param bookmarkInterval how often an idle watch gets a BOOKMARK (default 10s)
 * @param historyLimit store events kept for watch resume (default 100,000)
 * @param fsync fsync the log before acknowledging (default true; tests of other parts may turn it
 *     off)
 * @param clock wall time for timestamps and grace periods
 */
public record RegistryConfig(
    Path dataDir,
    String host,
    int port,
    String serviceCidr,
    int nodePortMin,
    int nodePortMax,
    String lbPool,
    int maxRequestBytes,
    Duration bookmarkInterval,
    int historyLimit,
    boolean fsync,
    Clock clock) {

  public RegistryConfig {
    Objects.requireNonNull(dataDir, "dataDir");
    Objects.requireNonNull(host, "host");
    Objects.requireNonNull(serviceCidr, "serviceCidr");
    Objects.requireNonNull(lbPool, "lbPool");
    Objects.requireNonNull(bookmarkInterval, "bookmarkInterval");
    Objects.requireNonNull(clock, "clock");
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("port must be 0..65535, got " + port);
    }
    if (nodePortMin < 1 || nodePortMax > 65535 || nodePortMin > nodePortMax) {
      throw new IllegalArgumentException(
          "node port range must be within 1..65535 and min <= max, got "
              + nodePortMin
              + "-"
              + nodePortMax);
    }
  }

  public static Builder builder(Path dataDir) {
    return new Builder(dataDir);
  }

  /** Builder with Meridian's defaults (DESIGN.md "Defaults"). Not thread-safe. */
  public static final class Builder {
    private Path dataDir;
    private String host = "127.0.0.1";
    private int port = 7070;
    private String serviceCidr = "10.96.0.0/16";
    private int nodePortMin = 30000;
    private int nodePortMax = 32767;
    private String lbPool = "";
    private int maxRequestBytes = 1 << 20;
    private Duration bookmarkInterval = Duration.ofSeconds(10);
    private int historyLimit = 100_000;
    private boolean fsync = true;
    private Clock clock = Clock.systemUTC();

    private Builder(Path dataDir) {
      this.dataDir = dataDir;
    }

    public Builder host(String v) {
      host = v;
      return this;
    }

    public Builder port(int v) {
      port = v;
      return this;
    }

    public Builder serviceCidr(String v) {
      serviceCidr = v;
      return this;
    }

    public Builder nodePortRange(int min, int max) {
      nodePortMin = min;
      nodePortMax = max;
      return this;
    }

    public Builder lbPool(String v) {
      lbPool = v;
      return this;
    }

    public Builder maxRequestBytes(int v) {
      maxRequestBytes = v;
      return this;
    }

    public Builder bookmarkInterval(Duration v) {
      bookmarkInterval = v;
      return this;
    }

    public Builder historyLimit(int v) {
      historyLimit = v;
      return this;
    }

    public Builder fsync(boolean v) {
      fsync = v;
      return this;
    }

    public Builder clock(Clock v) {
      clock = v;
      return this;
    }

    public RegistryConfig build() {
      return new RegistryConfig(
          dataDir,
          host,
          port,
          serviceCidr,
          nodePortMin,
          nodePortMax,
          lbPool,
          maxRequestBytes,
          bookmarkInterval,
          historyLimit,
          fsync,
          clock);
    }
  }
}
