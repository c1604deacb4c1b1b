package dev.quotegate.web;

import dev.quotegate.platform.GatewayException.InvalidRequest;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.List;
import java.util.Map;
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
 * <p>A query parameter given more than once ({@code ?symbols=A&symbols=B}) is refused too,
 * naming it: the API reads each parameter once, and silently taking the first would hide a
 * client's mistake.
 *
 * <p>Answer: 400 problem naming {@code path} or the parameter. Meters: {@code
 * quotegate.http.path.refused}, {@code quotegate.http.params.refused}.
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE)
class RequestGuard implements WebFilter {

  private final Counter refused;
  private final Counter duplicated;

  RequestGuard(MeterRegistry registry) {
    this.refused = Counter.builder("quotegate.http.path.refused")
        .description("Requests refused with 400 because their path had no single plain spelling")
        .register(registry);
    this.duplicated = Counter.builder("quotegate.http.params.refused")
        .description("Requests refused with 400 because a query parameter was given more than once")
        .register(registry);
  }

  @Override
  public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
    String reason = problem(exchange.getRequest().getURI().getRawPath());
    if (reason != null) {
      refused.increment();
      return Mono.error(new InvalidRequest("path", reason));
    }
    if (exchange.getRequest().getURI().getRawQuery() != null) {
      for (Map.Entry<String, List<String>> e : exchange.getRequest().getQueryParams().entrySet()) {
        if (e.getValue().size() > 1) {
          duplicated.increment();
          return Mono.error(new InvalidRequest(abbreviate(e.getKey()),
              "given " + e.getValue().size() + " times; give it once (lists are comma-separated)"));
        }
      }
    }
    return chain.filter(exchange);
  }

  private static String abbreviate(String name) {
    String clean = name.replaceAll("[\\p{Cntrl}\\p{Cf}]", "?");
    return clean.length() <= 64 ? clean : clean.substring(0, 64) + "...";
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

  /**
   * A constant name: the filter chain checkpoints each request with the filter's {@code
   * toString()}, and {@code Object}'s would build a new string per request, kept for as long as
   * the request lives (a stream's whole life).
   */
  @Override
  public String toString() {
    return "RequestGuard";
  }
}
