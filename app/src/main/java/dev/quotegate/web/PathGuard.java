package dev.quotegate.web;

import dev.quotegate.platform.GatewayException.InvalidRequest;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;
import reactor.core.publisher.Mono;

/**
 * Refuses request paths that do not have one plain spelling, before any other filter or the
 * router sees them: matrix parameters ({@code ;...}, which the router drops before matching),
 * empty and dot segments ({@code //}, {@code /./}, {@code /../}), backslashes, control
 * characters and percent-encoded separators, dots, percent signs or controls ({@code %2F},
 * {@code %5C}, {@code %3B}, {@code %2E}, {@code %25}, {@code %00}-{@code %1F}). The API uses
 * none of them, so every filter that reads the path and the router agree on what was asked.
 * Authorisation does not rely on this (it is decided on the matched route, see {@code
 * access.AdminAccess}); this is the second wall.
 *
 * <p>Answer: 400 problem naming {@code path}. Meter: {@code quotegate.http.path.refused}.
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE)
class PathGuard implements WebFilter {

  private final Counter refused;

  PathGuard(MeterRegistry registry) {
    this.refused = Counter.builder("quotegate.http.path.refused")
        .description("Requests refused with 400 because their path had no single plain spelling")
        .register(registry);
  }

  @Override
  public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
    String reason = problem(exchange.getRequest().getURI().getRawPath());
    if (reason != null) {
      refused.increment();
      return Mono.error(new InvalidRequest("path", reason));
    }
    return chain.filter(exchange);
  }

  /** Why {@code raw} (the encoded path) is refused, or null when it is plain. */
  static String problem(String raw) {
    if (raw == null || raw.isEmpty()) {
      return null;
    }
    int n = raw.length();
    int segmentStart = 0;
    for (int i = 0; i <= n; i++) {
      char c = i < n ? raw.charAt(i) : '/';
      if (c == '/') {
        if (i > 0) {
          String seg = raw.substring(segmentStart, i);
          if (seg.isEmpty() && i < n) {
            return "empty path segment ('//') is not accepted";
          }
          if (seg.equals(".") || seg.equals("..")) {
            return "dot segment ('" + seg + "') is not accepted";
          }
        }
        segmentStart = i + 1;
      } else if (c == ';') {
        return "matrix parameters (';') are not accepted";
      } else if (c == '\\') {
        return "backslash is not accepted";
      } else if (c < 0x20 || c == 0x7f) {
        return "control characters are not accepted";
      } else if (c == '%') {
        if (i + 2 >= n) {
          return "broken percent-encoding";
        }
        int hi = Character.digit(raw.charAt(i + 1), 16);
        int lo = Character.digit(raw.charAt(i + 2), 16);
        if (hi < 0 || lo < 0) {
          return "broken percent-encoding";
        }
        int b = hi * 16 + lo;
        if (b == '/' || b == '\\' || b == ';' || b == '.' || b == '%' || b < 0x20 || b == 0x7f) {
          return "percent-encoded '" + (b < 0x20 || b == 0x7f ? "control character" : String.valueOf((char) b))
              + "' is not accepted";
        }
        i += 2;
      }
    }
    return null;
  }
}
