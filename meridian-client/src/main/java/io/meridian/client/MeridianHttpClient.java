package io.meridian.client;

import io.meridian.api.Service;
import io.meridian.api.ServicePort;
import io.meridian.balancer.HashKeys;
import io.meridian.balancer.Outcome;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * {@link HttpClient} that calls services by name: a request to {@code http://web.default/hello}
 * goes to an endpoint of service {@code web} in namespace {@code default}, picked per request, and
 * a failed attempt is retried on another endpoint when that is safe.
 *
 * <pre>{@code
 * MeridianHttpClient http = MeridianHttpClient.create(client);
 * HttpResponse<String> r =
 *     http.send(HttpRequest.newBuilder(URI.create("http://web.default/hello")).build(), ofString());
 * }</pre>
 *
 * <h2>Names</h2>
 *
 * A host {@code name.namespace}, {@code name.namespace.svc} or {@code
 * name.namespace.svc.cluster.local}, or a bare {@code name} (in the client's namespace), that names
 * a service the registry knows is a Meridian call; any other host (an IP, {@code example.com}, a
 * service the registry does not know) is sent as it is, so one client serves both. The port in the
 * URI is the service's port number; without one, the service port named like the scheme ({@code
 * http}), else the service's only port. The request goes to the picked endpoint's address and its
 * port for that service port; the {@code Host} header is the endpoint's.
 *
 * <h2>Retries</h2>
 *
 * An attempt is retried on another endpoint (one not tried yet while there is one), up to {@code
 * maxAttempts} in all and while the {@link RetryBudget} allows, when:
 *
 * <ul>
 *   <li>the connection could not be made (refused, connect timeout): nothing was sent, so any
 *       method is retried;
 *   <li>the endpoint answered 502 or 503, or the connection broke before an answer, and the method
 *       is idempotent (GET, HEAD, OPTIONS, TRACE, PUT, DELETE; RFC 9110 §9.2.2).
 * </ul>
 *
 * A retried request's body publisher is subscribed again: every {@code BodyPublishers} factory
 * supports that except {@code ofInputStream} over a one-shot stream. Every attempt's outcome is
 * reported to the service's balancer: connection failures and 5xx feed outlier detection, so a dead
 * endpoint is ejected even before the registry notices.
 *
 * <p>Thread-safety: safe from any thread; the balancer cache is a concurrent map.
 */
public final class MeridianHttpClient implements AutoCloseable {

  private static final Set<String> IDEMPOTENT =
      Set.of("GET", "HEAD", "OPTIONS", "TRACE", "PUT", "DELETE");

  private final MeridianClient client;
  private final HttpClient http;
  private final boolean ownsHttp;
  private final int maxAttempts;
  private final RetryBudget budget;
  private final Duration readyTimeout;
  private final Consumer<ServiceBalancer.Builder> balancerOptions;
  private final LongSupplier nanoTime;
  private final Map<String, Cached> balancers = new ConcurrentHashMap<>();

  private record Cached(ServiceBalancer balancer, long createdNanos) {}

  private MeridianHttpClient(Builder b) {
    this.client = b.client;
    this.ownsHttp = b.http == null;
    this.http =
        b.http != null
            ? b.http
            : HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(2))
                .build();
    this.maxAttempts = b.maxAttempts;
    this.budget = b.budget;
    this.readyTimeout = b.readyTimeout;
    this.balancerOptions = b.balancerOptions;
    this.nanoTime = b.nanoTime;
  }

  /** A client with the defaults: 3 attempts, {@link RetryBudget#defaults()}. */
  public static MeridianHttpClient create(MeridianClient client) {
    return builder(client).build();
  }

  public static Builder builder(MeridianClient client) {
    return new Builder(client);
  }

  /** The underlying client, for requests that should not be balanced. */
  public HttpClient httpClient() {
    return http;
  }

  /**
   * Sends {@code request}, balanced and retried as described above, and waits for the answer.
   *
   * @throws NoEndpointException when the service has nothing to send to
   * @throws IOException when the last attempt failed
   */
  public <T> HttpResponse<T> send(HttpRequest request, HttpResponse.BodyHandler<T> handler)
      throws IOException, InterruptedException {
    CompletableFuture<HttpResponse<T>> f = sendAsync(request, handler);
    try {
      return f.get();
    } catch (InterruptedException e) {
      f.cancel(true);
      throw e;
    } catch (ExecutionException e) {
      Throwable c = e.getCause();
      if (c instanceof IOException io) {
        throw io;
      }
      if (c instanceof RuntimeException re) {
        throw re;
      }
      throw new IOException(c);
    }
  }

  /** {@link #send} without blocking. */
  public <T> CompletableFuture<HttpResponse<T>> sendAsync(
      HttpRequest request, HttpResponse.BodyHandler<T> handler) {
    Objects.requireNonNull(request, "request");
    Objects.requireNonNull(handler, "handler");
    return target(request.uri())
        .thenCompose(
            target -> {
              if (target.isEmpty()) {
                return http.sendAsync(request, handler);
              }
              budget.deposit();
              return attempt(request, handler, target.get(), 1, new ArrayList<>());
            });
  }

  // ---- routing -----------------------------------------------------------------------------

  /** Where a Meridian request goes: a balancer and the endpoint port of its service port. */
  private record Target(ServiceBalancer balancer, long createdNanos, boolean waited) {}

  private CompletableFuture<Optional<Target>> target(URI uri) {
    String host = uri.getHost();
    if (host == null || !("http".equals(uri.getScheme()) || "https".equals(uri.getScheme()))) {
      return CompletableFuture.completedFuture(Optional.empty());
    }
    ServiceKey key = serviceOf(host.toLowerCase(Locale.ROOT));
    if (key == null) {
      return CompletableFuture.completedFuture(Optional.empty());
    }
    // Until the first snapshot nothing is known; wait for it (bounded) rather than guess.
    CompletableFuture<ClusterSnapshot> first = client.ready();
    CompletableFuture<ClusterSnapshot> known =
        first.isDone()
            ? first
            : first.copy().completeOnTimeout(null, readyTimeout.toMillis(), TimeUnit.MILLISECONDS);
    return known.thenApply(
        ignored -> {
          ClusterSnapshot snap = client.watch().current();
          Optional<ServiceEntry> entry = snap == null ? Optional.empty() : snap.service(key);
          if (entry.isEmpty()) {
            String h = host.toLowerCase(Locale.ROOT);
            if (h.endsWith(".svc") || h.endsWith(".svc.cluster.local")) {
              throw new NoEndpointException("service " + key + " does not exist");
            }
            return Optional.empty();
          }
          String port = servicePort(entry.get().service(), uri);
          Cached c =
              balancers.computeIfAbsent(
                  key + ":" + port,
                  k -> {
                    ServiceBalancer.Builder b = client.balancerBuilder(key.toString());
                    balancerOptions.accept(b);
                    return new Cached(
                        b.port(port.isEmpty() ? null : port).build(), nanoTime.getAsLong());
                  });
          return Optional.of(new Target(c.balancer(), c.createdNanos(), false));
        });
  }

  /** The service a host names, or null when it cannot name one. */
  private ServiceKey serviceOf(String host) {
    if (host.isEmpty()
        || host.indexOf(':') >= 0
        || host.startsWith("[")
        || host.matches("[0-9.]+")) {
      return null; // an IP literal
    }
    String h = host;
    if (h.endsWith(".svc.cluster.local")) {
      h = h.substring(0, h.length() - ".svc.cluster.local".length());
    } else if (h.endsWith(".svc")) {
      h = h.substring(0, h.length() - ".svc".length());
    }
    String[] labels = h.split("\\.", -1);
    if (labels.length == 1) {
      return ServiceKey.of(client.defaultNamespace(), labels[0]);
    }
    if (labels.length == 2 && !labels[0].isEmpty() && !labels[1].isEmpty()) {
      return ServiceKey.of(labels[1], labels[0]);
    }
    return null;
  }

  /** The name of the service port {@code uri} addresses ("" for an unnamed only port). */
  private static String servicePort(Service svc, URI uri) {
    List<ServicePort> ports = svc.spec().ports();
    if (uri.getPort() >= 0) {
      String name = PortEndpoints.resolve(ports, String.valueOf(uri.getPort()), null);
      if (name == null) {
        throw new NoEndpointException(
            "service " + ServiceKey.of(svc) + " has no port " + uri.getPort());
      }
      return name;
    }
    String name = PortEndpoints.resolve(ports, null, uri.getScheme());
    if (name == null) {
      throw new NoEndpointException(
          "service "
              + ServiceKey.of(svc)
              + " has several ports and none is named \""
              + uri.getScheme()
              + "\": put the port number in the URI");
    }
    return name;
  }

  // ---- attempts ----------------------------------------------------------------------------

  private <T> CompletableFuture<HttpResponse<T>> attempt(
      HttpRequest request,
      HttpResponse.BodyHandler<T> handler,
      Target target,
      int n,
      List<Endpoint> tried) {
    Endpoint e;
    try {
      e = pickUntried(target.balancer(), request, tried);
    } catch (NoEndpointException noEndpoint) {
      if (n == 1
          && !target.waited()
          && nanoTime.getAsLong() - target.createdNanos() < readyTimeout.toNanos()) {
        // a balancer made for this request may not have applied its first snapshot yet
        return target
            .balancer()
            .ready()
            .copy()
            .orTimeout(readyTimeout.toMillis(), TimeUnit.MILLISECONDS)
            .handle((b, err) -> null)
            .thenCompose(
                ignored ->
                    attempt(
                        request,
                        handler,
                        new Target(target.balancer(), target.createdNanos(), true),
                        n,
                        tried));
      }
      return CompletableFuture.failedFuture(noEndpoint);
    }
    tried.add(e);
    HttpRequest routed =
        HttpRequest.newBuilder(request, (k, v) -> true).uri(rewrite(request.uri(), e)).build();
    boolean idempotent = IDEMPOTENT.contains(request.method());
    boolean mayRetry = n < maxAttempts;
    boolean[] retryStatus = new boolean[1];
    HttpResponse.BodyHandler<T> watching =
        info -> {
          int s = info.statusCode();
          if (mayRetry && idempotent && (s == 502 || s == 503) && budget.tryWithdraw()) {
            retryStatus[0] = true;
            return HttpResponse.BodySubscribers.replacing(null);
          }
          return handler.apply(info);
        };
    long t0 = nanoTime.getAsLong();
    return http.sendAsync(routed, watching)
        .handle(
            (response, error) -> {
              Duration took = Duration.ofNanos(nanoTime.getAsLong() - t0);
              Throwable cause = unwrap(error);
              if (cause == null) {
                int s = response.statusCode();
                target.balancer().report(e, s >= 500 ? Outcome.FAILURE : Outcome.SUCCESS, took);
                if (retryStatus[0]) {
                  return attempt(request, handler, target, n + 1, tried);
                }
                return CompletableFuture.completedFuture(response);
              }
              boolean notSent =
                  cause instanceof ConnectException || cause instanceof HttpConnectTimeoutException;
              Outcome o =
                  notSent
                      ? Outcome.CONNECT_FAILURE
                      : cause instanceof HttpTimeoutException
                          ? Outcome.TIMEOUT
                          : cause instanceof IOException
                              ? Outcome.CONNECT_FAILURE
                              : Outcome.FAILURE;
              target.balancer().report(e, o, took);
              boolean retryable =
                  notSent
                      || (idempotent
                          && cause instanceof IOException
                          && !(cause instanceof HttpTimeoutException));
              if (mayRetry && retryable && budget.tryWithdraw()) {
                return attempt(request, handler, target, n + 1, tried);
              }
              return CompletableFuture.<HttpResponse<T>>failedFuture(cause);
            })
        .thenCompose(f -> f);
  }

  /** A pick not in {@code tried}, when a few picks find one; else whatever the last pick gave. */
  private static Endpoint pickUntried(
      ServiceBalancer balancer, HttpRequest request, List<Endpoint> tried) {
    long hash = hashOf(balancer.hashOn(), request);
    Endpoint e = null;
    for (int i = 0; i < 4; i++) {
      if (e != null) {
        balancer.release(e);
      }
      e = hash == 0 ? balancer.pick() : balancer.pick(hash);
      if (!tried.contains(e)) {
        return e;
      }
      if (hash != 0) {
        hash =
            HashKeys.mix(
                hash + tried.size() + i); // a hash policy answers one key with one endpoint
      }
    }
    return e;
  }

  private static long hashOf(String hashOn, HttpRequest request) {
    if (hashOn != null && hashOn.startsWith("header:")) {
      Optional<String> v = request.headers().firstValue(hashOn.substring("header:".length()));
      if (v.isPresent()) {
        long h = HashKeys.hash(v.get());
        return h == 0 ? 1 : h;
      }
    }
    return 0;
  }

  private static URI rewrite(URI uri, Endpoint e) {
    // Raw components: decoding and re-encoding would turn %2F into / and %26 into &.
    StringBuilder sb = new StringBuilder(uri.getScheme()).append("://");
    if (uri.getRawUserInfo() != null) {
      sb.append(uri.getRawUserInfo()).append('@');
    }
    sb.append(e.authority());
    if (uri.getRawPath() != null) {
      sb.append(uri.getRawPath());
    }
    if (uri.getRawQuery() != null) {
      sb.append('?').append(uri.getRawQuery());
    }
    if (uri.getRawFragment() != null) {
      sb.append('#').append(uri.getRawFragment());
    }
    try {
      return new URI(sb.toString());
    } catch (URISyntaxException ex) {
      throw new IllegalArgumentException(
          "cannot route " + uri + " to " + e + ": " + ex.getMessage(), ex);
    }
  }

  private static Throwable unwrap(Throwable t) {
    while ((t instanceof CompletionException || t instanceof ExecutionException)
        && t.getCause() != null) {
      t = t.getCause();
    }
    return t;
  }

  /**
   * Closes the balancers this client made and the {@link HttpClient} if it made it (an injected one
   * is left open); the {@link MeridianClient} stays open.
   */
  @Override
  public void close() {
    for (Cached c : balancers.values()) {
      c.balancer().close();
    }
    balancers.clear();
    if (ownsHttp) {
      http.shutdownNow();
    }
  }

  /**
   * Configures a {@link MeridianHttpClient}.
   *
   * <p>Thread-safety: not thread-safe; use from one thread.
   */
  public static final class Builder {

    private final MeridianClient client;
    private HttpClient http;
    private int maxAttempts = 3;
    private RetryBudget budget = RetryBudget.defaults();
    private Duration readyTimeout = Duration.ofSeconds(2);
    private Consumer<ServiceBalancer.Builder> balancerOptions = b -> {};
    private LongSupplier nanoTime = System::nanoTime;

    private Builder(MeridianClient client) {
      this.client = Objects.requireNonNull(client, "client");
    }

    /** The client requests go through (default: HTTP/1.1, 2 s connect timeout). */
    public Builder httpClient(HttpClient v) {
      this.http = v;
      return this;
    }

    /** Attempts per request, the first included (default 3; 1 turns retries off). */
    public Builder maxAttempts(int v) {
      if (v < 1 || v > 10) {
        throw new IllegalArgumentException("maxAttempts must be 1..10, got " + v);
      }
      this.maxAttempts = v;
      return this;
    }

    /** The retry budget shared by every request of this client (default 20 % + 10/s). */
    public Builder retryBudget(RetryBudget v) {
      this.budget = Objects.requireNonNull(v, "retryBudget");
      return this;
    }

    /**
     * How long a request may wait for the registry's first snapshot, or for a service's first
     * endpoints right after it was first called (default 2 s).
     */
    public Builder readyTimeout(Duration v) {
      this.readyTimeout = Objects.requireNonNull(v, "readyTimeout");
      return this;
    }

    /** Options for every balancer this client makes (policy override, outlier detection...). */
    public Builder balancerOptions(Consumer<ServiceBalancer.Builder> v) {
      this.balancerOptions = Objects.requireNonNull(v, "balancerOptions");
      return this;
    }

    /** The monotonic clock for latencies (default {@link System#nanoTime()}). */
    public Builder ticker(LongSupplier v) {
      this.nanoTime = Objects.requireNonNull(v, "ticker");
      return this;
    }

    public MeridianHttpClient build() {
      return new MeridianHttpClient(this);
    }
  }
}
