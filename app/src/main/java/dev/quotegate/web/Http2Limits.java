package dev.quotegate.web;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import org.springframework.boot.reactor.netty.NettyServerCustomizer;
import org.springframework.stereotype.Component;
import reactor.netty.http.server.HttpServer;

/**
 * Bounds the streams of each HTTP/2 client connection ({@code
 * quotegate.web.http2-max-concurrent-streams}): Reactor Netty advertises no limit by default,
 * so one connection could open any number of long-lived streams. The limit is a gauge.
 */
@Component
final class Http2Limits implements NettyServerCustomizer {

  private final int maxConcurrentStreams;

  Http2Limits(WebProperties props, MeterRegistry registry) {
    this.maxConcurrentStreams = props.http2MaxConcurrentStreams();
    Gauge.builder("quotegate.http2.streams.per.connection.limit", () -> maxConcurrentStreams)
        .description("Most concurrent streams one HTTP/2 client connection may open")
        .register(registry);
  }

  @Override
  public HttpServer apply(HttpServer server) {
    return server.http2Settings(s -> s.maxConcurrentStreams(maxConcurrentStreams));
  }
}
