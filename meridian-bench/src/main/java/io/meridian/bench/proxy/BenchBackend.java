package io.meridian.bench.proxy;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.EmptyHttpHeaders;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http2.DefaultHttp2DataFrame;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.DefaultHttp2HeadersFrame;
import io.netty.handler.codec.http2.DefaultHttp2WindowUpdateFrame;
import io.netty.handler.codec.http2.Http2CodecUtil;
import io.netty.handler.codec.http2.Http2DataFrame;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2FrameStream;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2HeadersFrame;
import io.netty.util.AsciiString;
import io.netty.util.ReferenceCountUtil;
import java.net.InetSocketAddress;
import java.util.List;

/**
 * The backend of the proxy benchmark ({@code run-proxy-bench.sh}): one port that serves HTTP/1.1
 * keep-alive and h2c with prior knowledge, answering {@code GET /16k} with 16,384 bytes and every
 * other request with a 10-byte body. Run as {@code BenchBackend [--port N] [--threads N]}; it
 * prints {@code listening on 127.0.0.1:PORT} once bound and serves until killed.
 *
 * <h2>Design note</h2>
 *
 * <p>The backend must cost as little as possible, so that the proxies in front of it set the rate.
 * Bodies are built once and sent as retained duplicates (no copy, no allocation but the response
 * object; the buffers are unreleasable, so a duplicate needs no reference count, which event loops
 * would otherwise contend on); responses are flushed once per read, so a batch of HTTP/2 streams
 * leaves in one write. The protocol is chosen from the first bytes of a connection: the 24-byte
 * HTTP/2 preface (RFC 9113 §3.4) selects the HTTP/2 frame codec, anything else HTTP/1.1. Request
 * bodies are read and dropped; the answer depends on the path only.
 *
 * <p>Thread-safety: the bodies and header blocks are immutable after class initialisation and
 * shared by all event loops; each handler lives on one channel's event loop.
 */
public final class BenchBackend {

  static final ByteBuf TINY = body(10);
  static final ByteBuf SIXTEEN_K = body(16_384);
  private static final HttpHeaders TINY_HEADERS = headers(TINY);
  private static final HttpHeaders SIXTEEN_K_HEADERS = headers(SIXTEEN_K);
  private static final AsciiString STATUS_OK = HttpResponseStatus.OK.codeAsText();

  private BenchBackend() {}

  public static void main(String[] args) throws InterruptedException {
    int port = 0;
    int threads = Runtime.getRuntime().availableProcessors();
    for (int i = 0; i < args.length; i++) {
      String a = args[i];
      if ((a.equals("--port") || a.equals("--threads")) && i + 1 < args.length) {
        int v = Integer.parseInt(args[++i]);
        if (a.equals("--port")) {
          port = v;
        } else {
          threads = v;
        }
      } else {
        System.err.println("usage: BenchBackend [--port N (0: any)] [--threads N]");
        System.exit(2);
      }
    }
    boolean epoll = Epoll.isAvailable();
    EventLoopGroup group =
        new MultiThreadIoEventLoopGroup(
            threads, epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory());
    Runtime.getRuntime().addShutdownHook(new Thread(group::shutdownGracefully));
    Channel server =
        new ServerBootstrap()
            .group(group)
            .channel(epoll ? EpollServerSocketChannel.class : NioServerSocketChannel.class)
            .option(ChannelOption.SO_REUSEADDR, true)
            .option(ChannelOption.SO_BACKLOG, 4096)
            .childOption(ChannelOption.TCP_NODELAY, true)
            .childHandler(
                new ChannelInitializer<SocketChannel>() {
                  @Override
                  protected void initChannel(SocketChannel ch) {
                    ch.pipeline().addLast(new ProtocolSniffer());
                  }
                })
            .bind("127.0.0.1", port)
            .sync()
            .channel();
    InetSocketAddress bound = (InetSocketAddress) server.localAddress();
    System.out.println(
        "listening on 127.0.0.1:" + bound.getPort() + " (" + (epoll ? "epoll" : "nio") + ")");
    System.out.flush();
    server.closeFuture().sync();
  }

  private static ByteBuf body(int size) {
    byte[] bytes = new byte[size];
    for (int i = 0; i < size; i++) {
      bytes[i] = (byte) ('a' + i % 26);
    }
    bytes[size - 1] = '\n';
    return Unpooled.unreleasableBuffer(Unpooled.directBuffer(size).writeBytes(bytes));
  }

  private static HttpHeaders headers(ByteBuf body) {
    return new DefaultHttpHeaders()
        .add(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.TEXT_PLAIN)
        .add(HttpHeaderNames.CONTENT_LENGTH, body.readableBytes());
  }

  private static boolean sixteenK(CharSequence path) {
    return path != null && AsciiString.contentEquals(path, "/16k");
  }

  /**
   * Looks at the first bytes of a connection and replaces itself with the HTTP/2 or the HTTP/1.1
   * pipeline. Thread-safety: one per channel, on its event loop.
   */
  static final class ProtocolSniffer extends ByteToMessageDecoder {
    private static final ByteBuf PREFACE = Http2CodecUtil.connectionPrefaceBuf();

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
      int n = Math.min(in.readableBytes(), PREFACE.readableBytes());
      boolean prefix = ByteBufUtil.equals(in, in.readerIndex(), PREFACE, 0, n);
      if (prefix && n < PREFACE.readableBytes()) {
        return; // so far the start of the preface: wait for the rest
      }
      if (prefix) {
        ctx.pipeline()
            .addAfter(ctx.name(), null, new Http2Responder())
            .addAfter(ctx.name(), null, Http2FrameCodecBuilder.forServer().build());
      } else {
        ctx.pipeline()
            .addAfter(ctx.name(), null, new Http1Responder())
            .addAfter(ctx.name(), null, new HttpServerCodec());
      }
      ctx.pipeline().remove(this); // hands the buffered bytes on to the codec
    }
  }

  /**
   * Answers each HTTP/1.1 request as soon as its head arrives; drops request bodies. Thread-safety:
   * one per channel, on its event loop.
   */
  static final class Http1Responder extends ChannelInboundHandlerAdapter {
    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      if (!(msg instanceof HttpRequest req)) {
        ReferenceCountUtil.release(msg); // HttpContent of a request body, or LastHttpContent
        return;
      }
      try {
        if (req.decoderResult().isFailure()) {
          ctx.close();
          return;
        }
        boolean big = sixteenK(pathOf(req.uri()));
        ByteBuf body = (big ? SIXTEEN_K : TINY).duplicate();
        HttpHeaders headers = big ? SIXTEEN_K_HEADERS : TINY_HEADERS;
        boolean keepAlive = HttpUtil.isKeepAlive(req);
        if (!keepAlive) {
          headers = headers.copy().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        } else if (req.protocolVersion().equals(HttpVersion.HTTP_1_0)) {
          headers = headers.copy().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
        }
        FullHttpResponse res =
            new DefaultFullHttpResponse(
                HttpVersion.HTTP_1_1,
                HttpResponseStatus.OK,
                body,
                headers,
                EmptyHttpHeaders.INSTANCE);
        if (keepAlive) {
          ctx.write(res, ctx.voidPromise());
        } else {
          ctx.writeAndFlush(res).addListener(ChannelFutureListener.CLOSE);
        }
      } finally {
        ReferenceCountUtil.release(msg);
      }
    }

    private static String pathOf(String uri) {
      int q = uri.indexOf('?');
      return q < 0 ? uri : uri.substring(0, q);
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
      ctx.flush();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      ctx.close();
    }
  }

  /**
   * Answers each HTTP/2 stream when its HEADERS frame arrives; drops DATA frames and gives their
   * flow-control credit back. Thread-safety: one per channel, on its event loop.
   */
  static final class Http2Responder extends ChannelInboundHandlerAdapter {
    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      if (msg instanceof Http2HeadersFrame headers) {
        Http2FrameStream stream = headers.stream();
        CharSequence path = headers.headers().path();
        int q = path == null ? -1 : AsciiString.indexOf(path, '?', 0);
        boolean big = sixteenK(q < 0 ? path : path.subSequence(0, q));
        ByteBuf body = (big ? SIXTEEN_K : TINY).duplicate();
        Http2Headers response =
            new DefaultHttp2Headers()
                .status(STATUS_OK)
                .add(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.TEXT_PLAIN)
                .addInt(HttpHeaderNames.CONTENT_LENGTH, body.readableBytes());
        ctx.write(new DefaultHttp2HeadersFrame(response, false).stream(stream), ctx.voidPromise());
        ctx.write(new DefaultHttp2DataFrame(body, true).stream(stream), ctx.voidPromise());
      } else if (msg instanceof Http2DataFrame data) {
        int credit = data.initialFlowControlledBytes();
        Http2FrameStream stream = data.stream();
        data.release();
        if (credit > 0) {
          ctx.write(new DefaultHttp2WindowUpdateFrame(credit).stream(stream), ctx.voidPromise());
        }
      } else {
        ReferenceCountUtil.release(msg); // settings, pings, resets: the codec has handled them
      }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
      ctx.flush();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      ctx.close();
    }
  }
}
