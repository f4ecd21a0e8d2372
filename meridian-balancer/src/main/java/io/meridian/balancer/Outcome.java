package io.meridian.balancer;

/** How a request to a backend ended, as reported to outlier detection. */
public enum Outcome {
  /** It answered, and the answer was not a server error. */
  SUCCESS,
  /** It answered with a server error (HTTP 5xx, gRPC UNAVAILABLE/INTERNAL...). */
  FAILURE,
  /** It could not be reached: connect refused or timed out, reset before an answer. */
  CONNECT_FAILURE,
  /** The caller gave up or the request timed out; says nothing certain about the backend. */
  TIMEOUT
}
