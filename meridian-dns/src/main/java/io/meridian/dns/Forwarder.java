package io.meridian.dns;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.FixedRecvByteBufAllocator;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.DatagramPacket;
import io.netty.util.concurrent.ScheduledFuture;
import java.net.InetSocketAddress;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * Sends queries for names outside the cluster domain to an upstream resolver ({@code --upstream})
 * and relays its answers, for one event loop.
 *
 * <h2>Design note</h2>
 *
 * <p>One forwarder per event loop, each with its own UDP socket connected to the upstream, so
 * forwarding shares no state between threads. A forwarded query gets a fresh ID from this
 * forwarder's table of 65,536 slots (the upstream sees our IDs, never the clients', so two clients
 * using one ID cannot collide); the slot keeps a copy of the client's query and where to send the
 * answer. An upstream answer is accepted only for a pending ID whose question it echoes byte for
 * byte, which is what makes blind spoofing of the upstream hard (RFC 5452 §4.3); its ID is then put
 * back to the client's. A query unanswered after {@code timeout} gets SERVFAIL. When the table is
 * full, SERVFAIL at once.
 *
 * <p>Queries that came over TCP are forwarded over UDP too; an upstream answer with TC set is
 * relayed as it is, so the client retries over TCP and gets the truncated answer again. Large
 * answers for external names are the exception in a cluster, and a TCP path to the upstream is
 * future work.
 *
 * <p>Thread-safety: confined to its event loop; {@link #forward} must be called on it.
 */
final class Forwarder {

  private static final int SLOTS = 1 << 16;

  private final EventLoop loop;
  private final InetSocketAddress upstream;
  private final long timeoutNanos;
  private final LongSupplier nanoTime;
  private final ByteBuf[] queries = new ByteBuf[SLOTS];
  private final Object[] replyTo = new Object[SLOTS];
  private final long[] deadlines = new long[SLOTS];
  private int nextId = ThreadLocalRandom.current().nextInt(SLOTS);
  private int pending;
  private Channel channel;
  private ScheduledFuture<?> sweeper;

  Forwarder(EventLoop loop, InetSocketAddress upstream, long timeoutNanos, LongSupplier nanoTime) {
    this.loop = loop;
    this.upstream = upstream;
    this.timeoutNanos = timeoutNanos;
    this.nanoTime = nanoTime;
  }

  /** Binds its socket on {@code loop}; call once, before the first forward. */
  void start(Class<? extends Channel> datagramType) {
    channel =
        new Bootstrap()
            .group(loop)
            .channel(datagramType)
            .option(ChannelOption.RCVBUF_ALLOCATOR, new FixedRecvByteBufAllocator(65535))
            .handler(
                new SimpleChannelInboundHandler<DatagramPacket>() {
                  @Override
                  protected void channelRead0(ChannelHandlerContext ctx, DatagramPacket p) {
                    onAnswer(p.content());
                  }

                  @Override
                  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                    // ICMP unreachable from a dead upstream: the sweeper answers SERVFAIL
                  }
                })
            .connect(upstream)
            .syncUninterruptibly()
            .channel();
    sweeper = loop.scheduleAtFixedRate(this::sweep, 100, 100, TimeUnit.MILLISECONDS);
  }

  /**
   * Forwards {@code query} (not consumed) and later calls {@code reply} with the answer (which the
   * callee then owns), on this loop.
   */
  void forward(ByteBuf query, Consumer<ByteBuf> reply) {
    if (pending == SLOTS || channel == null || !channel.isActive()) {
      reply.accept(servfail(query));
      return;
    }
    int id = nextId;
    while (queries[id] != null) {
      id = (id + 1) & (SLOTS - 1);
    }
    nextId = (id + 1) & (SLOTS - 1);
    ByteBuf copy = query.copy();
    queries[id] = copy;
    replyTo[id] = reply;
    deadlines[id] = nanoTime.getAsLong() + timeoutNanos;
    pending++;
    ByteBuf out = copy.copy();
    out.setShort(out.readerIndex(), id);
    channel.writeAndFlush(out, channel.voidPromise());
  }

  private void onAnswer(ByteBuf answer) {
    if (answer.readableBytes() < QueryResponder.HEADER) {
      return;
    }
    int id = answer.getUnsignedShort(answer.readerIndex());
    ByteBuf query = queries[id];
    if (query == null || !sameQuestion(query, answer)) {
      return;
    }
    @SuppressWarnings("unchecked")
    Consumer<ByteBuf> reply = (Consumer<ByteBuf>) replyTo[id];
    int clientId = query.getUnsignedShort(query.readerIndex());
    clear(id);
    ByteBuf relayed = answer.retainedDuplicate();
    relayed.setShort(relayed.readerIndex(), clientId);
    reply.accept(relayed);
  }

  /** Whether {@code answer} echoes {@code query}'s question section exactly. */
  private static boolean sameQuestion(ByteBuf query, ByteBuf answer) {
    int q = query.readerIndex() + QueryResponder.HEADER;
    int a = answer.readerIndex() + QueryResponder.HEADER;
    if (answer.getUnsignedShort(answer.readerIndex() + 4) != 1) {
      return false;
    }
    int len = QueryResponder.questionEndOf(query) - q;
    return a + len <= answer.writerIndex() && ByteBufUtil.equals(query, q, answer, a, len);
  }

  private void sweep() {
    if (pending == 0) {
      return;
    }
    long now = nanoTime.getAsLong();
    for (int id = 0; id < SLOTS && pending > 0; id++) {
      if (queries[id] != null && now - deadlines[id] > 0) {
        @SuppressWarnings("unchecked")
        Consumer<ByteBuf> reply = (Consumer<ByteBuf>) replyTo[id];
        ByteBuf failed = servfail(queries[id]);
        clear(id);
        reply.accept(failed);
      }
    }
  }

  private void clear(int id) {
    queries[id].release();
    queries[id] = null;
    replyTo[id] = null;
    pending--;
  }

  /** SERVFAIL for {@code query} (well formed: the responder parsed it): its question echoed. */
  private ByteBuf servfail(ByteBuf query) {
    int base = query.readerIndex();
    int end = QueryResponder.questionEndOf(query);
    ByteBuf out =
        channel == null ? Unpooled.buffer(end - base) : channel.alloc().ioBuffer(end - base);
    out.writeBytes(query, base, end - base);
    int flags = query.getUnsignedShort(base + 2);
    out.setShort(2, 0x8000 | (flags & 0x7900) | 0x0080 | Rcode.SERVFAIL);
    out.setShort(4, 1);
    out.setShort(6, 0);
    out.setShort(8, 0);
    out.setShort(10, 0);
    return out;
  }

  void close() {
    if (sweeper != null) {
      sweeper.cancel(false);
    }
    if (channel != null) {
      channel.close();
    }
    loop.execute(
        () -> {
          for (int id = 0; id < SLOTS; id++) {
            if (queries[id] != null) {
              clear(id);
            }
          }
        });
  }
}
