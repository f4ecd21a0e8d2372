package io.meridian.registry.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** A small HTTP client for tests of the registry API (real sockets, JDK HttpClient). */
final class Api {

  static final ObjectMapper JSON = new ObjectMapper();

  record Answer(int status, String body) {
    JsonNode json() {
      try {
        return JSON.readTree(body);
      } catch (IOException e) {
        throw new AssertionError("not JSON (" + status + "): " + body, e);
      }
    }
  }

  private final URI base;
  private final HttpClient http =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(5))
          .build();

  Api(URI base) {
    this.base = base;
  }

  Answer get(String path) {
    return send(HttpRequest.newBuilder(base.resolve(path)).GET());
  }

  Answer put(String path, String body) {
    return send(path, "PUT", "application/json", body);
  }

  Answer post(String path, String body) {
    return send(path, "POST", "application/json", body);
  }

  Answer delete(String path) {
    return send(HttpRequest.newBuilder(base.resolve(path)).DELETE());
  }

  Answer send(String path, String method, String contentType, String body) {
    return send(
        HttpRequest.newBuilder(base.resolve(path))
            .header("Content-Type", contentType)
            .method(method, HttpRequest.BodyPublishers.ofString(body)));
  }

  Answer sendBytes(String path, String method, String contentType, byte[] body) {
    return send(
        HttpRequest.newBuilder(base.resolve(path))
            .header("Content-Type", contentType)
            .method(method, HttpRequest.BodyPublishers.ofByteArray(body)));
  }

  private Answer send(HttpRequest.Builder b) {
    try {
      HttpResponse<String> r =
          http.send(
              b.timeout(Duration.ofSeconds(20)).build(), HttpResponse.BodyHandlers.ofString());
      return new Answer(r.statusCode(), r.body());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  HttpClient client() {
    return http;
  }

  URI base() {
    return base;
  }

  static String service(String name, String body) {
    return "{\"apiVersion\":\"v1\",\"kind\":\"Service\",\"metadata\":{\"name\":\""
        + name
        + "\"},\"spec\":"
        + body
        + "}";
  }

  static String instance(String name, String app, String address, int port, String extraSpec) {
    return "{\"apiVersion\":\"meridian.io/v1\",\"kind\":\"Instance\",\"metadata\":{\"name\":\""
        + name
        + "\",\"labels\":{\"app\":\""
        + app
        + "\"}},\"spec\":{\"address\":\""
        + address
        + "\",\"ports\":{\"http\":"
        + port
        + "}"
        + (extraSpec.isEmpty() ? "" : "," + extraSpec)
        + "}}";
  }
}
