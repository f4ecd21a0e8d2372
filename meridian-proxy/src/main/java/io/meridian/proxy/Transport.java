package io.meridian.proxy;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.DatagramChannel;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;

/**
 * The Netty transport the data plane runs on: native epoll where it loads (Linux), else NIO. One
 * choice per process, so that channels and event loops always match.
 *
 * @param epoll whether native epoll is used
 */
public record Transport(boolean epoll) {

  /**
   * Epoll when available, unless {@code -Dmeridian.transport=nio} asks for NIO. (Netty
   * 4.2.18.Final's epoll can drop the tail of a large answer to a client that half-closed first:
   * its registration forgets a socket whose interest set became empty; NIO is the workaround where
   * such clients matter.)
   */
  public static Transport best() {
    boolean nio = "nio".equals(System.getProperty("meridian.transport"));
    return new Transport(!nio && Epoll.isAvailable());
  }

  /** An event loop group of {@code threads} loops for this transport. */
  public EventLoopGroup group(int threads) {
    IoHandlerFactory f = epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
    return new MultiThreadIoEventLoopGroup(threads, f);
  }

  public Class<? extends ServerChannel> serverChannel() {
    return epoll ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
  }

  public Class<? extends SocketChannel> socketChannel() {
    return epoll ? EpollSocketChannel.class : NioSocketChannel.class;
  }

  public Class<? extends DatagramChannel> datagramChannel() {
    return epoll ? EpollDatagramChannel.class : NioDatagramChannel.class;
  }
}
