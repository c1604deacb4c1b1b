package dev.quotegate.web;

import dev.quotegate.platform.GatewayException;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.http.server.PathContainer;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;
import org.springframework.web.util.pattern.PathPattern;
import org.springframework.web.util.pattern.PathPatternParser;
import reactor.core.publisher.Mono;

/**
 * Sheds load at the edge: at most {@code maxInFlight} requests are in flight in this instance;
 * the next one gets a fast 503 problem with Retry-After instead of joining a queue that grows.
 * Health probes and streams ({@code excludedPaths}) are neither counted nor refused.
 *
 * <p>Meters: gauges {@code quotegate.http.inflight} and {@code quotegate.http.inflight.max},
 * counter {@code quotegate.http.shed}.
 */
@Component
// After access.CorsGuard (+1): a shed request's 503 carries the CORS headers a page needs to read it.
@Order(Ordered.HIGHEST_PRECEDENCE + 2)
class LoadShedder implements WebFilter {

  private final LoadSheddingProperties props;
  private final List<PathPattern> excluded;
  private final AtomicInteger inFlight = new AtomicInteger();
  private final Counter shed;

  LoadShedder(LoadSheddingProperties props, MeterRegistry registry) {
    this.props = props;
    this.excluded = props.excludedPaths().stream().map(PathPatternParser.defaultInstance::parse).toList();
    Gauge.builder("quotegate.http.inflight", inFlight, AtomicInteger::get)
        .description("Requests in flight, counted by the load shedder")
        .register(registry);
    Gauge.builder("quotegate.http.inflight.max", props, p -> p.enabled() ? p.maxInFlight() : 0)
        .description("Bound on requests in flight (0 = load shedding off)")
        .register(registry);
    this.shed =
        Counter.builder("quotegate.http.shed")
            .description("Requests refused with 503 because maxInFlight requests were in flight")
            .register(registry);
  }

  @Override
  public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
    if (!props.enabled() || isExcluded(exchange.getRequest().getPath().pathWithinApplication())) {
      return chain.filter(exchange);
    }
    if (inFlight.incrementAndGet() > props.maxInFlight()) {
      inFlight.decrementAndGet();
      shed.increment();
      return Mono.error(
          new GatewayException.Overloaded(
              "more than " + props.maxInFlight() + " requests in flight", props.retryAfter()));
    }
    AtomicBoolean released = new AtomicBoolean();
    return chain
        .filter(exchange)
        .doFinally(
            signal -> {
              if (released.compareAndSet(false, true)) {
                inFlight.decrementAndGet();
              }
            });
  }

  private boolean isExcluded(PathContainer path) {
    for (PathPattern p : excluded) {
      if (p.matches(path)) {
        return true;
      }
    }
    return false;
  }

  /** Requests in flight now. */
  int inFlight() {
    return inFlight.get();
  }

  /**
   * A constant name: the filter chain checkpoints each request with the filter's {@code
   * toString()}, and {@code Object}'s would build a new string per request, kept for as long as
   * the request lives (a stream's whole life).
   */
  @Override
  public String toString() {
    return "LoadShedder";
  }
}
