package dev.quotegate.stream;

import dev.quotegate.quote.QuoteJson;
import dev.quotegate.quote.QuoteService;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.RouterFunctions;
import org.springframework.web.reactive.function.server.ServerResponse;
import org.springframework.web.reactive.socket.server.support.HandshakeWebSocketService;
import reactor.core.scheduler.Schedulers;
import tools.jackson.databind.json.JsonMapper;

/** The streams feature: the hub, its bus (Redis when configured) and the routes. */
@Configuration(proxyBeanMethods = false)
class StreamConfiguration {

  @Bean
  StreamMeters streamMeters(StreamProperties props, MeterRegistry registry) {
    return new StreamMeters(registry, props.maxConnections());
  }

  @Bean
  QuoteStreamHub quoteStreamHub(
      QuoteService quotes,
      ObjectProvider<RedisStreamBus> redis,
      StreamProperties props,
      Clock clock,
      StreamMeters meters) {
    RedisStreamBus shared = redis.getIfAvailable();
    if (shared != null) {
      return new QuoteStreamHub(quotes, shared, shared, props, clock, Schedulers.parallel(), meters);
    }
    LocalTickBus local = new LocalTickBus();
    return new QuoteStreamHub(quotes, local, local, props, clock, Schedulers.parallel(), meters);
  }

  @Bean
  SlowConsumerWatch slowConsumerWatch(StreamProperties props, StreamMeters meters) {
    return new SlowConsumerWatch(props, meters, Schedulers.parallel());
  }

  @Bean
  RouterFunction<ServerResponse> streamRoutes(
      QuoteStreamHub hub, StreamProperties props, StreamMeters meters, Clock clock, JsonMapper json,
      QuoteJson quoteJson, SlowConsumerWatch watch) {
    StreamHandler handler = new StreamHandler(
        hub, props, meters, Schedulers.parallel(), clock, json, quoteJson, new HandshakeWebSocketService(), watch);
    return RouterFunctions.route()
        .GET("/api/v1/stream/quotes", handler::sse)
        .GET("/api/v1/stream/ws", handler::websocket)
        .build();
  }
}
