package io.meridian.proxy.cluster;

import io.meridian.api.HealthCheck;
import io.meridian.client.Endpoint;
import io.meridian.client.ServiceBalancer;
import io.meridian.proxy.Transport;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.util.concurrent.ScheduledFuture;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Active health checks from the data plane (HAProxy's {@code check}, Envoy's health checker): every
 * {@code interval}, each endpoint the registry offers is probed — a TCP connect, or for {@code
 * type: http} a {@code GET path} answered 2xx or 3xx — and after {@code fall} consecutive failures
 * it is marked unhealthy in the balancer, after {@code rise} consecutive passes healthy again.
 * Configured from the Service's {@code spec.healthCheck}; without one nothing is probed and outlier
 * detection from real traffic is the only guard. Type {@code grpc} is probed as TCP for now.
 *
 * <p>Thread-safety: all state lives on one event loop; {@link #configure} and {@link #close} hop
 * onto it.
 */
public final class HealthChecker implements AutoCloseable {

  private final UpstreamCluster cluster;
  private final EventLoop loop;
  private final Transport transport;

  // Confined to loop.
  private HealthCheck check;
  private ScheduledFuture<?> timer;
  private final Map<Endpoint, int[]> runs = new HashMap<>(); // {passes, failures} in a row
  private boolean closed;

  public HealthChecker(UpstreamCluster cluster, EventLoopGroup group, Transport transport) {
    this.cluster = cluster;
    this.loop = group.next();
    this.transport = transport;
  }

  /** Probes with {@code hc} from now on (null: stop probing and forget all marks). */
  public void configure(HealthCheck hc) {
    loop.execute(
        () -> {
          if (closed || Objects.equals(hc, check)) {
            return;
          }
          check = hc;
          if (timer != null) {
            timer.cancel(false);
            timer = null;
          }
          if (hc == null) {
            clearMarks();
            return;
          }
          long every = hc.effectiveInterval().toMillis();
          timer = loop.scheduleAtFixedRate(this::probeAll, 0, every, TimeUnit.MILLISECONDS);
        });
  }

  private void clearMarks() {
    ServiceBalancer b = cluster.balancer();
    for (Endpoint e : runs.keySet()) {
      b.markHealthy(e, true);
    }
    runs.clear();
  }

  private void probeAll() {
    HealthCheck hc = check;
    if (hc == null || closed) {
      return;
    }
    var candidates = cluster.balancer().candidates();
    runs.keySet().retainAll(candidates);
    for (Endpoint e : candidates) {
      probe(hc, e, ok -> loop.execute(() -> record(hc, e, ok)));
    }
  }

  private void record(HealthCheck hc, Endpoint e, boolean ok) {
    if (closed || hc != check) {
      return;
    }
    int[] r = runs.computeIfAbsent(e, k -> new int[2]);
    ServiceBalancer b = cluster.balancer();
    if (ok) {
      r[0]++;
      r[1] = 0;
      if (r[0] >= (hc.rise() == null ? HealthCheck.DEFAULT_RISE : hc.rise())
          && b.isMarkedUnhealthy(e)) {
        b.markHealthy(e, true);
      }
    } else {
      r[1]++;
      r[0] = 0;
      if (r[1] >= (hc.fall() == null ? HealthCheck.DEFAULT_FALL : hc.fall())
          && !b.isMarkedUnhealthy(e)) {
        b.markHealthy(e, false);
      }
    }
  }

  private void probe(HealthCheck hc, Endpoint e, Consumer<Boolean> done) {
    boolean http = "http".equals(hc.type());
    String path = hc.path() == null || hc.path().isEmpty() ? "/healthz" : hc.path();
    int timeoutMs = (int) hc.effectiveTimeout().toMillis();
    boolean[] reported = {false};
    Consumer<Boolean> once =
        ok -> {
          if (!reported[0]) {
            reported[0] = true;
            done.accept(ok);
          }
        };
    new Bootstrap()
        .group(loop)
        .channel(transport.socketChannel())
        .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, timeoutMs)
        .handler(new HttpStatusReader(http, once))
        .connect(e.socketAddress())
        .addListener(
            (ChannelFutureListener)
                f -> {
                  if (!f.isSuccess()) {
                    once.accept(false);
                    return;
                  }
                  Channel ch = f.channel();
                  if (!http) {
                    once.accept(true);
                    ch.close();
                    return;
                  }
                  ch.eventLoop()
                      .schedule(
                          () -> {
                            once.accept(false);
                            ch.close();
                          },
                          timeoutMs,
                          TimeUnit.MILLISECONDS);
                  String req =
                      "GET "
                          + path
                          + " HTTP/1.1\r\nHost: "
                          + e.authority()
                          + "\r\nUser-Agent: meridian-health-check\r\nConnection: close\r\n\r\n";
                  ch.writeAndFlush(Unpooled.wrappedBuffer(req.getBytes(StandardCharsets.US_ASCII)));
                });
  }

  /** Reads {@code HTTP/1.x NNN} off the first bytes of an answer. */
  private static final class HttpStatusReader extends ChannelInboundHandlerAdapter {
    private final boolean http;
    private final Consumer<Boolean> done;
    private final StringBuilder head = new StringBuilder();

    HttpStatusReader(boolean http, Consumer<Boolean> done) {
      this.http = http;
      this.done = done;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      ByteBuf b = (ByteBuf) msg;
      try {
        if (http) {
          head.append(b.toString(StandardCharsets.ISO_8859_1));
          if (head.length() >= 12) {
            int status = parseStatus(head);
            done.accept(status >= 200 && status < 400);
            ctx.close();
          }
        }
      } finally {
        b.release();
      }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
      if (http) {
        done.accept(false);
      }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      done.accept(false);
      ctx.close();
    }
  }

  static int parseStatus(CharSequence head) {
    if (head.length() < 12 || !head.subSequence(0, 7).toString().equals("HTTP/1.")) {
      return -1;
    }
    int s = 0;
    for (int i = 9; i < 12; i++) {
      char c = head.charAt(i);
      if (c < '0' || c > '9') {
        return -1;
      }
      s = s * 10 + (c - '0');
    }
    return s;
  }

  @Override
  public void close() {
    loop.execute(
        () -> {
          closed = true;
          if (timer != null) {
            timer.cancel(false);
          }
        });
  }
}
