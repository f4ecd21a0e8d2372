package io.meridian.client.it;

import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ClientCalls;
import io.meridian.client.MeridianClient;
import io.meridian.client.MeridianHttpClient;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;

/**
 * The calling process of the kill tests. Finds the registry through {@code MERIDIAN_REGISTRY} only,
 * as an application would, then:
 *
 * <ol>
 *   <li>calls until it has heard from {@code expect} backends (at most 60 s), printing {@code
 *       SEEN};
 *   <li>makes {@code calls} calls and prints {@code SPREAD name=count ...};
 *   <li>prints {@code KILL-NOW} and keeps calling until {@code STOP} arrives on stdin (at most
 *       {@code maxSeconds}, 200,000 calls), printing {@code FAIL <epoch-ms> <error>} for each
 *       failed call, then {@code LAST name=<epoch-ms of its last answer> ...} and {@code DONE
 *       <calls>}.
 * </ol>
 *
 * <p>Usage: {@code CallerMain grpc|http <target> <expect> <calls> <maxSeconds>}; the gRPC target is
 * {@code meridian:///default/greeter}, the HTTP one {@code http://web.default/hello}.
 */
public final class CallerMain {

  private CallerMain() {}

  public static void main(String[] args) throws Exception {
    String mode = args[0];
    String target = args[1];
    int expect = Integer.parseInt(args[2]);
    int calls = Integer.parseInt(args[3]);
    int maxSeconds = Integer.parseInt(args[4]);
    AutoCloseable resource;
    Supplier<String> call;
    if (mode.equals("grpc")) {
      ManagedChannel channel = ManagedChannelBuilder.forTarget(target).usePlaintext().build();
      resource = channel::shutdownNow;
      call =
          () ->
              ClientCalls.blockingUnaryCall(
                  channel,
                  Greeter.SAY_HELLO,
                  io.grpc.CallOptions.DEFAULT.withDeadlineAfter(2, TimeUnit.SECONDS),
                  "hello");
    } else {
      String env = System.getenv("MERIDIAN_REGISTRY");
      MeridianClient client = MeridianClient.connect(URI.create("http://" + env));
      MeridianHttpClient http = MeridianHttpClient.create(client);
      resource = client;
      HttpRequest request =
          HttpRequest.newBuilder(URI.create(target)).timeout(Duration.ofSeconds(2)).build();
      call =
          () -> {
            try {
              HttpResponse<String> r = http.send(request, HttpResponse.BodyHandlers.ofString());
              if (r.statusCode() != 200) {
                throw new IllegalStateException("HTTP " + r.statusCode());
              }
              return r.body();
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
              throw new IllegalStateException(e);
            } catch (Exception e) {
              throw new IllegalStateException(e.toString(), e);
            }
          };
    }
    try (resource) {
      Map<String, Integer> seen = new TreeMap<>();
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (seen.size() < expect && System.nanoTime() < deadline) {
        try {
          seen.merge(call.get(), 1, Integer::sum);
        } catch (RuntimeException notYet) {
          Thread.sleep(50);
        }
      }
      System.out.println("SEEN " + seen.keySet());
      Map<String, Integer> spread = new TreeMap<>();
      int failures = 0;
      for (int i = 0; i < calls; i++) {
        try {
          spread.merge(call.get(), 1, Integer::sum);
        } catch (RuntimeException e) {
          failures++;
        }
      }
      StringBuilder sb = new StringBuilder("SPREAD failures=" + failures);
      spread.forEach((k, v) -> sb.append(' ').append(k).append('=').append(v));
      System.out.println(sb);
      AtomicBoolean stop = new AtomicBoolean();
      Thread.ofVirtual()
          .start(
              () -> {
                try (BufferedReader in =
                    new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8))) {
                  String line;
                  while ((line = in.readLine()) != null && !line.equals("STOP")) {
                    // wait for STOP
                  }
                } catch (Exception ignored) {
                  // stdin closed: stop
                }
                stop.set(true);
              });
      System.out.println("KILL-NOW");
      System.out.flush();
      Map<String, Long> last = new TreeMap<>();
      long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(maxSeconds);
      int n = 0;
      while (!stop.get() && System.nanoTime() < end && n < 200_000) {
        n++;
        try {
          last.put(call.get(), System.currentTimeMillis());
        } catch (RuntimeException e) {
          String why =
              e instanceof StatusRuntimeException s ? s.getStatus().toString() : e.getMessage();
          System.out.println("FAIL " + System.currentTimeMillis() + " " + why);
        }
      }
      StringBuilder ls = new StringBuilder("LAST");
      last.forEach((k, v) -> ls.append(' ').append(k).append('=').append(v));
      System.out.println(ls);
      System.out.println("DONE " + n);
      System.out.flush();
    }
  }
}
