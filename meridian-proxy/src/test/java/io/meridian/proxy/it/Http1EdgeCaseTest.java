package io.meridian.proxy.it;

import static io.meridian.proxy.it.ProxyFixture.instance;
import static io.meridian.proxy.it.ProxyFixture.port;
import static io.meridian.proxy.it.ProxyFixture.service;
import static org.assertj.core.api.Assertions.assertThat;

import io.meridian.api.ServicePort;
import io.meridian.api.ServiceType;
import io.meridian.proxy.Listener;
import io.meridian.proxy.ProxySettings;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The HTTP/1.1 proxy at its edges, over real sockets: a registry, an agent and an edge in this JVM
 * ({@link ProxyFixture}), scripted backends ({@link RawHttpBackend}) and clients that write and
 * read raw bytes, so that framing and headers are seen exactly as they went over the wire. Each
 * test promises one line of docs/proxy.md.
 */
class Http1EdgeCaseTest {

  private static final Duration READ_TIMEOUT = Duration.ofSeconds(10);

  @TempDir Path dir;

  private ProxyFixture f;
  private final List<Backends> backends = new ArrayList<>();
  private final List<Socket> sockets = new ArrayList<>();

  @AfterEach
  void stop() throws IOException {
    for (Socket s : sockets) {
      s.close();
    }
    backends.forEach(Backends::close);
    if (f != null) {
      f.close();
    }
  }

  /**
   * Starts the planes with {@code settings} and a ClusterIP service {@code web} (one http port)
   * whose instances are {@code bs}, waits until the agent balances over them, and returns the
   * ClusterIP listener.
   */
  private Listener web(ProxySettings settings, Backends... bs) throws Exception {
    f = ProxyFixture.start(dir, settings);
    f.write(
        service(
            "web", ServiceType.ClusterIP, port("http", 8080, ServicePort.Protocol.TCP, "http")));
    for (int i = 0; i < bs.length; i++) {
      backends.add(bs[i]);
      f.write(instance("web-" + i, "web", bs[i].port(), "http"));
    }
    f.awaitEndpoints("web", bs.length);
    return f.awaitListener("web", Listener.Kind.CLUSTER_IP);
  }

  private Listener web(Backends... bs) throws Exception {
    return web(ProxySettings.DEFAULTS, bs);
  }

  private Socket connect(Listener l) throws IOException {
    Socket s = new Socket(l.address(), l.port());
    sockets.add(s);
    s.setSoTimeout((int) READ_TIMEOUT.toMillis());
    return s;
  }

  /** Sends {@code request} (raw text) on a new connection and reads one response. */
  private RawHttp.Message exchange(Listener l, String request) throws IOException {
    Socket s = connect(l);
    s.getOutputStream().write(RawHttp.ascii(request));
    return RawHttp.readResponse(new BufferedInputStream(s.getInputStream()), method(request));
  }

  private static String method(String request) {
    return request.substring(0, request.indexOf(' '));
  }

  /** Whether the proxy closed {@code in}'s connection: EOF (or a reset) before any byte. */
  private static boolean closedByPeer(InputStream in) throws IOException {
    try {
      return in.read() < 0;
    } catch (SocketException reset) {
      return true;
    }
  }

  private static final String GET = "GET / HTTP/1.1\r\nHost: web\r\n\r\n";

  // ---- errors the proxy answers itself ------------------------------------------------------

  @Test
  void aServiceWithoutEndpointsGets503NamingTheReason() throws Exception {
    Listener l = web();

    RawHttp.Message r = exchange(l, GET);

    assertThat(r.status()).isEqualTo(503);
    assertThat(r.bodyText()).contains("service default/web has no ready endpoint for port http");
  }

  @Test
  void aHeaderBlockOverMaxHeaderSizeGets431AndTheConnectionCloses() throws Exception {
    RawHttpBackend b = RawHttpBackend.named("b0");
    Listener l = web(b);
    Socket s = connect(l);
    String big = "a".repeat(ProxySettings.DEFAULTS.maxHeaderSize() + 4096);
    s.getOutputStream()
        .write(RawHttp.ascii("GET / HTTP/1.1\r\nHost: web\r\nX-Big: " + big + "\r\n\r\n"));
    InputStream in = new BufferedInputStream(s.getInputStream());

    RawHttp.Message r = RawHttp.readResponse(in, "GET");

    assertThat(r.status()).isEqualTo(431);
    assertThat(r.connectionHas("close")).as("Connection: close on the 431").isTrue();
    assertThat(closedByPeer(in)).as("connection closed after the 431").isTrue();
    assertThat(b.requests).as("requests that reached the backend").isEmpty();
  }

  @Test
  void aMalformedRequestLineGets400AndTheConnectionCloses() throws Exception {
    RawHttpBackend b = RawHttpBackend.named("b0");
    Listener l = web(b);
    Socket s = connect(l);
    s.getOutputStream().write(RawHttp.ascii("this is not http\r\nHost: web\r\n\r\n"));
    InputStream in = new BufferedInputStream(s.getInputStream());

    RawHttp.Message r = RawHttp.readResponse(in, "GET");

    assertThat(r.status()).isEqualTo(400);
    assertThat(r.bodyText()).startsWith("malformed request");
    assertThat(closedByPeer(in)).as("connection closed after the 400").isTrue();
    assertThat(b.requests).as("requests that reached the backend").isEmpty();
  }

  @Test
  void aBackendThatNeverAnswersGets504AfterTheRequestTimeout() throws Exception {
    RawHttpBackend silent =
        RawHttpBackend.start(
            "silent",
            (req, s, in, out) -> {
              while (in.read() >= 0) {
                // hold the request unanswered until the proxy gives up
              }
              return false;
            });
    Listener l = web(ProxySettings.DEFAULTS.withRequestTimeout(Duration.ofMillis(500)), silent);
    long t0 = System.nanoTime();

    RawHttp.Message r = exchange(l, GET);

    Duration took = Duration.ofNanos(System.nanoTime() - t0);
    assertThat(r.status()).isEqualTo(504);
    assertThat(r.bodyText()).contains("did not answer within");
    assertThat(took).isBetween(Duration.ofMillis(450), Duration.ofSeconds(8));
  }

  // ---- bodies --------------------------------------------------------------------------------

  @Test
  void aOneMebibytePostBodyReachesTheBackendAndComesBackIntact() throws Exception {
    RawHttpBackend echo =
        RawHttpBackend.start(
            "echo",
            (req, s, in, out) -> {
              RawHttpBackend.respond(out, 200, req.body());
              return true;
            });
    Listener l = web(echo);
    byte[] body = new byte[1 << 20];
    new Random(42).nextBytes(body);
    HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    HttpResponse<byte[]> r =
        http.send(
            HttpRequest.newBuilder(URI.create("http://" + l.address() + ":" + l.port() + "/up"))
                .timeout(Duration.ofSeconds(15))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                .build(),
            HttpResponse.BodyHandlers.ofByteArray());

    assertThat(r.statusCode())
        .as("status: %s", new String(r.body(), StandardCharsets.UTF_8))
        .isEqualTo(200);
    assertThat(echo.requests.peek().body()).as("body the backend got").isEqualTo(body);
    assertThat(r.body()).as("body echoed back").isEqualTo(body);
  }

  @Test
  void aChunkedResponseWithoutContentLengthArrivesIntact() throws Exception {
    ByteArrayOutputStream expected = new ByteArrayOutputStream();
    Random rnd = new Random(7);
    List<byte[]> chunks = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      byte[] c = new byte[1 + rnd.nextInt(20_000)];
      rnd.nextBytes(c);
      chunks.add(c);
      expected.write(c);
    }
    RawHttpBackend chunked =
        RawHttpBackend.start(
            "chunked",
            (req, s, in, out) -> {
              out.write(RawHttp.ascii("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"));
              for (byte[] c : chunks) {
                out.write(RawHttp.ascii(Integer.toHexString(c.length) + "\r\n"));
                out.write(c);
                out.write(RawHttp.ascii("\r\n"));
                out.flush();
              }
              out.write(RawHttp.ascii("0\r\n\r\n"));
              return true;
            });
    Listener l = web(chunked);

    RawHttp.Message r = exchange(l, GET);

    assertThat(r.status()).isEqualTo(200);
    assertThat(r.body()).isEqualTo(expected.toByteArray());
  }

  // ---- headers -------------------------------------------------------------------------------

  @Test
  void xForwardedForGetsTheClientAppendedToAnExistingOne() throws Exception {
    RawHttpBackend b = RawHttpBackend.named("b0");
    Listener l = web(b);
    Socket s = connect(l);
    s.getOutputStream()
        .write(
            RawHttp.ascii("GET / HTTP/1.1\r\nHost: web\r\nX-Forwarded-For: 203.0.113.7\r\n\r\n"));
    RawHttp.Message r = RawHttp.readResponse(new BufferedInputStream(s.getInputStream()), "GET");

    assertThat(r.status()).isEqualTo(200);
    RawHttp.Message seen = b.requests.poll();
    assertThat(seen.headers("X-Forwarded-For"))
        .containsExactly("203.0.113.7, " + s.getLocalAddress().getHostAddress());
    assertThat(seen.header("X-Forwarded-Proto")).isEqualTo("http");
  }

  @Test
  void requestHeadersNamedInConnectionAreNotForwarded() throws Exception {
    RawHttpBackend b = RawHttpBackend.named("b0");
    Listener l = web(b);

    RawHttp.Message r =
        exchange(
            l,
            "GET / HTTP/1.1\r\nHost: web\r\n"
                + "Connection: keep-alive, X-Hop\r\n"
                + "Connection: X-Other-Hop\r\n"
                + "X-Hop: 1\r\nX-Other-Hop: 2\r\nKeep-Alive: timeout=5\r\n"
                + "X-End-To-End: 3\r\n\r\n");

    assertThat(r.status()).isEqualTo(200);
    RawHttp.Message seen = b.requests.poll();
    assertThat(seen.hasHeader("X-Hop")).as("X-Hop forwarded").isFalse();
    assertThat(seen.hasHeader("X-Other-Hop")).as("X-Other-Hop forwarded").isFalse();
    assertThat(seen.hasHeader("Keep-Alive")).as("Keep-Alive forwarded").isFalse();
    assertThat(seen.connectionHas("X-Hop")).as("Connection forwarded").isFalse();
    assertThat(seen.header("X-End-To-End")).isEqualTo("3");
  }

  @Test
  void responseHeadersNamedInConnectionAreNotForwarded() throws Exception {
    RawHttpBackend b =
        RawHttpBackend.start(
            "hop",
            (req, s, in, out) -> {
              RawHttpBackend.respond(
                  out,
                  200,
                  "hop",
                  "Connection: X-Backend-Hop",
                  "X-Backend-Hop: secret",
                  "Keep-Alive: timeout=5",
                  "X-End-To-End: 3");
              return true;
            });
    Listener l = web(b);

    RawHttp.Message r = exchange(l, GET);

    assertThat(r.status()).isEqualTo(200);
    assertThat(r.header("X-End-To-End")).isEqualTo("3");
    assertThat(r.hasHeader("Keep-Alive")).as("Keep-Alive forwarded").isFalse();
    assertThat(r.hasHeader("X-Backend-Hop")).as("X-Backend-Hop forwarded").isFalse();
  }

  @Test
  void aBackendsConnectionCloseIsHonouredAndItsConnectionNotReused() throws Exception {
    // The backend says Connection: close and closes a moment later, as servers may; the proxy
    // must not lend that connection to the next request (a POST there could not be retried).
    RawHttpBackend closing =
        RawHttpBackend.start(
            "closing",
            (req, s, in, out) -> {
              RawHttpBackend.respond(out, 200, "closing", "Connection: close");
              try {
                Thread.sleep(500);
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
              return false;
            });
    Listener l = web(closing);
    Socket s = connect(l);
    OutputStream out = s.getOutputStream();
    InputStream in = new BufferedInputStream(s.getInputStream());
    String post = "POST / HTTP/1.1\r\nHost: web\r\nContent-Length: 2\r\n\r\nhi";

    out.write(RawHttp.ascii(post));
    assertThat(RawHttp.readResponse(in, "POST").status()).isEqualTo(200);
    out.write(RawHttp.ascii(post));
    RawHttp.Message second = RawHttp.readResponse(in, "POST");

    assertThat(second.status()).as("second POST: %s", second.bodyText()).isEqualTo(200);
    assertThat(closing.accepted).as("connections the backend accepted").hasValue(2);
  }

  // ---- retries -------------------------------------------------------------------------------

  /** A backend answering every request 503 with its name as the body. */
  private static RawHttpBackend unavailable(String name) throws IOException {
    return RawHttpBackend.start(
        name,
        (req, s, in, out) -> {
          RawHttpBackend.respond(out, 503, name);
          return true;
        });
  }

  @Test
  void aGetAnswered503IsRetriedOnAnotherEndpoint() throws Exception {
    RawHttpBackend bad = unavailable("bad");
    RawHttpBackend good = RawHttpBackend.named("good");
    Listener l = web(bad, good);

    for (int i = 0; i < 10; i++) {
      RawHttp.Message r = exchange(l, GET);
      assertThat(r.status()).as("status of GET %d: %s", i, r.bodyText()).isEqualTo(200);
      assertThat(r.bodyText()).isEqualTo("good");
    }
    assertThat(bad.served()).as("GETs the 503 backend answered (and were retried)").isPositive();
  }

  @Test
  void aPostAnswered503IsPassedThroughNotRetried() throws Exception {
    RawHttpBackend bad = unavailable("bad");
    RawHttpBackend good = RawHttpBackend.named("good");
    Listener l = web(bad, good);

    int unavailable = 0;
    for (int i = 0; i < 6; i++) {
      RawHttp.Message r =
          exchange(l, "POST / HTTP/1.1\r\nHost: web\r\nContent-Length: 5\r\n\r\nhello");
      if (r.status() == 503) {
        unavailable++;
        assertThat(r.bodyText()).as("the backend's own 503").isEqualTo("bad");
      } else {
        assertThat(r.status()).isEqualTo(200);
      }
    }
    assertThat(unavailable).as("POSTs answered 503").isPositive();
    assertThat((long) unavailable).isEqualTo(bad.served());
    assertThat(good.served()).as("POSTs that reached the good backend").isEqualTo(6 - unavailable);
  }

  // ---- connection management -----------------------------------------------------------------

  @Test
  void connectionCloseFromTheClientClosesAfterTheResponse() throws Exception {
    Listener l = web(RawHttpBackend.named("b0"));
    Socket s = connect(l);
    s.getOutputStream()
        .write(RawHttp.ascii("GET / HTTP/1.1\r\nHost: web\r\nConnection: close\r\n\r\n"));
    InputStream in = new BufferedInputStream(s.getInputStream());

    RawHttp.Message r = RawHttp.readResponse(in, "GET");

    assertThat(r.status()).isEqualTo(200);
    assertThat(r.bodyText()).isEqualTo("b0");
    assertThat(r.connectionHas("close")).as("Connection: close on the response").isTrue();
    assertThat(closedByPeer(in)).as("connection closed after the response").isTrue();
  }

  @Test
  void anHttp10ClientGetsItsAnswerAndTheConnectionCloses() throws Exception {
    RawHttpBackend b = RawHttpBackend.named("b0");
    Listener l = web(b);
    Socket s = connect(l);
    s.getOutputStream().write(RawHttp.ascii("GET / HTTP/1.0\r\nHost: web\r\n\r\n"));
    InputStream in = new BufferedInputStream(s.getInputStream());

    RawHttp.Message r = RawHttp.readResponse(in, "GET");

    assertThat(r.status()).isEqualTo(200);
    assertThat(r.bodyText()).isEqualTo("b0");
    assertThat(closedByPeer(in)).as("HTTP/1.0 without keep-alive: closed after").isTrue();
  }

  @Test
  void anHttp10ClientNeverGetsChunkedFraming() throws Exception {
    RawHttpBackend chunked =
        RawHttpBackend.start(
            "chunked",
            (req, s, in, out) -> {
              out.write(
                  RawHttp.ascii(
                      "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                          + "5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n"));
              return true;
            });
    Listener l = web(chunked);
    Socket s = connect(l);
    s.getOutputStream().write(RawHttp.ascii("GET / HTTP/1.0\r\nHost: web\r\n\r\n"));
    InputStream in = new BufferedInputStream(s.getInputStream());
    RawHttp.Message head = RawHttp.readHead(in);

    // RFC 9112 section 6.1: no Transfer-Encoding towards a client that did not say HTTP/1.1; an
    // HTTP/1.0 client reads the body up to the close (or a content-length).
    assertThat(head.status()).isEqualTo(200);
    assertThat(head.header("Transfer-Encoding")).as("Transfer-Encoding to HTTP/1.0").isNull();
    byte[] body =
        head.hasHeader("Content-Length")
            ? in.readNBytes(Integer.parseInt(head.header("Content-Length")))
            : in.readAllBytes();
    assertThat(new String(body, StandardCharsets.UTF_8)).isEqualTo("hello world");
  }

  @Test
  void anHttp10RequestWithoutHostIsForwardedAsHttp11WithAHost() throws Exception {
    RawHttpBackend b = RawHttpBackend.named("b0");
    Listener l = web(b);

    RawHttp.Message r = exchange(l, "GET / HTTP/1.0\r\n\r\n");

    assertThat(r.status()).isEqualTo(200);
    RawHttp.Message seen = b.requests.poll();
    // The proxy speaks HTTP/1.1 upstream, where a request without Host gets 400 (RFC 9112
    // section 3.2): it has to supply one.
    assertThat(seen.version()).isEqualTo("HTTP/1.1");
    assertThat(seen.header("Host")).as("Host of an HTTP/1.1 request").isNotBlank();
  }

  @Test
  void anUpgradeAnswered101BecomesAByteRelayBothWays() throws Exception {
    RawHttpBackend ws =
        RawHttpBackend.start(
            "ws",
            (req, s, in, out) -> {
              if (!req.connectionHas("upgrade")
                  || !"websocket".equalsIgnoreCase(req.header("Upgrade"))) {
                RawHttpBackend.respond(out, 400, "no upgrade asked");
                return false;
              }
              out.write(
                  RawHttp.ascii(
                      "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
                          + "Connection: Upgrade\r\nSec-WebSocket-Accept: "
                          + accept(req.header("Sec-WebSocket-Key"))
                          + "\r\n\r\n"));
              out.flush();
              byte[] buf = new byte[16 * 1024];
              int n;
              while ((n = in.read(buf)) >= 0) {
                out.write(buf, 0, n);
              }
              return false;
            });
    Listener l = web(ws);
    Socket s = connect(l);
    OutputStream out = s.getOutputStream();
    out.write(
        RawHttp.ascii(
            "GET /chat HTTP/1.1\r\nHost: web\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n"
                + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                + "Sec-WebSocket-Version: 13\r\n\r\n"));
    InputStream in = new BufferedInputStream(s.getInputStream());

    RawHttp.Message head = RawHttp.readHead(in);
    assertThat(head.status()).isEqualTo(101);
    assertThat(head.header("Upgrade")).isEqualToIgnoringCase("websocket");
    assertThat(head.connectionHas("upgrade")).as("Connection: Upgrade on the 101").isTrue();

    byte[] payload = new byte[256 * 1024];
    new Random(3).nextBytes(payload);
    Thread writer =
        Thread.ofPlatform()
            .start(
                () -> {
                  try {
                    out.write(payload);
                    out.flush();
                  } catch (IOException e) {
                    // the read below fails and says why
                  }
                });
    byte[] back = in.readNBytes(payload.length);
    writer.join(READ_TIMEOUT.toMillis());
    assertThat(back).as("bytes echoed through the relay").isEqualTo(payload);
  }

  /** RFC 6455's {@code Sec-WebSocket-Accept} for {@code key}. */
  private static String accept(String key) {
    try {
      byte[] sha1 =
          MessageDigest.getInstance("SHA-1")
              .digest(
                  (key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11")
                      .getBytes(StandardCharsets.US_ASCII));
      return Base64.getEncoder().encodeToString(sha1);
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  // ---- the header timeout --------------------------------------------------------------------

  private static ProxySettings headerTimeout(Duration t) {
    ProxySettings d = ProxySettings.DEFAULTS;
    return new ProxySettings(
        d.connectTimeout(),
        d.connectAttempts(),
        d.tcpIdleTimeout(),
        d.udpIdleTimeout(),
        d.httpIdleTimeout(),
        d.requestTimeout(),
        t,
        d.maxHeaderSize(),
        d.maxConnections(),
        d.maxRequestsPerCluster(),
        d.drainTimeout());
  }

  @Test
  void aClientSendingNothingIsClosedAfterTheHeaderTimeout() throws Exception {
    Listener l = web(headerTimeout(Duration.ofMillis(300)), RawHttpBackend.named("b0"));
    long t0 = System.nanoTime();
    Socket s = connect(l);

    assertThat(closedByPeer(s.getInputStream())).isTrue();
    assertThat(Duration.ofNanos(System.nanoTime() - t0))
        .isGreaterThanOrEqualTo(Duration.ofMillis(250));
  }

  @Test
  void aClientTricklingItsHeadersIsClosedAfterTheHeaderTimeout() throws Exception {
    RawHttpBackend b = RawHttpBackend.named("b0");
    Listener l = web(headerTimeout(Duration.ofMillis(300)), b);
    Socket s = connect(l);
    OutputStream out = s.getOutputStream();
    InputStream in = s.getInputStream();
    out.write(RawHttp.ascii("GET / HTTP/1.1\r\nHost: web\r\nX-Slow: "));
    s.setSoTimeout(100);
    boolean closed = false;
    long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
    while (!closed && System.nanoTime() < deadline) {
      try {
        out.write('a'); // a byte every 100 ms: never a complete header block
        closed = in.read() < 0;
      } catch (SocketTimeoutException stillOpen) {
        // go on trickling
      } catch (SocketException reset) {
        closed = true;
      }
    }
    assertThat(closed).as("closed while still trickling headers after 5 s").isTrue();
    assertThat(b.requests).isEmpty();
  }

  @Test
  void aKeptAliveClientMayIdleLongerThanTheHeaderTimeout() throws Exception {
    // The header timeout guards a request being sent; an idle keep-alive connection is governed
    // by httpIdleTimeout (60 s here), as docs/proxy.md's table says.
    Listener l = web(headerTimeout(Duration.ofMillis(300)), RawHttpBackend.named("b0"));
    Socket s = connect(l);
    OutputStream out = s.getOutputStream();
    InputStream in = new BufferedInputStream(s.getInputStream());
    out.write(RawHttp.ascii(GET));
    assertThat(RawHttp.readResponse(in, "GET").status()).isEqualTo(200);

    Thread.sleep(1_000); // idle, between requests, for over three header timeouts

    out.write(RawHttp.ascii(GET));
    assertThat(RawHttp.readResponse(in, "GET").status()).isEqualTo(200);
  }
}
