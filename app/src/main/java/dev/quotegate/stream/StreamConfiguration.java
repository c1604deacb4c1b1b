package dev.quotegate.stream;

import dev.quotegate.quote.QuoteJson;
import dev.quotegate.quote.QuoteService;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.observation.ObservationPredicate;
import java.time.Clock;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.server.reactive.observation.ServerRequestObservationContext;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.RouterFunctions;
import org.springframework.web.reactive.function.server.ServerResponse;
import org.springframework.web.reactive.socket.server.support.HandshakeWebSocketService;
import reactor.core.scheduler.Schedulers;
import tools.jackson.databind.json.JsonMapper;

/** The streams feature: the hub, its bus (Redis when configured) and the routes. */
@Configuration(proxyBeanMethods = false)
class StreamConfiguration {

  static final String STREAM_PATHS = "/api/v1/stream/";

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

  /**
   * Stream connections are not observed as requests ({@code http.server.requests}): a
   * stream's duration is its lifetime, not a latency, and the observation's state (context
   * maps, key values, timer sample) was held for the whole life of every connection (about a
   * kilobyte each). Streams have their own meters ({@code quotegate.stream.*}).
   */
  @Bean
  ObservationPredicate streamRequestsNotObserved() {
    return (name, context) -> !(context instanceof ServerRequestObservationContext request
        && request.getCarrier().getPath().pathWithinApplication().value().startsWith(STREAM_PATHS));
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
