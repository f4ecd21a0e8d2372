package io.meridian.dns;

import io.meridian.client.ClusterSnapshot;
import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.FixedRecvByteBufAllocator;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.SocketProtocolFamily;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.LengthFieldBasedFrameDecoder;
import io.netty.handler.timeout.ReadTimeoutHandler;
import io.netty.util.concurrent.EventExecutor;
import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * The DNS server: UDP and TCP on one port, answering from the current {@link Zone}.
 *
 * <h2>Design note</h2>
 *
 * <p>Where epoll is available, each event-loop thread gets its own UDP socket bound to the same
 * port with {@code SO_REUSEPORT}, so the kernel spreads clients over the threads and no thread
 * shares a socket (the way Knot and NSD scale); elsewhere one NIO socket serves. TCP connections
 * are accepted on the same group, idle ones closed after 10 s (RFC 7766 §6.2.3 suggests seconds).
 * With an upstream, each event loop also gets a {@link Forwarder} with its own socket to it. The
 * zone is rebuilt off the event loops (on the watch's callback thread) and swapped in through one
 * volatile field, so answering never waits for a rebuild.
 *
 * <p>Lifecycle: the constructor binds nothing; {@link #start()} binds and completes when both
 * protocols listen; {@link #close()} closes the sockets and stops the threads.
 *
 * <p>Thread-safety: {@code zone} is volatile; {@code channels} and {@code group} are written in
 * {@code start} and read in {@code close}, which are called once each, in that order.
 */
public final class DnsServer implements AutoCloseable {

  private static final int TCP_IDLE_SECONDS = 10;

  private static final int BIND_ATTEMPTS = 8;

  /** The largest UDP query read whole; longer ones are cut and answered FORMERR. */
  private static final int MAX_QUERY = 4096;

  private final DnsConfig config;
  private final DnsStats stats = new DnsStats();
  private final RateLimiter limiter;
  private volatile Zone zone;
  private EventLoopGroup group;
  private final List<Channel> channels = new ArrayList<>();
  private final Map<EventLoop, Forwarder> forwarders = new ConcurrentHashMap<>();
  private InetSocketAddress udp;
  private InetSocketAddress tcp;

  public DnsServer(DnsConfig config) {
    this.config = config;
    this.limiter =
        config.rateLimit() == 0 ? null : new RateLimiter(config.rateLimit(), System::nanoTime);
    this.zone = ZoneBuilder.build(null, config.domain(), config.ttlSeconds());
  }

  /** Answers from {@code snapshot} from now on. Safe from any thread; builds before it swaps. */
  public void update(ClusterSnapshot snapshot) {
    zone = ZoneBuilder.build(snapshot, config.domain(), config.ttlSeconds());
  }

  /** Binds UDP and TCP; completes when both listen, or with the bind error. */
  public CompletableFuture<DnsServer> start() {
    boolean epoll = Epoll.isAvailable();
    int udpSockets = epoll ? config.threads() : 1;
    group =
        new MultiThreadIoEventLoopGroup(
            config.threads(), epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory());
    try {
      if (config.upstream() != null) {
        for (EventExecutor e : group) {
          EventLoop loop = (EventLoop) e;
          Forwarder f =
              new Forwarder(loop, config.upstream(), TimeUnit.SECONDS.toNanos(2), System::nanoTime);
          f.start(epoll ? EpollDatagramChannel.class : NioDatagramChannel.class);
          forwarders.put(loop, f);
        }
      }
      // With port 0, UDP picks the port and TCP must get the same number, which another socket
      // may hold: then start over on a new port (a few times).
      for (int attempt = 1; ; attempt++) {
        try {
          bind(epoll, udpSockets);
          return CompletableFuture.completedFuture(this);
        } catch (
            Exception e) { // syncUninterruptibly() rethrows a bind failure's IOException undeclared
          closeChannels();
          if (config.port() != 0 || attempt == BIND_ATTEMPTS || !addressInUse(e)) {
            throw e;
          }
        }
      }
    } catch (Exception e) {
      close();
      return CompletableFuture.failedFuture(e);
    }
  }

  private void bind(boolean epoll, int udpSockets) {
    Channel first = bindUdp(epoll, new InetSocketAddress(config.host(), config.port()));
    udp = (InetSocketAddress) first.localAddress();
    for (int i = 1; i < udpSockets; i++) {
      bindUdp(epoll, udp);
    }
    ServerBootstrap sb =
        new ServerBootstrap()
            .group(group)
            .channel(epoll ? EpollServerSocketChannel.class : NioServerSocketChannel.class)
            .option(ChannelOption.SO_REUSEADDR, true)
            .childHandler(
                new ChannelInitializer<SocketChannel>() {
                  @Override
                  protected void initChannel(SocketChannel ch) {
                    ch.pipeline()
                        .addLast(new ReadTimeoutHandler(TCP_IDLE_SECONDS, TimeUnit.SECONDS))
                        .addLast(new LengthFieldBasedFrameDecoder(65_535, 0, 2, 0, 2))
                        .addLast(new TcpQueryHandler(responder(), stats, forwarders::get));
                  }
                });
    Channel t = sb.bind(udp).syncUninterruptibly().channel();
    channels.add(t);
    tcp = (InetSocketAddress) t.localAddress();
  }

  private static boolean addressInUse(Throwable e) {
    for (Throwable c = e; c != null; c = c.getCause()) {
      if (c instanceof java.net.BindException
          || (c.getMessage() != null && c.getMessage().contains("Address already in use"))) {
        return true;
      }
    }
    return false;
  }

  private void closeChannels() {
    for (Channel c : channels) {
      c.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
    }
    channels.clear();
  }

  private Channel bindUdp(boolean epoll, InetSocketAddress at) {
    SocketProtocolFamily family =
        at.getAddress() instanceof Inet6Address
            ? SocketProtocolFamily.INET6
            : SocketProtocolFamily.INET;
    Bootstrap b =
        new Bootstrap()
            .group(group)
            .option(ChannelOption.SO_RCVBUF, 4 << 20) // bursts wait here; the kernel may cap it
            .handler(new UdpQueryHandler(responder(), limiter, stats, forwarders::get));
    if (epoll) {
      // An IPv4 socket for an IPv4 address (not the dual-stack path). recvmmsg: up to 16
      // datagrams of up to 4 KiB per system call, up to 8 calls per wake-up; the answers to one
      // read batch leave together in sendmmsg, as they are flushed once.
      b.channelFactory(() -> new EpollDatagramChannel(family))
          .option(EpollChannelOption.SO_REUSEPORT, true)
          .option(EpollChannelOption.MAX_DATAGRAM_PAYLOAD_SIZE, MAX_QUERY)
          .option(
              ChannelOption.RCVBUF_ALLOCATOR,
              new FixedRecvByteBufAllocator(MAX_QUERY * 16).maxMessagesPerRead(8));
    } else {
      b.channel(NioDatagramChannel.class);
      b.option(ChannelOption.RCVBUF_ALLOCATOR, new FixedRecvByteBufAllocator(MAX_QUERY));
    }
    ChannelFuture f = b.bind(at).syncUninterruptibly();
    channels.add(f.channel());
    return f.channel();
  }

  private QueryResponder responder() {
    return new QueryResponder(
        () -> zone, config.maxUdpPayload(), config.maxAnswers(), config.upstream() != null);
  }

  /** The UDP address it listens on, after {@link #start()}. */
  public InetSocketAddress udpAddress() {
    return udp;
  }

  /** The TCP address it listens on (the same port), after {@link #start()}. */
  public InetSocketAddress tcpAddress() {
    return tcp;
  }

  public DnsConfig config() {
    return config;
  }

  public DnsStats stats() {
    return stats;
  }

  /** How many names the current zone holds (for logs and tests). */
  public int names() {
    return zone.size();
  }

  @Override
  public void close() {
    for (Forwarder f : forwarders.values()) {
      f.close();
    }
    forwarders.clear();
    closeChannels();
    if (group != null) {
      group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
    }
  }
}
