package dev.quotegate.web;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ResponseStatusException;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;
import reactor.core.publisher.Mono;

/**
 * Guards {@code /api/v1/admin/**}: off (404) without a configured token, 401 without the
 * right bearer token. Compared in constant time.
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE + 10)
class AdminGuard implements WebFilter {

  static final String PREFIX = "/api/v1/admin/";

  private final AdminProperties props;
  private final byte[] expected;

  AdminGuard(AdminProperties props) {
    this.props = props;
    this.expected = props.enabled() ? ("Bearer " + props.token()).getBytes(StandardCharsets.UTF_8) : null;
  }

  @Override
  public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
    String path = exchange.getRequest().getPath().pathWithinApplication().value();
    if (!path.startsWith(PREFIX) && !path.equals("/api/v1/admin")) {
      return chain.filter(exchange);
    }
    if (!props.enabled()) {
      return Mono.error(new ResponseStatusException(HttpStatus.NOT_FOUND, "admin endpoints are off: set quotegate.admin.token"));
    }
    String auth = exchange.getRequest().getHeaders().getFirst(HttpHeaders.AUTHORIZATION);
    if (auth == null || !MessageDigest.isEqual(expected, auth.getBytes(StandardCharsets.UTF_8))) {
      exchange.getResponse().getHeaders().set(HttpHeaders.WWW_AUTHENTICATE, "Bearer realm=\"quotegate-admin\"");
      return Mono.error(new ResponseStatusException(HttpStatus.UNAUTHORIZED, "missing or wrong bearer token"));
    }
    return chain.filter(exchange);
  }
}
