package io.meridian.registry.health;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoEventLoopGroup;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.function.BiConsumer;

/**
 * Opens the one connection a probe makes: on one event loop of the shared group, with the probe's
 * deadline armed on that same loop, so the timeout covers connecting and answering.
 *
 * <p>Thread-safety: immutable; safe from any thread.
 */
final class ProbeConnector {

  private final EventLoopGroup group;
  private final Class<? extends SocketChannel> channelType;

  ProbeConnector(EventLoopGroup group) {
    this.group = group;
    this.channelType = channelType(group);
  }

  /** NIO or epoll, whichever the group runs. */
  static Class<? extends SocketChannel> channelType(EventLoopGroup group) {
    if (group instanceof IoEventLoopGroup io) {
      if (io.isIoType(NioIoHandler.class)) {
        return NioSocketChannel.class;
      }
      if (io.isIoType(EpollIoHandler.class)) {
        return EpollSocketChannel.class;
      }
    }
    throw new IllegalArgumentException("probes need an NIO or epoll event loop group: " + group);
  }

  /**
   * Starts a probe: connects to {@code target} with {@code pipeline} initialising the connection,
   * and calls {@code onConnected} (on the event loop) once it is connected. Failures to connect end
   * the attempt.
   */
  ProbeAttempt connect(
      InetSocketAddress target,
      Duration timeout,
      ProbePipeline pipeline,
      BiConsumer<Channel, ProbeAttempt> onConnected) {
    ProbeAttempt attempt = new ProbeAttempt(timeout);
    if (target.isUnresolved()) {
      attempt.finish(ProbeResult.failed("unresolved address " + target.getHostString()));
      return attempt;
    }
    EventLoop loop = group.next();
    attempt.armDeadline(loop);
    int connectMillis = Math.clamp(timeout.toMillis(), 1, Integer.MAX_VALUE);
    ChannelFuture connect =
        new Bootstrap()
            .group(loop)
            .channel(channelType)
            .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, connectMillis)
            .handler(
                new ChannelInitializer<SocketChannel>() {
                  @Override
                  protected void initChannel(SocketChannel ch) {
                    pipeline.init(ch, attempt);
                  }
                })
            .connect(target);
    attempt.attach(connect.channel());
    connect.addListener(
        (ChannelFuture f) -> {
          if (!f.isSuccess()) {
            attempt.fail(f.cause());
          } else if (!attempt.isDone()) {
            try {
              onConnected.accept(f.channel(), attempt);
            } catch (RuntimeException e) {
              attempt.fail(e);
            }
          }
        });
    return attempt;
  }

  /** Builds one probe connection's pipeline. */
  @FunctionalInterface
  interface ProbePipeline {
    void init(SocketChannel ch, ProbeAttempt attempt);
  }
}
