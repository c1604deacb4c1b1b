package dev.quotegate.stream;

import io.netty.channel.Channel;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.http.server.reactive.ServerHttpRequestDecorator;
import reactor.netty.Connection;
import reactor.netty.NettyInbound;

/**
 * The client connection's Netty channel behind a request: whether it can take more data
 * (its outbound buffer is under the high-water mark, for HTTP/2 the stream's flow-control
 * window is open) and a way to close it. Outside Reactor Netty (mock requests) it is always
 * writable and closing does nothing.
 */
record ChannelProbe(BooleanSupplier writable, Runnable abort) {

  static final ChannelProbe NONE = new ChannelProbe(() -> true, () -> {});

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
    if (ch == null) {
      return NONE;
    }
    return new ChannelProbe(ch::isWritable, () -> ch.close());
  }
}
