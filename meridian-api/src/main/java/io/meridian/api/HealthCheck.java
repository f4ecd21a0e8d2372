package io.meridian.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.time.Duration;

/**
 * An active health check ({@code spec.healthCheck} on a Service or an Instance).
 *
 * @param type tcp, http or grpc (the gRPC health checking protocol)
 * @param path for http: the request path (default {@code /healthz}); for grpc: the service name
 *     (empty checks the server as a whole)
 * @param port which instance port to probe: a number or a name of the instance's ports; defaults to
 *     the instance's first port
 * @param interval time between probes (default 5s)
 * @param timeout time a probe may take (default 1s; at most interval)
 * @param rise consecutive passes that make a failing instance ready (default 2)
 * @param fall consecutive failures that make a ready instance not ready (default 3)
 */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public record HealthCheck(
    String type,
    String path,
    IntOrString port,
    GoDuration interval,
    GoDuration timeout,
    Integer rise,
    Integer fall) {

  public static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(5);
  public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(1);
  public static final int DEFAULT_RISE = 2;
  public static final int DEFAULT_FALL = 3;

  public Duration effectiveInterval() {
    return interval == null ? DEFAULT_INTERVAL : interval.duration();
  }

  public Duration effectiveTimeout() {
    return timeout == null ? DEFAULT_TIMEOUT : timeout.duration();
  }

  public int effectiveRise() {
    return rise == null ? DEFAULT_RISE : rise;
  }

  public int effectiveFall() {
    return fall == null ? DEFAULT_FALL : fall;
  }

  public String effectivePath() {
    return path == null ? ("http".equals(type) ? "/healthz" : "") : path;
  }
}
