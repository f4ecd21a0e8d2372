package io.meridian.bench.registry;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioSocketChannel;
import java.util.concurrent.TimeUnit;

/**
 * The load generator's one Netty event loop group (native epoll when available): every HTTP
 * connection the benchmark opens, writers and watchers alike, is served by these few threads, so
 * the client's CPU stays small and measurable.
 *
 * <p>Thread-safety: safe from any thread; close once.
 */
final class ClientEventLoops implements AutoCloseable {

  private final EventLoopGroup group;
  private final boolean epoll;

  ClientEventLoops(int threads) {
    this.epoll = Epoll.isAvailable();
    this.group =
        new MultiThreadIoEventLoopGroup(
            threads, epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory());
  }

  /** A bootstrap on this group with TCP_NODELAY, as a latency-sensitive client sets it. */
  Bootstrap bootstrap() {
    return new Bootstrap()
        .group(group)
        .channel(epoll ? EpollSocketChannel.class : NioSocketChannel.class)
        .option(ChannelOption.TCP_NODELAY, true)
        .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 5_000);
  }

  @Override
  public void close() {
    group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
  }
}
