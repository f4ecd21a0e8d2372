package io.meridian.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.meridian.api.ApiError;
import io.meridian.api.FieldError;
import io.meridian.api.codec.Codec;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.channels.UnresolvedAddressException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;
import java.util.stream.Stream;

/**
 * A small blocking client of the registry's HTTP API, for the command-line verbs. Error answers
 * become {@link ApiException}; a registry that cannot be reached becomes a {@link CliException}
 * naming its URL.
 *
 * <p>Thread-safety: safe from any thread (the underlying {@link HttpClient} is).
 */
final class RegistryClient {

  static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);
  static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(30);

  private final URI base;
  private final HttpClient http;

  RegistryClient(URI base) {
    this.base = base;
    this.http =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(CONNECT_TIMEOUT)
            .followRedirects(HttpClient.Redirect.NEVER)
            .build();
  }

  URI base() {
    return base;
  }

  /** A write's answer: whether it created the object (201) and the object as stored. */
  record Written(boolean created, JsonNode object) {}

  /** The object at {@code path}, or empty when the registry answers 404. */
  Optional<JsonNode> find(String path) {
    try {
      return Optional.of(get(path));
    } catch (ApiException e) {
      if (e.notFound()) {
        return Optional.empty();
      }
      throw e;
    }
  }

  JsonNode get(String path) {
    return json(send(request(path).GET()));
  }

  Written put(String path, byte[] json) {
    HttpResponse<byte[]> r = send(request(path).PUT(HttpRequest.BodyPublishers.ofByteArray(json)));
    return new Written(r.statusCode() == 201, json(r));
  }

  JsonNode post(String path, byte[] json) {
    return json(send(request(path).POST(HttpRequest.BodyPublishers.ofByteArray(json))));
  }

  JsonNode delete(String path) {
    return json(send(request(path).DELETE()));
  }

  /**
   * Streams the watch at {@code path} (which carries {@code watch=true}), handing each event to
   * {@code onEvent} until it returns false or the registry ends the stream.
   */
  void watch(String path, Predicate<JsonNode> onEvent) {
    HttpRequest req =
        HttpRequest.newBuilder(uri(path)).header("Accept", "application/json").GET().build();
    HttpResponse<Stream<String>> r;
    try {
      r = http.send(req, HttpResponse.BodyHandlers.ofLines());
    } catch (IOException e) {
      throw failure(req.uri(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new CliException("interrupted");
    }
    try (Stream<String> lines = r.body()) {
      if (r.statusCode() / 100 != 2) {
        String body = String.join("\n", lines.toList());
        throw new ApiException(error(r.statusCode(), body.getBytes(StandardCharsets.UTF_8)));
      }
      Iterator<String> it = lines.iterator();
      while (it.hasNext()) {
        String line = it.next();
        if (line.isBlank()) {
          continue;
        }
        if (!onEvent.test(parse(line.getBytes(StandardCharsets.UTF_8)))) {
          return;
        }
      }
    } catch (UncheckedIOException e) {
      throw failure(req.uri(), e.getCause());
    }
  }

  private HttpRequest.Builder request(String path) {
    return HttpRequest.newBuilder(uri(path))
        .timeout(REQUEST_TIMEOUT)
        .header("Accept", "application/json")
        .header("Content-Type", "application/json");
  }

  private URI uri(String path) {
    return URI.create(base.toString() + path);
  }

  private HttpResponse<byte[]> send(HttpRequest.Builder builder) {
    HttpRequest req = builder.build();
    try {
      return http.send(req, HttpResponse.BodyHandlers.ofByteArray());
    } catch (IOException e) {
      throw failure(req.uri(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new CliException("interrupted");
    }
  }

  private JsonNode json(HttpResponse<byte[]> r) {
    if (r.statusCode() / 100 != 2) {
      throw new ApiException(error(r.statusCode(), r.body()));
    }
    return r.body().length == 0 ? mapper().createObjectNode() : parse(r.body());
  }

  private JsonNode parse(byte[] body) {
    try {
      return mapper().readTree(body);
    } catch (IOException e) {
      throw new CliException(
          "the registry at " + base + " sent something that is not JSON: " + e.getMessage());
    }
  }

  /** The registry's error body, or one made up from the status when the body is not one. */
  static ApiError error(int status, byte[] body) {
    try {
      JsonNode n = mapper().readTree(body);
      if (n != null && n.hasNonNull("message")) {
        List<FieldError> details = new ArrayList<>();
        for (JsonNode d : n.path("details")) {
          details.add(new FieldError(d.path("field").asText(""), d.path("message").asText("")));
        }
        return new ApiError(
            n.path("code").asInt(status),
            n.path("reason").asText(""),
            n.get("message").asText(),
            details);
      }
    } catch (IOException | RuntimeException e) {
      // not an error body: fall through
    }
    String text = new String(body, StandardCharsets.UTF_8).strip();
    if (text.length() > 200) {
      text = text.substring(0, 200) + "…";
    }
    return ApiError.of(
        status,
        "HTTP" + status,
        "the registry answered " + status + (text.isEmpty() ? "" : ": " + text));
  }

  private CliException failure(URI uri, IOException e) {
    String registry = base.toString();
    if (e instanceof ConnectException
        || e instanceof HttpConnectTimeoutException
        || e.getCause() instanceof UnresolvedAddressException) {
      String why =
          e instanceof HttpConnectTimeoutException
              ? "connect timed out"
              : e.getCause() instanceof UnresolvedAddressException
                  ? "unknown host"
                  : "connection refused";
      return new CliException(
          "cannot reach the registry at "
              + registry
              + " ("
              + why
              + "); is it running? Start one with"
              + " 'meridian dev', or point --registry / MERIDIAN_REGISTRY at it",
          e);
    }
    if (e instanceof HttpTimeoutException) {
      return new CliException(
          "the registry at "
              + registry
              + " did not answer within "
              + REQUEST_TIMEOUT.toSeconds()
              + "s ("
              + uri.getPath()
              + ")",
          e);
    }
    String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    return new CliException("request to the registry at " + registry + " failed: " + message, e);
  }

  static ObjectMapper mapper() {
    return Codec.json();
  }
}
