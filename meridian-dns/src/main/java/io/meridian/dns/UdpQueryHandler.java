package io.meridian.dns;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.EventLoop;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.DatagramPacket;
import java.net.InetSocketAddress;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Answers queries arriving on one UDP socket. Responses are flushed once per read batch. With rate
 * limiting on, a client prefix over its rate gets every second response as an empty TC answer (so a
 * real client retries over TCP, which cannot be spoofed) and the others dropped: BIND's "slip 2".
 *
 * <p>Thread-safety: one instance per channel, used on its event loop only; {@code slip} is confined
 * to it; the counters are shared adders.
 */
final class UdpQueryHandler extends SimpleChannelInboundHandler<DatagramPacket> {

  private static final Logger log = LoggerFactory.getLogger(UdpQueryHandler.class);

  private final QueryResponder responder;
  private final RateLimiter limiter; // null: off
  private final DnsStats stats;
  private final Function<EventLoop, Forwarder> forwarders;
  private boolean slip;

  UdpQueryHandler(
      QueryResponder responder,
      RateLimiter limiter,
      DnsStats stats,
      Function<EventLoop, Forwarder> forwarders) {
    super(DatagramPacket.class, true);
    this.responder = responder;
    this.limiter = limiter;
    this.stats = stats;
    this.forwarders = forwarders;
  }

  @Override
  protected void channelRead0(ChannelHandlerContext ctx, DatagramPacket packet) {
    stats.queries.increment();
    ByteBuf response;
    try {
      response = responder.respond(packet.content(), ctx.alloc(), true);
    } catch (RuntimeException e) {
      stats.errors.increment();
      log.debug("query from {} failed", packet.sender(), e);
      return;
    }
    if (response == null) {
      if (responder.forward()) {
        forward(ctx, packet);
      } else {
        stats.dropped.increment();
      }
      return;
    }
    if (limiter != null && !limiter.allow(packet.sender().getAddress())) {
      slip = !slip;
      if (!slip) {
        response.release();
        stats.limited.increment();
        return;
      }
      QueryResponder.truncate(response);
    }
    ctx.write(new DatagramPacket(response, packet.sender()), ctx.voidPromise());
  }

  private void forward(ChannelHandlerContext ctx, DatagramPacket packet) {
    if (limiter != null && !limiter.allow(packet.sender().getAddress())) {
      stats.limited.increment();
      return;
    }
    stats.forwarded.increment();
    InetSocketAddress client = packet.sender();
    forwarders
        .apply(ctx.channel().eventLoop())
        .forward(
            packet.content(),
            answer -> {
              if (ctx.channel().isActive()) {
                ctx.writeAndFlush(new DatagramPacket(answer, client), ctx.voidPromise());
              } else {
                answer.release();
              }
            });
  }

  @Override
  public void channelReadComplete(ChannelHandlerContext ctx) {
    ctx.flush();
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    // A UDP socket outlives any one bad packet (e.g. ICMP port unreachable surfacing as an error).
    stats.errors.increment();
    log.debug("UDP error on {}", ctx.channel(), cause);
  }
}
