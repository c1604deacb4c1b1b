package dev.quotegate.access;

import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * Client identity: API keys and the anonymous tier (docs/api.md "Authentication, limits, CORS,
 * headers").
 *
 * @param requireApiKey whether every API request must carry a valid key; false (the default, for
 *     the embedded set-up): requests without a key are served in the anonymous tier, limited per
 *     client IP. A key that is sent but unknown is refused (401) either way
 * @param apiKeys the keys, each stored only as the SHA-256 of the key (hex); the key itself is
 *     never configured, logged or counted, only its id
 * @param queryKey whether {@code GET /api/v1/stream/quotes} (and only that route) accepts the key
 *     as the query parameter {@code api_key}, for browsers' EventSource, which cannot send
 *     headers
 * @param maxKeyLength longest key accepted (longer: 401 without hashing it)
 */
@Validated
@ConfigurationProperties("quotegate.security")
public record SecurityProperties(
    @DefaultValue("false") boolean requireApiKey,
    @DefaultValue({}) @NotNull List<@Valid ApiKey> apiKeys,
    @DefaultValue("true") boolean queryKey,
    @DefaultValue("256") @Min(16) @Max(4096) int maxKeyLength) {

  private static final Pattern ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");
  private static final Pattern SHA256 = Pattern.compile("[0-9a-fA-F]{64}");

  public SecurityProperties {
    apiKeys = apiKeys == null ? List.of() : List.copyOf(apiKeys);
    Set<String> ids = new HashSet<>();
    Set<String> hashes = new HashSet<>();
    for (int i = 0; i < apiKeys.size(); i++) {
      ApiKey k = apiKeys.get(i);
      String at = "quotegate.security.api-keys[" + i + "]";
      if (k.id() == null || !ID.matcher(k.id()).matches() || k.id().equals(Client.ANONYMOUS)
          || k.id().equals(Client.OPERATOR)) {
        throw new IllegalArgumentException(at + ".id: 1-64 of A-Z a-z 0-9 . _ -, not 'anonymous' or 'admin'");
      }
      if (k.sha256() == null || !SHA256.matcher(k.sha256()).matches()) {
        throw new IllegalArgumentException(at + ".sha256: the SHA-256 of the key as 64 hex digits "
            + "(printf %s \"$KEY\" | sha256sum)");
      }
      if (!ids.add(k.id())) {
        throw new IllegalArgumentException(at + ".id: '" + k.id() + "' given twice");
      }
      if (!hashes.add(k.sha256().toLowerCase(Locale.ROOT))) {
        throw new IllegalArgumentException(at + ".sha256: the same key as another entry");
      }
    }
  }

  /**
   * One API key.
   *
   * @param id name of the key in logs, metrics and RateLimit headers (never the key)
   * @param sha256 SHA-256 of the key, 64 hex digits
   * @param requestsPerSecond refill rate of its bucket, tokens per second; unset: {@code
   *     quotegate.rate-limit.key-defaults.requests-per-second}
   * @param burst size of its bucket; unset: {@code quotegate.rate-limit.key-defaults.burst}
   * @param maxStreams most concurrent streams per instance; unset: {@code
   *     quotegate.rate-limit.key-defaults.max-streams}
   */
  public record ApiKey(String id, String sha256, Double requestsPerSecond, Integer burst, Integer maxStreams) {
    @Override
    public String toString() {
      return "ApiKey[id=" + id + "]";
    }
  }
}
