package io.meridian.proxy.admin;

import io.meridian.proxy.DataPlane;
import io.meridian.proxy.Transport;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.timeout.ReadTimeoutHandler;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * The data plane's admin port: a small HTTP/1.1 server for operators and probes, bound to loopback
 * by default ({@code 127.0.0.1:7071} in the CLI).
 *
 * <ul>
 *   <li>{@code GET /metrics}: {@link ProxyMetrics}, Prometheus text format 0.0.4;
 *   <li>{@code GET /healthz}: 200 while the process serves HTTP at all;
 *   <li>{@code GET /readyz}: 200 once every plane applied its first snapshot, 503 with the reason
 *       before. A plane stays ready when the registry goes away later: its listeners keep serving
 *       the last snapshot, which is the point of a data plane;
 *   <li>{@code GET /dump}: each plane's {@link DataPlane#dump()} under a header line;
 *   <li>{@code GET /}: the list of these.
 * </ul>
 *
 * <p>Requests are bounded (4 KiB request line, 8 KiB of headers, 64 KiB of body); a connection
 * silent for a minute is closed. Answers are plain text and never carry a stack trace.
 *
 * <p>The server runs on an event loop of its own, never the planes': a scrape takes a plane's lock,
 * and a plane holds that lock while it waits for a bind on its own event loops.
 *
 * <p>Thread-safety: {@link #start()} and {@link #close()} may be called from any thread, once each;
 * requests are served on the server's single event loop.
 */
public final class AdminServer implements AutoCloseable {

  static final int MAX_INITIAL_LINE = 4096;
  static final int MAX_HEADER_BYTES = 8192;
  static final int MAX_BODY_BYTES = 64 * 1024;
  static final int IDLE_SECONDS = 60;

  private final String host;
  private final int port;
  private final List<DataPlane> planes;
  private final BooleanSupplier watchConnected;
  private final Transport transport;
  private final ProxyMetrics metrics;
  private final ChannelGroup connections = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);

  // Guarded by this.
  private EventLoopGroup group;
  private Channel server;
  private boolean closed;

  /**
   * An admin server on the best transport; see {@link #AdminServer(String, int, List,
   * BooleanSupplier, Transport)}.
   */
  public AdminServer(
      String host, int port, List<DataPlane> planes, BooleanSupplier watchConnected) {
    this(host, port, planes, watchConnected, Transport.best());
  }

  /**
   * @param host the address to bind (a literal or a name)
   * @param port the port to bind (0: any free one, see {@link #address()})
   * @param planes the data planes it describes
   * @param watchConnected whether the registry watch is connected now (reported, not required)
   * @param transport the process's transport
   */
  public AdminServer(
      String host,
      int port,
      List<DataPlane> planes,
      BooleanSupplier watchConnected,
      Transport transport) {
    this.host = Objects.requireNonNull(host, "host");
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("port must be 0..65535, not " + port);
    }
    this.port = port;
    this.planes = List.copyOf(planes);
    this.watchConnected = Objects.requireNonNull(watchConnected, "watchConnected");
    this.transport = Objects.requireNonNull(transport, "transport");
    this.metrics = new ProxyMetrics(this.planes, watchConnected);
  }

  /** The metrics it serves, for process-wide meters the caller may add. */
  public ProxyMetrics metrics() {
    return metrics;
  }

  /** Binds; completes with this server once listening, or with the bind's failure. */
  public synchronized CompletableFuture<AdminServer> start() {
    if (group != null || closed) {
      throw new IllegalStateException(closed ? "admin server closed" : "admin server started");
    }
    group = transport.group(1);
    AdminHandler handler = new AdminHandler(planes, metrics, watchConnected);
    ServerBootstrap b =
        new ServerBootstrap()
            .group(group)
            .channel(transport.serverChannel())
            .option(ChannelOption.SO_BACKLOG, 128)
            .option(ChannelOption.SO_REUSEADDR, true)
            .childOption(ChannelOption.TCP_NODELAY, true)
            .childHandler(
                new ChannelInitializer<SocketChannel>() {
                  @Override
                  protected void initChannel(SocketChannel ch) {
                    connections.add(ch);
                    ch.pipeline()
                        .addLast(new ReadTimeoutHandler(IDLE_SECONDS, TimeUnit.SECONDS))
                        .addLast(new HttpServerCodec(MAX_INITIAL_LINE, MAX_HEADER_BYTES, 8192))
                        .addLast(new BoundedAggregator())
                        .addLast(handler);
                  }
                });
    CompletableFuture<AdminServer> started = new CompletableFuture<>();
    ChannelFuture f = b.bind(host, port);
    f.addListener(
        x -> {
          if (x.isSuccess()) {
            started.complete(this);
          } else {
            started.completeExceptionally(x.cause());
          }
        });
    server = f.channel();
    return started;
  }

  /** Where it listens (the bound port when started with port 0). */
  public synchronized InetSocketAddress address() {
    if (server == null || !(server.localAddress() instanceof InetSocketAddress a)) {
      throw new IllegalStateException("admin server not listening");
    }
    return a;
  }

  /** Stops listening, closes open connections and its event loop. */
  @Override
  public void close() {
    Channel s;
    EventLoopGroup g;
    synchronized (this) {
      if (closed) {
        return;
      }
      closed = true;
      s = server;
      g = group;
    }
    if (s != null) {
      s.close().awaitUninterruptibly();
    }
    connections.close().awaitUninterruptibly(2, TimeUnit.SECONDS);
    if (g != null) {
      g.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly();
    }
  }

  /** Aggregates bodies up to {@link #MAX_BODY_BYTES}; past it, answers 413 in text and closes. */
  private static final class BoundedAggregator extends HttpObjectAggregator {
    BoundedAggregator() {
      super(MAX_BODY_BYTES);
    }

    @Override
    protected void handleOversizedMessage(ChannelHandlerContext ctx, HttpMessage oversized) {
      PlainText.respond(
          ctx,
          false,
          HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE,
          PlainText.TEXT,
          "request body larger than " + MAX_BODY_BYTES + " bytes\n");
    }
  }
}
