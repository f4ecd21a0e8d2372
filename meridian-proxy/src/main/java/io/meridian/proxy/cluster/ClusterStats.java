package io.meridian.proxy.cluster;

import java.util.concurrent.atomic.LongAdder;

/**
 * Counters of one cluster, written on the data path without locks ({@link LongAdder}) and read by
 * the admin port's {@code /metrics} and dump.
 *
 * <p>Thread-safety: every field may be updated from any thread.
 */
public final class ClusterStats {

  /** Connections (L4) or requests (L7) sent to an endpoint. */
  public final LongAdder requests = new LongAdder();

  /** L7 responses by class: index 1..5 for 1xx..5xx, 0 for none (reset or timeout). */
  public final LongAdder[] responses = {
    new LongAdder(),
    new LongAdder(),
    new LongAdder(),
    new LongAdder(),
    new LongAdder(),
    new LongAdder()
  };

  /** Connections to endpoints that failed to open. */
  public final LongAdder connectFailures = new LongAdder();

  /** Attempts repeated on another endpoint. */
  public final LongAdder retries = new LongAdder();

  /** Requests or connections refused because the cluster had no endpoint or was over a limit. */
  public final LongAdder unavailable = new LongAdder();

  /** Connections open to endpoints now. */
  public final LongAdder activeConnections = new LongAdder();

  /** Bytes relayed towards endpoints and back. */
  public final LongAdder bytesSent = new LongAdder();

  public final LongAdder bytesReceived = new LongAdder();

  /** L7 request latencies, from the request's arrival to its end (retries included). */
  public final LatencyHistogram latency = new LatencyHistogram();

  /** Records an L7 response with status {@code status} (0: none). */
  public void response(int status) {
    int cls = status / 100;
    responses[cls >= 1 && cls <= 5 ? cls : 0].increment();
  }
}
