package dev.quotegate.access;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Operator access: the routes under {@code /api/v1/admin/**}, health details and, optionally,
 * Prometheus.
 *
 * @param token bearer token operators send as {@code Authorization: Bearer <token>}; without
 *     one the admin routes are off (404) and health details are shown to nobody. Never logged.
 * @param protectPrometheus whether {@code /actuator/prometheus} needs the token too (for a
 *     scraper configured with it); off by default, as the metrics hold no secrets
 */
@ConfigurationProperties("quotegate.admin")
public record AdminProperties(String token, @DefaultValue("false") boolean protectPrometheus) {

  public boolean enabled() {
    return token != null && !token.isBlank();
  }

  @Override
  public String toString() {
    return "AdminProperties[token=" + (enabled() ? "****" : "unset") + ", protectPrometheus=" + protectPrometheus + "]";
  }
}
