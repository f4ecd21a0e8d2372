package io.meridian.client.internal;

import io.meridian.api.ApiError;
import io.meridian.api.Kind;
import io.meridian.api.Resource;
import io.meridian.client.Ticker;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps one kind (services, endpoints or nodes) in sync with the registry: list, then watch from
 * the listed revision, resume the watch from the last revision seen when it ends, relist when the
 * registry answers 410 Gone or sends something unreadable.
 *
 * <h2>Design note</h2>
 *
 * <p>The Kubernetes reflector's loop (client-go {@code tools/cache/reflector.go}, "ListAndWatch"),
 * run as a state machine on a serial executor instead of a goroutine: every transition runs on
 * {@code sync}; HTTP completions and stream chunks arrive on the HTTP client's threads, are decoded
 * there, and post their result to {@code sync}. Each attempt (one list or one watch request) has an
 * epoch; a callback of an attempt that has since ended (cancelled, timed out, superseded) finds a
 * newer epoch and is dropped, so a late chunk of a dead stream can never be applied.
 *
 * <p>No thread waits on a stream: {@link LineSubscriber} receives chunks as they arrive and asks
 * for the next only after {@code sync} applied the previous lines (back-pressure).
 *
 * <p>Retry policy: {@link Backoff} after each failure; the failure count resets when a watch
 * delivers an event or a bookmark, not when a request merely succeeds, so a registry that keeps
 * answering 410 or closing streams at once is not asked in a hot loop. The first 410 after progress
 * relists at once, as a client that fell behind should catch up without delay. A watch that hears
 * nothing, not even a bookmark, for {@code idleTimeout} is presumed dead (half-open TCP after a
 * registry host died) and reconnected.
 *
 * <p>Thread-safety: state is confined to {@code sync}; {@link #start()}, {@link #close()}, {@link
 * #watching()} and {@link #lastHeardNanos()} are safe from any thread. Fields read outside {@code
 * sync} are volatile.
 */
public final class ResourceStream {

  private static final Logger log = LoggerFactory.getLogger(ResourceStream.class);

  /** Receives what the stream learns; called on {@code sync} only. */
  public interface Sink {

    /** A full list of {@code kind} at {@code revision}: it replaces everything known before. */
    void onListed(Kind kind, List<Resource> items, long revision);

    /** Changes and bookmarks of {@code kind}, in order. */
    void onEvents(Kind kind, List<WatchEvent> events);

    /** The stream's connectivity changed (see {@link #watching()}). */
    void onConnectivity(Kind kind, boolean watching);
  }

  /** Where and how to talk to the registry; shared by the three streams of one watch. */
  public record Settings(
      HttpClient http,
      ScheduledExecutorService scheduler,
      SerialExecutor sync,
      Backoff backoff,
      Ticker ticker,
      Duration requestTimeout,
      Duration idleTimeout,
      int maxLine) {
    public Settings {
      Objects.requireNonNull(http, "http");
      Objects.requireNonNull(scheduler, "scheduler");
      Objects.requireNonNull(sync, "sync");
      Objects.requireNonNull(backoff, "backoff");
      Objects.requireNonNull(ticker, "ticker");
      Objects.requireNonNull(requestTimeout, "requestTimeout");
      Objects.requireNonNull(idleTimeout, "idleTimeout");
    }
  }

  private final Kind kind;
  private final URI collection;
  private final WatchDecoder decoder;
  private final Settings s;
  private final Sink sink;

  // Confined to sync.
  private int epoch;
  private long revision;
  private int failures;
  private volatile long lists; // written on sync only

  // Written on sync, read by close() and monitoring from any thread.
  private volatile boolean closed;
  private volatile boolean watching;
  private volatile long lastHeardNanos;
  private volatile CompletableFuture<?> inflight;
  private volatile LineSubscriber stream;
  private volatile Future<?> retryTimer;
  private volatile Future<?> idleTimer;

  /**
   * @param collection the collection's URI, e.g. {@code http://host:7070/api/v1/services}
   */
  public ResourceStream(
      Kind kind, URI collection, WatchDecoder decoder, Settings settings, Sink sink) {
    this.kind = Objects.requireNonNull(kind, "kind");
    this.collection = Objects.requireNonNull(collection, "collection");
    this.decoder = Objects.requireNonNull(decoder, "decoder");
    this.s = Objects.requireNonNull(settings, "settings");
    this.sink = Objects.requireNonNull(sink, "sink");
  }

  public Kind kind() {
    return kind;
  }

  /** Lists, then watches; returns at once. */
  public void start() {
    lastHeardNanos = s.ticker().read();
    s.sync().execute(this::list);
  }

  /** Whether a watch stream is open (its 200 answer arrived and it has not ended). */
  public boolean watching() {
    return watching;
  }

  /** Ticker time at which the registry last told this stream something (list, event, bookmark). */
  public long lastHeardNanos() {
    return lastHeardNanos;
  }

  /** How many list requests this stream has made (for tests and diagnostics). */
  public long lists() {
    return lists;
  }

  /** Stops: cancels the request or stream in flight and any timer. Safe from any thread. */
  public void close() {
    closed = true;
    watching = false;
    cancelInflight();
    cancel(retryTimer);
    cancel(idleTimer);
  }

  // ---- list

  private void list() {
    if (closed) {
      return;
    }
    int e = beginAttempt();
    lists = lists + 1;
    HttpRequest req =
        HttpRequest.newBuilder(collection)
            .version(HttpClient.Version.HTTP_1_1)
            .timeout(s.requestTimeout())
            .header("Accept", "application/json")
            .GET()
            .build();
    CompletableFuture<HttpResponse<byte[]>> cf;
    try {
      cf = s.http().sendAsync(req, HttpResponse.BodyHandlers.ofByteArray());
    } catch (RuntimeException ex) { // e.g. the client was shut down
      failed(e, "list", ex, this::list);
      return;
    }
    track(cf);
    cf.whenComplete(
        (resp, err) -> {
          if (err != null) {
            post(() -> failed(e, "list", err, this::list));
          } else if (resp.statusCode() != 200) {
            ApiError apiError = decoder.decodeError(resp.statusCode(), resp.body());
            post(() -> failed(e, "list", describe(apiError), this::list));
          } else {
            try {
              WatchDecoder.Listing listing = decoder.decodeList(resp.body());
              post(() -> listed(e, listing));
            } catch (WatchDecoder.MalformedException ex) {
              post(() -> failed(e, "list", "unreadable list: " + ex.getMessage(), this::list));
            }
          }
        });
  }

  private void listed(int e, WatchDecoder.Listing listing) {
    if (e != epoch || closed) {
      return;
    }
    endAttempt();
    heard();
    revision = listing.revision();
    log.debug("listed {} {} at revision {}", listing.items().size(), kind.plural(), revision);
    try {
      sink.onListed(kind, listing.items(), revision);
    } catch (RuntimeException ex) {
      log.error("could not apply the list of {}; listing again", kind.plural(), ex);
      retry(this::list);
      return;
    }
    watch();
  }

  // ---- watch

  private void watch() {
    if (closed) {
      return;
    }
    int e = beginAttempt();
    URI uri = URI.create(collection + "?watch=true&resourceVersion=" + revision);
    HttpRequest req =
        HttpRequest.newBuilder(uri)
            .version(HttpClient.Version.HTTP_1_1)
            .header("Accept", "application/json")
            .GET()
            .build(); // no timeout: a watch lives long; the idle timer guards it instead
    HttpResponse.BodyHandler<byte[]> handler =
        info -> {
          if (info.statusCode() != 200) {
            return HttpResponse.BodySubscribers.ofByteArray();
          }
          LineSubscriber sub = new LineSubscriber(s.maxLine(), new Lines(e));
          stream = sub;
          if (closed) {
            sub.cancel();
          }
          post(() -> opened(e));
          return HttpResponse.BodySubscribers.mapping(sub, v -> null);
        };
    CompletableFuture<HttpResponse<byte[]>> cf;
    try {
      cf = s.http().sendAsync(req, handler);
    } catch (RuntimeException ex) {
      failed(e, "watch", ex, this::watch);
      return;
    }
    track(cf);
    cf.whenComplete(
        (resp, err) -> {
          if (err != null) {
            post(() -> ended(e, err, 0));
          } else if (resp.statusCode() == 200) {
            post(() -> ended(e, null, 0)); // usually already handled by Lines.onEnd
          } else {
            ApiError apiError = decoder.decodeError(resp.statusCode(), resp.body());
            post(() -> refused(e, apiError));
          }
        });
  }

  private void opened(int e) {
    if (e != epoch || closed) {
      return;
    }
    heard();
    watching = true;
    sink.onConnectivity(kind, true);
    armIdleTimer(e, s.idleTimeout().toNanos());
    log.debug("watching {} from revision {}", kind.plural(), revision);
  }

  /** Decoded lines of attempt {@code e}: apply them in order, then ask for more. */
  private void apply(int e, List<WatchEvent> events, String malformed, Runnable requestMore) {
    if (e != epoch || closed) {
      return;
    }
    heard();
    List<WatchEvent> batch = new ArrayList<>(events.size());
    for (WatchEvent ev : events) {
      switch (ev) {
        case WatchEvent.Change c -> {
          batch.add(c);
          revision = Math.max(revision, c.object().metadata().revision());
        }
        case WatchEvent.Bookmark b -> {
          batch.add(b);
          revision = Math.max(revision, b.revision());
        }
        case WatchEvent.Unknown u ->
            log.debug("skipping {} event of unknown type {}", kind.kindName(), u.type());
        case WatchEvent.Failure f -> {
          if (deliver(batch)) {
            endAttempt();
            if (f.gone()) {
              log.info(
                  "watch of {} is too old ({}); relisting", kind.plural(), describe(f.error()));
              relist();
            } else {
              log.warn("watch of {} failed: {}; resuming", kind.plural(), describe(f.error()));
              retry(this::watch);
            }
          }
          return;
        }
      }
    }
    if (!deliver(batch)) {
      return;
    }
    if (malformed != null) {
      log.warn("unreadable line in watch of {} ({}); relisting", kind.plural(), malformed);
      endAttempt();
      relist();
      return;
    }
    requestMore.run();
  }

  /** Hands a batch to the sink; false (and a relist) when the sink could not take it. */
  private boolean deliver(List<WatchEvent> batch) {
    if (batch.isEmpty()) {
      return true;
    }
    try {
      sink.onEvents(kind, List.copyOf(batch));
    } catch (RuntimeException ex) {
      log.error("could not apply {} events; relisting", kind.kindName(), ex);
      endAttempt();
      relist();
      return false;
    }
    failures = 0; // progress
    return true;
  }

  private void ended(int e, Throwable err, int truncated) {
    if (e != epoch || closed) {
      return;
    }
    endAttempt();
    if (truncated > 0) {
      log.debug("watch of {} ended inside a line ({} bytes dropped)", kind.plural(), truncated);
    }
    if (err == null) {
      log.debug(
          "watch of {} ended by the registry; resuming from revision {}", kind.plural(), revision);
    } else {
      log.info(
          "watch of {} broke ({}); resuming from revision {}",
          kind.plural(),
          message(err),
          revision);
    }
    retry(this::watch);
  }

  private void refused(int e, ApiError error) {
    if (e != epoch || closed) {
      return;
    }
    endAttempt();
    if (error.code() == 410) {
      log.info("revision {} of {} is compacted; relisting", revision, kind.plural());
      relist();
    } else if (error.code() >= 500 || error.code() == 429) {
      log.warn("watch of {} refused: {}; retrying", kind.plural(), describe(error));
      retry(this::watch);
    } else {
      log.warn("watch of {} refused: {}; relisting", kind.plural(), describe(error));
      retry(this::list); // backed off: a 4xx that persists must not become a hot loop
    }
  }

  private void armIdleTimer(int e, long delayNanos) {
    idleTimer = schedule(() -> idleCheck(e), delayNanos);
  }

  private void idleCheck(int e) {
    if (e != epoch || closed) {
      return;
    }
    long silent = s.ticker().read() - lastHeardNanos;
    long limit = s.idleTimeout().toNanos();
    if (silent < limit) {
      armIdleTimer(e, limit - silent);
      return;
    }
    log.warn(
        "watch of {} silent for {} ms; reconnecting",
        kind.plural(),
        TimeUnit.NANOSECONDS.toMillis(silent));
    endAttempt();
    retry(this::watch);
  }

  // ---- attempts and retries

  private int beginAttempt() {
    cancel(retryTimer);
    return ++epoch;
  }

  /** Ends the current attempt: later callbacks of it are dropped, its request is cancelled. */
  private void endAttempt() {
    epoch++;
    cancelInflight();
    cancel(idleTimer);
    if (watching) {
      watching = false;
      sink.onConnectivity(kind, false);
    }
  }

  private void relist() {
    if (failures == 0) {
      failures++;
      post(this::list);
    } else {
      retry(this::list);
    }
  }

  private void retry(Runnable attempt) {
    long delay = s.backoff().delayNanos(failures);
    failures = Math.min(failures + 1, 30);
    retryTimer = schedule(attempt, delay);
  }

  private void failed(int e, String what, Object cause, Runnable again) {
    if (e != epoch || closed) {
      return;
    }
    endAttempt();
    log.info(
        "{} of {} failed ({}); retrying",
        what,
        kind.plural(),
        cause instanceof Throwable t ? message(t) : cause);
    retry(again);
  }

  private void heard() {
    lastHeardNanos = s.ticker().read();
  }

  private void track(CompletableFuture<?> cf) {
    inflight = cf;
    if (closed) {
      cf.cancel(true);
    }
  }

  private void cancelInflight() {
    LineSubscriber sub = stream;
    if (sub != null) {
      stream = null;
      sub.cancel();
    }
    CompletableFuture<?> cf = inflight;
    if (cf != null) {
      inflight = null;
      cf.cancel(true);
    }
  }

  private Future<?> schedule(Runnable task, long delayNanos) {
    try {
      return s.scheduler().schedule(() -> post(task), delayNanos, TimeUnit.NANOSECONDS);
    } catch (RejectedExecutionException e) {
      return null; // shutting down
    }
  }

  private void post(Runnable task) {
    s.sync().execute(task);
  }

  private static void cancel(Future<?> f) {
    if (f != null) {
      f.cancel(false);
    }
  }

  private static String describe(ApiError e) {
    return e.code() + " " + e.reason() + (e.message() == null ? "" : ": " + e.message());
  }

  /** The exception that matters, without CompletionException wrappers, in one line. */
  private static String message(Throwable t) {
    Throwable c = t;
    while (c instanceof CompletionException && c.getCause() != null) {
      c = c.getCause();
    }
    String text = c.getClass().getSimpleName();
    if (c.getMessage() != null) {
      text += ": " + c.getMessage();
    } else if (c.getCause() != null) {
      text += " (" + c.getCause().getClass().getSimpleName() + ")";
    }
    return text;
  }

  /** Decodes the lines of one watch attempt on the HTTP client's thread, then posts them. */
  private final class Lines implements LineSubscriber.Handler {
    private final int e;

    Lines(int e) {
      this.e = e;
    }

    @Override
    public void onLines(List<byte[]> lines, Runnable requestMore) {
      List<WatchEvent> events = new ArrayList<>(lines.size());
      String malformed = null;
      for (byte[] line : lines) {
        try {
          events.add(decoder.decodeLine(line));
        } catch (WatchDecoder.MalformedException ex) {
          malformed = ex.getMessage();
          break;
        }
      }
      String m = malformed;
      post(() -> apply(e, events, m, requestMore));
    }

    @Override
    public void onEnd(Throwable error, int truncatedBytes) {
      post(() -> ended(e, error, truncatedBytes));
    }
  }
}
