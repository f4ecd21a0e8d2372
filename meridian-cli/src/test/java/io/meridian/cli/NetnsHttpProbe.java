package io.meridian.cli;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/**
 * An HTTP client for {@link NetnsTopologyIT}, run as its own JVM inside a network namespace (the
 * test's JVM cannot enter one): {@code NetnsHttpProbe URL COUNT} sends COUNT GETs, one after the
 * other, each on a new connection, and prints one line per request: {@code STATUS BODY} (the body
 * on one line) or {@code ERR <exception>}. Every request is bounded (2 s to connect, 5 s in all),
 * so the probe always ends. Only the JDK is on its class path.
 *
 * <p>Thread-safety: single-threaded.
 */
final class NetnsHttpProbe {

  static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(2);
  static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(5);

  private NetnsHttpProbe() {}

  public static void main(String[] args) throws InterruptedException {
    URI uri = URI.create(args[0]);
    int count = Integer.parseInt(args[1]);
    for (int i = 0; i < count; i++) {
      // A client per request: a new connection each time, as separate callers would open.
      try (HttpClient http =
          HttpClient.newBuilder()
              .version(HttpClient.Version.HTTP_1_1)
              .connectTimeout(CONNECT_TIMEOUT)
              .build()) {
        HttpResponse<String> r =
            http.send(
                HttpRequest.newBuilder(uri).timeout(REQUEST_TIMEOUT).build(),
                HttpResponse.BodyHandlers.ofString());
        System.out.println(r.statusCode() + " " + r.body().replace('\n', ' ').strip());
      } catch (java.io.IOException e) {
        System.out.println("ERR " + e);
      }
    }
    System.out.flush();
  }
}
