package dev.quotegate.access;

import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpStatus;
import org.springframework.web.cors.CorsConfiguration;
import org.springframework.web.cors.reactive.CorsProcessor;
import org.springframework.web.cors.reactive.CorsUtils;
import org.springframework.web.cors.reactive.DefaultCorsProcessor;
import org.springframework.web.server.ResponseStatusException;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;
import reactor.core.publisher.Mono;

/**
 * CORS for every path, with Spring's {@link CorsConfiguration} and {@link DefaultCorsProcessor}
 * (what {@code CorsWebFilter} does), but a refused cross-origin request is not served at all:
 * it ends here with a 403 problem and no CORS headers, counted as {@code quotegate.cors.rejected}
 * ({@code CorsWebFilter} would leave the body to the handler and let the browser hide it).
 * Same-origin requests (an {@code Origin} equal to the request's own) pass untouched. Preflights
 * of allowed origins are answered here (200, allowed methods and headers, {@code max-age}).
 *
 * <p>Ordered right after the path guard, before the load shedder and every other filter, so
 * that the gateway's own refusals (401, 429, 503) carry the CORS headers an allowed page needs to
 * read them.
 */
@Order(Ordered.HIGHEST_PRECEDENCE + 1)
final class CorsGuard implements WebFilter {

  private final CorsConfiguration config;
  private final CorsProcessor processor = new DefaultCorsProcessor();
  private final AccessMeters meters;

  CorsGuard(CorsProperties props, AccessMeters meters) {
    this.meters = meters;
    CorsConfiguration c = new CorsConfiguration();
    c.setAllowedOriginPatterns(props.allowedOrigins());
    c.setAllowedMethods(props.allowedMethods());
    c.setAllowedHeaders(props.allowedHeaders());
    c.setExposedHeaders(props.exposedHeaders());
    c.setAllowCredentials(props.allowCredentials());
    c.setMaxAge(props.maxAge());
    this.config = c;
  }

  @Override
  public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
    if (!CorsUtils.isCorsRequest(exchange.getRequest())) {
      return chain.filter(exchange);
    }
    if (!processor.process(config, exchange)) {
      meters.corsRejected();
      return Mono.error(new ResponseStatusException(HttpStatus.FORBIDDEN,
          "cross-origin request refused: its origin, method or headers are not allowed (quotegate.cors.*)"));
    }
    return CorsUtils.isPreFlightRequest(exchange.getRequest()) ? Mono.empty() : chain.filter(exchange);
  }

  /**
   * A constant name: the filter chain checkpoints each request with the filter's {@code
   * toString()}, and {@code Object}'s would build a new string per request, kept for as long as
   * the request lives (a stream's whole life).
   */
  @Override
  public String toString() {
    return "CorsGuard";
  }
}
