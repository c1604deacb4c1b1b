package dev.quotegate.web;

import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpMethod;
import org.springframework.stereotype.Component;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;
import reactor.core.publisher.Mono;

/**
 * {@code HEAD} on every {@code GET} route: the request goes on as a {@code GET}, so it gets the
 * same route, validation, status and headers, and the server's HEAD response decorator (Reactor
 * Netty adapter, before any filter) drops the body, setting {@code Content-Length} from it.
 * Functional routes match the method exactly, so without this a HEAD was a 404.
 *
 * <p>A handler whose GET has effects beyond its answer (a stream that admits a connection and
 * subscribes to feeds) asks {@link #isHead} and answers the headers alone.
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE + 2)
public final class HeadRequests implements WebFilter {

  private static final String ATTRIBUTE = HeadRequests.class.getName() + ".head";

  HeadRequests() {}

  /** Whether {@code request} came as a HEAD (it reads as a GET). */
  public static boolean isHead(ServerRequest request) {
    return request.attribute(ATTRIBUTE).isPresent();
  }

  /** The same, for filters and handlers that hold the exchange. */
  public static boolean isHead(ServerWebExchange exchange) {
    return exchange.getAttribute(ATTRIBUTE) != null;
  }

  @Override
  public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
    if (exchange.getRequest().getMethod() != HttpMethod.HEAD) {
      return chain.filter(exchange);
    }
    exchange.getAttributes().put(ATTRIBUTE, Boolean.TRUE);
    return chain.filter(exchange.mutate().request(r -> r.method(HttpMethod.GET)).build());
  }

  /**
   * A constant name: the filter chain checkpoints each request with the filter's {@code
   * toString()}, and {@code Object}'s would build a new string per request, kept for as long as
   * the request lives (a stream's whole life).
   */
  @Override
  public String toString() {
    return "HeadRequests";
  }
}
