package dev.quotegate.stream;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.handler.codec.http.HttpServerUpgradeHandler;
import io.netty.handler.codec.http2.Http2StreamChannel;
import java.util.NoSuchElementException;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.http.server.reactive.ServerHttpRequestDecorator;
import reactor.netty.Connection;
import reactor.netty.NettyInbound;

/**
 * The client connection's Netty channel behind a request: whether it can take more data
 * (its outbound buffer is under the high-water mark, for HTTP/2 the stream's flow-control
 * window is open), how many bytes wait unsent in Netty, and a way to close it. Outside
 * Reactor Netty (mock requests) it is always writable, holds nothing and closing does nothing.
 */
final class ChannelProbe {

  static final ChannelProbe NONE = new ChannelProbe(null);

  private final Channel channel;

  ChannelProbe(Channel channel) {
    this.channel = channel;
  }

  static ChannelProbe of(ServerHttpRequest request) {
    Object nativeRequest;
    try {
      nativeRequest = ServerHttpRequestDecorator.getNativeRequest(request);
    } catch (IllegalArgumentException e) {
      return NONE;
    }
    AtomicReference<Channel> channel = new AtomicReference<>();
    if (nativeRequest instanceof Connection c) {
      channel.set(c.channel());
    } else if (nativeRequest instanceof NettyInbound in) {
      in.withConnection(c -> channel.set(c.channel()));
    }
    Channel ch = channel.get();
    return ch == null ? NONE : new ChannelProbe(ch);
  }

  /** The channel's event loop (an HTTP/2 stream's is its connection's), or null outside Netty. */
  Executor eventLoop() {
    return channel == null ? null : channel.eventLoop();
  }

  /**
   * Flushes what was written to the channel, when called on its event loop (elsewhere nothing:
   * the write's own flush follows). Reactor Netty flushes a write made on the loop in a task of
   * its own, queued behind whatever else the loop has to do.
   */
  Runnable flusher() {
    if (channel == null) {
      return () -> {};
    }
    return () -> {
      if (channel.eventLoop().inEventLoop()) {
        channel.flush();
      }
    };
  }

  BooleanSupplier writable() {
    return channel == null ? () -> true : channel::isWritable;
  }

  boolean isWritable() {
    return channel == null || channel.isWritable();
  }

  boolean isOpen() {
    return channel == null || channel.isActive();
  }

  /** Bytes written to Netty and not yet to the socket (0 where Netty does not keep them). */
  long unsent() {
    if (channel == null) {
      return 0;
    }
    ChannelOutboundBuffer out = channel.unsafe().outboundBuffer();
    return out == null ? 0 : out.totalPendingWriteBytes();
  }

  Runnable abort() {
    return channel == null ? () -> {} : channel::close;
  }

  /**
   * Bounds what the connection can hold for a client that does not read: Netty's water
   * marks and, on an HTTP/1.1 connection (not a stream of a shared HTTP/2 connection), the
   * socket's SO_SNDBUF ({@code sendBuffer} 0 keeps the kernel's autotuning). An HTTP/1.1
   * connection also lets go of its h2c upgrade handler: Reactor Netty gives every one an
   * HTTP/2 codec, ready for an {@code Upgrade: h2c}, with its HPACK tables (about 4.6 KB in
   * all, held for the stream's whole life), and a connection answering a stream upgrades no
   * more (after the stream its requests are answered over HTTP/1.1: a server may ignore
   * {@code Upgrade}, RFC 9110 section 7.8).
   */
  void bound(int sendBuffer, int low, int high) {
    if (channel == null) {
      return;
    }
    channel.config().setWriteBufferWaterMark(new WriteBufferWaterMark(low, high));
    if (channel instanceof Http2StreamChannel) {
      return;
    }
    if (sendBuffer > 0) {
      channel.config().setOption(ChannelOption.SO_SNDBUF, sendBuffer);
    }
    ChannelHandler upgrade = channel.pipeline().get(HttpServerUpgradeHandler.class);
    if (upgrade != null) {
      try {
        channel.pipeline().remove(upgrade);
      } catch (NoSuchElementException raced) {
        // already gone
      }
    }
  }

  /** Whether the connection still carries an h2c upgrade handler (false outside Netty). */
  boolean upgradable() {
    return channel != null && channel.pipeline().get(HttpServerUpgradeHandler.class) != null;
  }

  /** The socket's SO_SNDBUF as the kernel reports it (null where there is none). */
  Integer sendBuffer() {
    return channel == null || channel instanceof Http2StreamChannel ? null : channel.config().getOption(ChannelOption.SO_SNDBUF);
  }
}
