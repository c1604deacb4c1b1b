package dev.quotegate.access;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Operator endpoints under {@code /api/v1/admin/**}.
 *
 * @param token bearer token operators send as {@code Authorization: Bearer <token>}; without
 *     one the admin endpoints are off (404). Never logged.
 */
@ConfigurationProperties("quotegate.admin")
public record AdminProperties(String token) {

  public boolean enabled() {
    return token != null && !token.isBlank();
  }

  @Override
  public String toString() {
    return "AdminProperties[token=" + (enabled() ? "****" : "unset") + "]";
  }
}
