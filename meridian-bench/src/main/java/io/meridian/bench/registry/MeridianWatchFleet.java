package io.meridian.bench.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ByteProcessor;
import io.netty.util.ReferenceCountUtil;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * Watchers on the registry's HTTP API: one HTTP/1.1 connection per watcher, each a {@code GET
 * /api/v1/namespaces/default/instances?watch=true&resourceVersion=R} stream of NDJSON events, all
 * on the load generator's event loop group. A line's arrival time is taken when the chunk that
 * completes it is read, before it is parsed. The writer PUTs instance {@code lat-<i>} over {@link
 * #WRITERS} keep-alive connections of its own, in turn, on a separate event loop thread, so that
 * neither a slow write nor the watchers' reading delays the next write on the client side.
 *
 * <p>Thread-safety: see {@link WatchFleet}; each watcher's state is confined to its channel's event
 * loop.
 */
final class MeridianWatchFleet implements WatchFleet {

  private static final String INSTANCES =
      "/api/v1/namespaces/" + Instances.NAMESPACE + "/instances";
  private static final String NAME_MARK = "\"name\":\"lat-";

  /** Writer connections, used in turn: writes overlap when one takes longer than the period. */
  static final int WRITERS = 4;

  private final ClientEventLoops loops;
  private final ClientEventLoops writerLoop;
  private final InetSocketAddress address;
  private final ProcessHandle server;
  private final LongSupplier ticker;
  private final List<Channel> channels = new ArrayList<>();
  private volatile boolean closing;
  private final List<HttpConnection> writers = new ArrayList<>(); // written by open, then read-only

  MeridianWatchFleet(
      ClientEventLoops loops,
      ClientEventLoops writerLoop,
      InetSocketAddress address,
      ProcessHandle server,
      LongSupplier ticker) {
    this.loops = loops;
    this.writerLoop = writerLoop;
    this.address = address;
    this.server = server;
    this.ticker = ticker;
  }

  @Override
  public String transport() {
    return "1 HTTP/1.1 connection per watcher (chunked NDJSON)";
  }

  @Override
  public void open(Arrivals arrivals) throws Exception {
    for (int i = 0; i < WRITERS; i++) {
      writers.add(HttpConnection.open(writerLoop.bootstrap(), address));
    }
    HttpConnection writer = writers.get(0);
    // a selector nothing matches: the answer is just the current resourceVersion, however many
    // instances earlier runs left behind
    HttpConnection.Response list =
        writer
            .get(INSTANCES + "?labelSelector=app%3Dregistry-bench-none")
            .get(30, TimeUnit.SECONDS);
    if (list.status() != 200) {
      throw new IOException("list failed: HTTP " + list.status() + " " + list.body());
    }
    JsonNode rv = new ObjectMapper().readTree(list.body()).path("metadata").path("resourceVersion");
    String uri = INSTANCES + "?watch=true&resourceVersion=" + rv.asText();
    int n = arrivals.watchers();
    CountDownLatch established = new CountDownLatch(n);
    List<ChannelFuture> connects = new ArrayList<>(n);
    for (int w = 0; w < n; w++) {
      int id = w;
      Bootstrap b =
          loops
              .bootstrap()
              .handler(
                  new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                      ch.pipeline()
                          .addLast(new HttpClientCodec())
                          .addLast(new WatchHandler(id, arrivals, established));
                    }
                  });
      connects.add(b.connect(address));
      if (connects.size() % 100 == 0) {
        connects.get(connects.size() - 1).awaitUninterruptibly(5, TimeUnit.SECONDS); // pace a bit
      }
    }
    for (ChannelFuture f : connects) {
      if (!f.awaitUninterruptibly(10, TimeUnit.SECONDS) || !f.isSuccess()) {
        throw new IOException("watch connection failed", f.cause());
      }
      Channel ch = f.channel();
      synchronized (channels) {
        channels.add(ch);
      }
      FullHttpRequest req =
          new DefaultFullHttpRequest(
              HttpVersion.HTTP_1_1, HttpMethod.GET, uri, Unpooled.EMPTY_BUFFER);
      req.headers().set(HttpHeaderNames.HOST, address.getHostString() + ":" + address.getPort());
      ch.writeAndFlush(req);
    }
    if (!established.await(60, TimeUnit.SECONDS)) {
      throw new IOException(established.getCount() + " of " + n + " watches did not start");
    }
  }

  @Override
  public CompletableFuture<?> change(int index) {
    String name = "lat-" + index;
    return writers
        .get(index % WRITERS)
        .request(HttpMethod.PUT, INSTANCES + "/" + name, Instances.putBody(name))
        .thenApply(
            r -> {
              if (r.status() != 200 && r.status() != 201) {
                throw new IllegalStateException("HTTP " + r.status() + ": " + r.body());
              }
              return r;
            });
  }

  @Override
  public ProcessHandle server() {
    return server;
  }

  @Override
  public void close() {
    closing = true;
    synchronized (channels) {
      for (Channel ch : channels) {
        ch.close();
      }
      for (Channel ch : channels) {
        ch.closeFuture().awaitUninterruptibly(2, TimeUnit.SECONDS);
      }
      channels.clear();
    }
    writers.forEach(HttpConnection::close);
  }

  /** Splits one watch stream into lines and reports each event. Event loop only. */
  private final class WatchHandler extends ChannelInboundHandlerAdapter {
    private final int id;
    private final Arrivals arrivals;
    private final CountDownLatch established;
    private ByteBuf partial;

    WatchHandler(int id, Arrivals arrivals, CountDownLatch established) {
      this.id = id;
      this.arrivals = arrivals;
      this.established = established;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      long now = ticker.getAsLong();
      try {
        if (msg instanceof HttpResponse res) {
          if (res.status().code() == 200) {
            established.countDown();
          } else {
            arrivals.error("watch answered HTTP " + res.status());
          }
        }
        if (msg instanceof HttpContent content) {
          lines(content.content(), now);
          if (msg instanceof LastHttpContent && !closing) {
            arrivals.error("watch stream ended by the server");
          }
        }
      } finally {
        ReferenceCountUtil.release(msg);
      }
    }

    private void lines(ByteBuf in, long now) {
      while (in.isReadable()) {
        int lf = in.forEachByte(ByteProcessor.FIND_LF);
        if (lf < 0) {
          if (partial == null) {
            partial = ctxAlloc(in.readableBytes());
          }
          partial.writeBytes(in);
          return;
        }
        String line;
        if (partial != null) {
          partial.writeBytes(in, lf - in.readerIndex());
          line = partial.toString(StandardCharsets.ISO_8859_1);
          partial.release();
          partial = null;
        } else {
          line = in.toString(in.readerIndex(), lf - in.readerIndex(), StandardCharsets.ISO_8859_1);
        }
        in.readerIndex(lf + 1);
        event(line, now);
      }
    }

    private ByteBuf ctxAlloc(int hint) {
      return Unpooled.buffer(Math.max(hint, 1024));
    }

    private void event(String line, long now) {
      if (line.startsWith("{\"type\":\"BOOKMARK\"") || line.isEmpty()) {
        return;
      }
      if (line.startsWith("{\"type\":\"ERROR\"")) {
        arrivals.error("watch ERROR line: " + line);
        return;
      }
      int at = line.indexOf(NAME_MARK);
      arrivals.record(id, at < 0 ? -1 : Arrivals.indexOf(line, at + NAME_MARK.length()), now);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
      if (partial != null) {
        partial.release();
        partial = null;
      }
      if (!closing) {
        arrivals.error("watch connection closed");
      }
      ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      arrivals.error("watch failed: " + cause);
      ctx.close();
    }
  }
}
