package io.meridian.proxy.udp;

import io.meridian.balancer.Outcome;
import io.meridian.client.Endpoint;
import io.meridian.proxy.ProxySettings;
import io.meridian.proxy.Route;
import io.meridian.proxy.Transport;
import io.meridian.proxy.cluster.UpstreamCluster;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.DatagramPacket;
import io.netty.util.concurrent.ScheduledFuture;
import java.net.InetSocketAddress;
import java.net.PortUnreachableException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * A UDP listener balancing per flow, as kube-proxy's conntrack does: the first datagram from a
 * client address picks an endpoint, and that client's datagrams keep going there through one
 * connected upstream socket, whose answers go back to the client from the listener's address. A
 * flow quiet in both directions for {@link ProxySettings#udpIdleTimeout()} is forgotten; a flow
 * whose endpoint left, or answered with ICMP port unreachable, picks again on its next datagram
 * (Kubernetes clears stale UDP conntrack entries for the same reason).
 *
 * <p>Thread-safety: the listener socket, its flows and their upstream sockets share one event loop.
 */
public final class UdpProxy implements AutoCloseable {

  /** Datagrams held per flow while its upstream socket connects; more are dropped. */
  static final int MAX_QUEUED = 64;

  private final ProxySettings settings;
  private final Transport transport;
  private final EventLoop loop;
  private final Map<InetSocketAddress, Flow> flows = new HashMap<>();
  private final Supplier<Route> routes;
  private Channel socket;
  private ScheduledFuture<?> sweeper;

  /**
   * @param routes the listener's route now (read when a new flow starts)
   */
  public UdpProxy(
      Supplier<Route> routes, ProxySettings settings, Transport transport, EventLoopGroup group) {
    this.routes = routes;
    this.settings = settings;
    this.transport = transport;
    this.loop = group.next();
  }

  /** Binds the listener socket; throws the bind error. */
  public void bind(InetSocketAddress at) throws Exception {
    socket =
        new Bootstrap()
            .group(loop)
            .channel(transport.datagramChannel())
            .option(ChannelOption.SO_REUSEADDR, true)
            .handler(new Frontend())
            .bind(at)
            .sync()
            .channel();
    long every = Math.max(100, settings.udpIdleTimeout().toMillis() / 4);
    sweeper = loop.scheduleAtFixedRate(this::sweep, every, every, TimeUnit.MILLISECONDS);
  }

  @Override
  public void close() {
    loop.execute(
        () -> {
          if (sweeper != null) {
            sweeper.cancel(false);
          }
          if (socket != null) {
            socket.close();
          }
          for (Flow f : new ArrayList<>(flows.values())) {
            f.end(Outcome.SUCCESS);
          }
        });
  }

  private void sweep() {
    long idleNanos = settings.udpIdleTimeout().toNanos();
    long now = System.nanoTime();
    for (Iterator<Flow> it = flows.values().iterator(); it.hasNext(); ) {
      Flow f = it.next();
      if (now - f.lastActive >= idleNanos) {
        it.remove();
        f.end(Outcome.SUCCESS);
      }
    }
  }

  /** One client's datagrams to one endpoint. */
  private final class Flow extends ChannelInboundHandlerAdapter {
    final InetSocketAddress client;
    final UpstreamCluster cluster;
    final Endpoint endpoint;
    final long start = System.nanoTime();
    long lastActive = start;
    Channel upstream;
    ArrayDeque<ByteBuf> queued = new ArrayDeque<>();
    boolean ended;

    Flow(InetSocketAddress client, UpstreamCluster cluster, Endpoint endpoint) {
      this.client = client;
      this.cluster = cluster;
      this.endpoint = endpoint;
    }

    void open() {
      new Bootstrap()
          .group(loop)
          .channel(transport.datagramChannel())
          .handler(this)
          .connect(endpoint.socketAddress())
          .addListener(
              (ChannelFutureListener)
                  f -> {
                    if (!f.isSuccess()) {
                      cluster.stats().connectFailures.increment();
                      drop(Outcome.CONNECT_FAILURE);
                      return;
                    }
                    upstream = f.channel();
                    cluster.stats().activeConnections.increment();
                    if (ended) {
                      upstream.close();
                      return;
                    }
                    ByteBuf b;
                    while ((b = queued.poll()) != null) {
                      upstream.write(b, upstream.voidPromise());
                    }
                    queued = null;
                    upstream.flush();
                  });
    }

    void send(ByteBuf payload) {
      lastActive = System.nanoTime();
      cluster.stats().bytesSent.add(payload.readableBytes());
      if (upstream != null) {
        upstream.writeAndFlush(payload, upstream.voidPromise());
      } else if (queued != null && queued.size() < MAX_QUEUED) {
        queued.add(payload);
      } else {
        payload.release();
      }
    }

    /** An answer from the endpoint: back to the client, from the listener's address. */
    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      DatagramPacket p = (DatagramPacket) msg;
      lastActive = System.nanoTime();
      cluster.stats().bytesReceived.add(p.content().readableBytes());
      if (socket != null && socket.isActive()) {
        socket.write(new DatagramPacket(p.content(), client), socket.voidPromise());
      } else {
        p.release();
      }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
      if (socket != null) {
        socket.flush();
      }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      // ICMP port unreachable on the connected socket: the endpoint is not listening.
      drop(cause instanceof PortUnreachableException ? Outcome.CONNECT_FAILURE : Outcome.FAILURE);
    }

    /** Forgets this flow after a failure; the client's next datagram picks again. */
    void drop(Outcome outcome) {
      if (flows.get(client) == this) {
        flows.remove(client);
      }
      end(outcome);
    }

    void end(Outcome outcome) {
      if (ended) {
        return;
      }
      ended = true;
      if (queued != null) {
        queued.forEach(ByteBuf::release);
        queued = null;
      }
      if (upstream != null) {
        cluster.stats().activeConnections.decrement();
        upstream.close();
      }
      cluster.report(endpoint, outcome, Duration.ofNanos(System.nanoTime() - start));
    }
  }

  /** The listener socket: datagrams from clients. */
  private final class Frontend extends ChannelInboundHandlerAdapter {
    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      DatagramPacket p = (DatagramPacket) msg;
      InetSocketAddress sender = p.sender();
      Flow f = flows.get(sender);
      if (f != null && !f.ended && !f.cluster.accepts(f.endpoint)) {
        flows.remove(sender); // its endpoint left or drains: pick again
        f.end(Outcome.SUCCESS);
        f = null;
      }
      if (f == null) {
        Route r = routes.get();
        UpstreamCluster c = r.cluster();
        Endpoint e = c.pick(sender.getAddress(), r.listener().affinity(), null);
        if (e == null) {
          p.release();
          return;
        }
        f = new Flow(sender, c, e);
        flows.put(sender, f);
        f.open();
      }
      f.send(p.content());
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      // a malformed or refused datagram never stops the listener
    }
  }
}
