package dev.quotegate.access;

import dev.quotegate.access.RateLimitProperties.Tier;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The configured API keys, known only by their SHA-256: a presented key is hashed and looked
 * up by its hash, so the keys themselves exist nowhere in the gateway's configuration or memory
 * beyond the request that carries one. (Looking a hash up in a map is not constant-time, but
 * what timing could reveal is how much of an attacker's own hash matches a stored one, which
 * says nothing about the stored key.)
 */
final class ApiKeys {

  private final Map<String, Client> byHash = new HashMap<>();
  private final List<String> ids;

  ApiKeys(SecurityProperties security, RateLimitProperties limits) {
    Tier d = limits.keyDefaults();
    for (SecurityProperties.ApiKey k : security.apiKeys()) {
      Client c = new Client("key:" + k.id(), k.id(),
          k.requestsPerSecond() != null ? k.requestsPerSecond() : d.requestsPerSecond(),
          k.burst() != null ? k.burst() : d.burst(),
          k.maxStreams() != null ? k.maxStreams() : d.maxStreams());
      if (!(c.requestsPerSecond() > 0) || c.burst() < 1 || c.maxStreams() < 0) {
        throw new IllegalArgumentException("quotegate.security.api-keys: key '" + k.id()
            + "' needs requests-per-second > 0, burst >= 1, max-streams >= 0");
      }
      byHash.put(k.sha256().toLowerCase(Locale.ROOT), c);
    }
    this.ids = security.apiKeys().stream().map(SecurityProperties.ApiKey::id).toList();
  }

  /** The client of {@code key}, or null when no configured key has its hash. */
  Client find(String key) {
    return byHash.get(sha256(key));
  }

  /** Ids of every configured key (the bounded set of metrics tags, with "anonymous"). */
  List<String> ids() {
    return ids;
  }

  static String sha256(String key) {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(digest);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every Java platform", e);
    }
  }
}
