package dev.quotegate.access;

import jakarta.validation.constraints.NotNull;
import java.time.Duration;
import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * Cross-origin access for browser dashboards served from another origin (docs/api.md
 * "Authentication, limits, CORS, headers").
 *
 * @param allowedOrigins origins (scheme://host[:port]) whose pages may call the API and open its
 *     streams; empty (the default) = same origin only: any cross-origin request is refused with
 *     403. {@code *} admits every origin and is allowed only without credentials. Patterns such
 *     as {@code https://*.example.com} are accepted too (Spring's origin patterns)
 * @param allowedMethods methods a cross-origin page may use (answered to preflights)
 * @param allowedHeaders request headers a cross-origin page may send (answered to preflights)
 * @param exposedHeaders response headers a cross-origin page may read
 * @param allowCredentials whether browsers may send cookies or HTTP authentication along
 *     ({@code Access-Control-Allow-Credentials}); the API needs neither (keys travel in
 *     headers), so off; never together with {@code *}
 * @param maxAge how long a browser may cache a preflight answer ({@code Access-Control-Max-Age})
 */
@Validated
@ConfigurationProperties("quotegate.cors")
public record CorsProperties(
    @DefaultValue({}) @NotNull List<String> allowedOrigins,
    @DefaultValue({"GET", "HEAD", "POST", "OPTIONS"}) @NotNull List<String> allowedMethods,
    @DefaultValue({"Authorization", "X-API-Key", "Last-Event-ID", "If-None-Match", "Content-Type"})
        @NotNull List<String> allowedHeaders,
    @DefaultValue({"ETag", "Server-Timing", "RateLimit", "RateLimit-Policy", "Retry-After"})
        @NotNull List<String> exposedHeaders,
    @DefaultValue("false") boolean allowCredentials,
    @DefaultValue("1h") @NotNull Duration maxAge) {

  public CorsProperties {
    allowedOrigins = allowedOrigins == null ? List.of() : List.copyOf(allowedOrigins);
    if (allowCredentials && allowedOrigins.contains("*")) {
      throw new IllegalArgumentException(
          "quotegate.cors.allowed-origins=* is allowed only with quotegate.cors.allow-credentials=false");
    }
    for (String o : allowedOrigins) {
      if (o.isBlank() || (!o.equals("*") && !o.contains("://"))) {
        throw new IllegalArgumentException("quotegate.cors.allowed-origins: not an origin (scheme://host[:port]): '" + o + "'");
      }
      if (!o.equals("*") && o.endsWith("/")) {
        throw new IllegalArgumentException("quotegate.cors.allowed-origins: an origin has no path or trailing '/': '" + o + "'");
      }
    }
    if (maxAge != null && maxAge.isNegative()) {
      throw new IllegalArgumentException("quotegate.cors.max-age must not be negative: " + maxAge);
    }
  }
}
