package io.meridian.client.internal;

import io.meridian.api.ApiError;
import io.meridian.api.FieldError;
import io.meridian.api.codec.Codec;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/**
 * Plain requests to the registry's API (writes, heartbeats), asynchronous, with one timeout. Not
 * for watches: those are {@link ResourceStream}'s.
 *
 * <p>Thread-safety: immutable; safe from any thread (the {@link HttpClient} is).
 */
public final class RegistryCalls {

  private final HttpClient http;
  private final URI base;
  private final Duration timeout;

  public RegistryCalls(HttpClient http, URI base, Duration timeout) {
    this.http = http;
    String s = base.toString();
    this.base = URI.create(s.endsWith("/") ? s.substring(0, s.length() - 1) : s);
    this.timeout = timeout;
  }

  /** The registry's answer: its status and body; transport failures complete exceptionally. */
  public record Reply(int status, byte[] body) {

    public boolean ok() {
      return status >= 200 && status < 300;
    }

    /**
     * The registry's error in one line: its message and, when it named fields, each field's
     * complaint; the raw body when it is not an API error.
     */
    public String error() {
      try {
        ApiError e = Codec.fromJson(body, ApiError.class);
        if (e.message() != null) {
          StringBuilder sb = new StringBuilder(e.message());
          for (FieldError f : e.details()) {
            if (!e.message().contains(f.field())) {
              sb.append("; ").append(f.field()).append(": ").append(f.message());
            }
          }
          return sb.toString();
        }
      } catch (RuntimeException notAnApiError) {
        // fall through to the raw text
      }
      String text = new String(body, StandardCharsets.UTF_8).strip();
      return text.isEmpty() ? "HTTP " + status : "HTTP " + status + ": " + text;
    }
  }

  public CompletableFuture<Reply> send(String method, String path, byte[] jsonBody) {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(base.resolve(path))
            .timeout(timeout)
            .header("Accept", "application/json");
    if (jsonBody == null) {
      b.method(method, HttpRequest.BodyPublishers.noBody());
    } else {
      b.header("Content-Type", "application/json")
          .method(method, HttpRequest.BodyPublishers.ofByteArray(jsonBody));
    }
    return http.sendAsync(b.build(), HttpResponse.BodyHandlers.ofByteArray())
        .thenApply(r -> new Reply(r.statusCode(), r.body()));
  }

  public URI base() {
    return base;
  }
}
