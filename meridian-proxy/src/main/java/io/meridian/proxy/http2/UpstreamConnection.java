package io.meridian.proxy.http2;

import io.meridian.client.Endpoint;
import io.meridian.proxy.cluster.UpstreamCluster;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.handler.codec.http2.Http2FrameCodec;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.Http2StreamChannelBootstrap;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.GenericFutureListener;
import java.util.ArrayList;
import java.util.List;

/**
 * One HTTP/2 connection to an endpoint, shared by many requests: it counts the streams it lent
 * (reserved when a request is given the connection, returned when its stream channel closes) and
 * stops lending once the endpoint sent GOAWAY, the proxy drains it, or the endpoint's {@code
 * SETTINGS_MAX_CONCURRENT_STREAMS} (capped at {@value #MAX_STREAMS}) is reached. A connection that
 * stopped lending closes itself (GOAWAY, then close) when its last stream closes.
 *
 * <p>Thread-safety: confined to the event loop of its pool.
 */
final class UpstreamConnection {

  /**
   * Streams one connection carries at most, even if the endpoint allows more: grpc-java and Go
   * servers advertise no limit, and past a few hundred streams one TCP connection's head-of-line
   * blocking costs more than a second connection.
   */
  static final int MAX_STREAMS = 500;

  /** What a request waiting for this connection is told. */
  interface Waiter {
    void ready(UpstreamConnection c);

    void failed(Throwable cause);
  }

  private final Endpoint endpoint;
  private final UpstreamCluster cluster;
  private final Channel channel;
  private final List<Waiter> waiters = new ArrayList<>(1);
  private boolean connected;
  private boolean goAway; // the endpoint sent GOAWAY, or the connection is closed
  private boolean draining; // the proxy stopped sending to the endpoint
  private int reserved;

  UpstreamConnection(Endpoint endpoint, UpstreamCluster cluster, Channel channel) {
    this.endpoint = endpoint;
    this.cluster = cluster;
    this.channel = channel;
  }

  Endpoint endpoint() {
    return endpoint;
  }

  /** The cluster that opened it, which says whether its endpoint still takes requests. */
  UpstreamCluster cluster() {
    return cluster;
  }

  Channel channel() {
    return channel;
  }

  /** Streams lent and not yet closed. */
  int reserved() {
    return reserved;
  }

  /** Lends one stream to {@code w}: now when connected, else once the connect ends. */
  boolean tryLend(Waiter w) {
    if (goAway || draining || reserved >= limit()) {
      return false;
    }
    reserved++;
    if (connected) {
      w.ready(this);
    } else {
      waiters.add(w);
    }
    return true;
  }

  private int limit() {
    if (!connected) {
      return MAX_STREAMS;
    }
    Http2FrameCodec codec = channel.pipeline().get(Http2FrameCodec.class);
    return codec == null ? 0 : Math.min(MAX_STREAMS, codec.connection().local().maxActiveStreams());
  }

  /**
   * Opens a stream channel for a request this connection was lent to; the lend ends when that
   * channel closes (or failed to open).
   */
  void open(ChannelHandler handler, GenericFutureListener<Future<Http2StreamChannel>> then) {
    new Http2StreamChannelBootstrap(channel)
        .handler(handler)
        .open()
        .addListener(
            (Future<Http2StreamChannel> f) -> {
              if (f.isSuccess()) {
                f.getNow().closeFuture().addListener((ChannelFutureListener) c -> giveBack());
              } else {
                giveBack();
              }
              then.operationComplete(f);
            });
  }

  /** Ends a lend that never opened a stream. */
  void giveBack() {
    reserved--;
    closeIfUnused();
  }

  /** Stops lending (the endpoint drains or left); closes once the last stream closes. */
  void drain() {
    draining = true;
    closeIfUnused();
  }

  void connectSucceeded() {
    connected = true;
    List<Waiter> ws = List.copyOf(waiters);
    waiters.clear();
    for (Waiter w : ws) {
      w.ready(this);
    }
  }

  void connectFailed(Throwable cause) {
    goAway = true;
    List<Waiter> ws = List.copyOf(waiters);
    waiters.clear();
    reserved -= ws.size();
    for (Waiter w : ws) {
      w.failed(cause);
    }
  }

  /** The endpoint sent GOAWAY (streams it did not take are told by their channels). */
  void goAwayReceived() {
    goAway = true;
    closeIfUnused();
  }

  /** The connection closed. */
  void closed() {
    goAway = true;
  }

  /** Whether no stream is lent now (for the idle timeout). */
  boolean unused() {
    return reserved == 0;
  }

  private void closeIfUnused() {
    if ((goAway || draining) && reserved == 0 && channel.isOpen()) {
      channel.close(); // Http2FrameCodec sends GOAWAY first
    }
  }

  @Override
  public String toString() {
    return endpoint
        + " streams="
        + reserved
        + (goAway ? " goaway" : "")
        + (draining ? " drain" : "");
  }
}
