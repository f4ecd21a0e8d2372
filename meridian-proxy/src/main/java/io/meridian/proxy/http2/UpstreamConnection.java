package io.meridian.proxy.http2;

import io.meridian.client.Endpoint;
import io.meridian.proxy.cluster.UpstreamCluster;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ConnectTimeoutException;
import io.netty.handler.codec.http2.Http2FrameCodec;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.Http2StreamChannelBootstrap;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.GenericFutureListener;
import io.netty.util.concurrent.ScheduledFuture;
import java.nio.channels.ClosedChannelException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One HTTP/2 connection to an endpoint, shared by many requests: it counts the streams it lent
 * (reserved when a request is given the connection, returned when its stream channel closes) and
 * stops lending once the endpoint sent GOAWAY, the proxy drains it, or the endpoint's {@code
 * SETTINGS_MAX_CONCURRENT_STREAMS} (capped at {@value #MAX_STREAMS}) is reached. A connection that
 * stopped lending closes itself (GOAWAY, then close) when its last stream closes.
 *
 * <p>It is ready, and the requests waiting for it get their streams, once the endpoint's first
 * SETTINGS frame arrived (RFC 9113 3.4: the server's connection preface), not once TCP connected: a
 * socket the kernel accepted is not yet a server that reads it (a busy or stopping server may never
 * get to it, and a listener closing with it in its accept queue resets it), and streams sent into
 * it would wait for their callers' deadlines. A connection not ready within the connect timeout of
 * its start fails, and its waiters try another endpoint, as after a failed connect.
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

  /**
   * How long a connection past its handshake deadline waits for one more I/O pass: a loop that was
   * busy past the deadline runs the timer right after the pass that may have brought the SETTINGS
   * (or the connect) without handling them yet.
   */
  static final int HANDSHAKE_RECHECK_MILLIS = 100;

  /** What a request waiting for this connection is told. */
  interface Waiter {
    void ready(UpstreamConnection c);

    /**
     * The connection failed; {@code counted}: this waiter reports it to outlier detection, the
     * others release their picks, so that one failed connection counts as one failure however many
     * requests waited for it.
     */
    void failed(Throwable cause, boolean counted);
  }

  private final Endpoint endpoint;
  private final UpstreamCluster cluster;
  private final Channel channel;
  private final List<Waiter> waiters = new ArrayList<>(1);
  private boolean ready; // the endpoint's SETTINGS arrived
  private boolean failed; // the connect or the handshake failed
  private ScheduledFuture<?> handshakeTimer;
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

  /** Lends one stream to {@code w}: now when ready, else once the handshake ends. */
  boolean tryLend(Waiter w) {
    if (goAway || draining || reserved >= limit()) {
      return false;
    }
    reserved++;
    if (ready) {
      w.ready(this);
    } else {
      waiters.add(w);
    }
    return true;
  }

  private int limit() {
    if (!ready) {
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

  /** Whether the endpoint's SETTINGS arrived: streams are lent at once. */
  boolean ready() {
    return ready;
  }

  /**
   * Fails the connection unless it is ready within {@code millis} of now (its connect and the
   * endpoint's SETTINGS), looking once more after {@value #HANDSHAKE_RECHECK_MILLIS} ms.
   */
  void startHandshakeTimer(long millis) {
    handshakeTimer =
        channel
            .eventLoop()
            .schedule(() -> handshakeDue(millis, true), millis, TimeUnit.MILLISECONDS);
  }

  private void handshakeDue(long millis, boolean first) {
    if (ready || failed || !channel.isOpen()) {
      return;
    }
    if (first) {
      handshakeTimer =
          channel
              .eventLoop()
              .schedule(
                  () -> handshakeDue(millis, false),
                  HANDSHAKE_RECHECK_MILLIS,
                  TimeUnit.MILLISECONDS);
      return;
    }
    connectFailed(
        new ConnectTimeoutException(
            "no HTTP/2 connection to "
                + endpoint
                + " within "
                + millis
                + " ms (connect, SETTINGS)"));
    channel.close();
  }

  private void cancelHandshakeTimer() {
    if (handshakeTimer != null) {
      handshakeTimer.cancel(false);
      handshakeTimer = null;
    }
  }

  /** The endpoint's first SETTINGS frame arrived: the waiting requests get their streams. */
  void settingsReceived() {
    if (ready || goAway) {
      return;
    }
    ready = true;
    cancelHandshakeTimer();
    List<Waiter> ws = List.copyOf(waiters);
    waiters.clear();
    for (Waiter w : ws) {
      w.ready(this);
    }
  }

  /**
   * The connection failed before it was ready (connect refused or timed out, no SETTINGS in time,
   * closed during the handshake): the waiting requests are told, and it lends no more.
   */
  void connectFailed(Throwable cause) {
    if (ready || failed) {
      return;
    }
    failed = true;
    goAway = true;
    cancelHandshakeTimer();
    cluster.stats().connectFailures.increment();
    List<Waiter> ws = List.copyOf(waiters);
    waiters.clear();
    reserved -= ws.size();
    for (int i = 0; i < ws.size(); i++) {
      ws.get(i).failed(cause, i == 0);
    }
  }

  /** The endpoint sent GOAWAY (streams it did not take are told by their channels). */
  void goAwayReceived() {
    goAway = true;
    closeIfUnused();
  }

  /** The connection closed; requests still waiting for it are failed. */
  void closed() {
    if (!waiters.isEmpty()) {
      connectFailed(new ClosedChannelException()); // closed before it was ready
    }
    goAway = true;
    cancelHandshakeTimer();
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
        + (ready ? "" : " handshaking")
        + " streams="
        + reserved
        + (goAway ? " goaway" : "")
        + (draining ? " drain" : "");
  }
}
