package dev.quotegate.access;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.stereotype.Component;
import org.springframework.web.reactive.function.server.HandlerFilterFunction;
import org.springframework.web.reactive.function.server.HandlerFunction;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;
import org.springframework.web.server.ResponseStatusException;
import reactor.core.publisher.Mono;

/**
 * Authorises operator routes on the route the router matched, never on the raw path: every
 * admin route declares {@code .filter(adminAccess)}, so whatever spelling of a path the router
 * resolves to an admin handler ({@code ;x} matrix parameters, {@code %61dmin}, ...) passes
 * through this check first. Without a configured token the routes are off (404); without the
 * right bearer token, 401. Tokens are compared in constant time and never logged.
 *
 * <p>Meter: {@code quotegate.access.admin.refused{reason=off|token}}.
 */
@Component
public final class AdminAccess implements HandlerFilterFunction<ServerResponse, ServerResponse> {

  private final AdminProperties props;
  private final byte[] expected;
  private final Counter refusedOff;
  private final Counter refusedToken;

  AdminAccess(AdminProperties props, MeterRegistry registry) {
    this.props = props;
    this.expected = props.enabled() ? ("Bearer " + props.token()).getBytes(StandardCharsets.UTF_8) : null;
    this.refusedOff = refused(registry, "off");
    this.refusedToken = refused(registry, "token");
  }

  private static Counter refused(MeterRegistry registry, String reason) {
    return Counter.builder("quotegate.access.admin.refused")
        .description("Requests to operator routes refused: routes off, or a missing or wrong token")
        .tag("reason", reason)
        .register(registry);
  }

  @Override
  public Mono<ServerResponse> filter(ServerRequest request, HandlerFunction<ServerResponse> next) {
    if (!props.enabled()) {
      refusedOff.increment();
      return Mono.error(new ResponseStatusException(HttpStatus.NOT_FOUND, "admin endpoints are off: set quotegate.admin.token"));
    }
    if (!isAdmin(request.exchange().getRequest())) {
      refusedToken.increment();
      request.exchange().getResponse().getHeaders().set(HttpHeaders.WWW_AUTHENTICATE, "Bearer realm=\"quotegate-admin\"");
      return Mono.error(new ResponseStatusException(HttpStatus.UNAUTHORIZED, "missing or wrong bearer token"));
    }
    return next.handle(request);
  }

  /** Whether {@code request} carries the configured admin bearer token (false when none is configured). */
  public boolean isAdmin(ServerHttpRequest request) {
    if (expected == null) {
      return false;
    }
    String auth = request.getHeaders().getFirst(HttpHeaders.AUTHORIZATION);
    return auth != null && MessageDigest.isEqual(expected, auth.getBytes(StandardCharsets.UTF_8));
  }

  /** Whether admin routes are on (a token is configured). */
  public boolean enabled() {
    return props.enabled();
  }
}
