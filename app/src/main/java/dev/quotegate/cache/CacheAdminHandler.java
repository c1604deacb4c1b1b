package dev.quotegate.cache;

import dev.quotegate.platform.GatewayException;
import dev.quotegate.platform.redis.RedisConnections;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;
import org.springframework.http.MediaType;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;
import reactor.core.publisher.Mono;

/**
 * {@code GET /api/v1/admin/cache}: hit rates by tier and kind, sizes, lease counts and the Redis
 * state. {@code DELETE /api/v1/admin/cache?kind=quote&pattern=AAPL*[&tier=all|l1|l2]}: eviction
 * by id pattern. Both behind the admin guard ({@code quotegate.admin.token}).
 */
final class CacheAdminHandler {

  /** Ids and globs: the id alphabet plus {@code *} and {@code ?}, short. */
  private static final Pattern GLOB = Pattern.compile("[A-Za-z0-9._^=:/*?-]{1,64}");

  private final Caches caches;

  CacheAdminHandler(Caches caches) {
    this.caches = caches;
  }

  Mono<ServerResponse> stats(ServerRequest request) {
    return Mono.defer(
        () -> {
          Map<String, Object> body = new LinkedHashMap<>();
          RedisConnections redis = caches.redis();
          Map<String, Object> r = new LinkedHashMap<>();
          r.put("enabled", redis != null);
          if (redis != null) {
            r.put("url", redis.safeUrl());
            r.put("keyPrefix", redis.keyPrefix());
            r.put("connected", redis.isConnected());
            r.put("breaker", redis.breakerState());
          }
          body.put("redis", r);
          List<Map<String, Object>> kinds = new ArrayList<>();
          for (TieredCache<?> c : caches.all()) {
            TieredCache.Stats s = c.stats();
            Map<String, Object> k = new LinkedHashMap<>();
            k.put("kind", s.kind());
            Map<String, Object> l1 = new LinkedHashMap<>(s.l1());
            l1.put("hitRate", hitRate(s.l1()));
            l1.put("size", s.l1Size());
            l1.put("maxEntries", s.l1MaxEntries());
            k.put("l1", l1);
            if (s.l2Enabled()) {
              Map<String, Object> l2 = new LinkedHashMap<>(s.l2());
              l2.put("hitRate", hitRate(s.l2()));
              k.put("l2", l2);
              k.put("lease", s.lease());
            }
            k.put("revalidationsPending", s.revalidationsPending());
            kinds.add(k);
          }
          body.put("kinds", kinds);
          return ServerResponse.ok().contentType(MediaType.APPLICATION_JSON).bodyValue(body);
        });
  }

  /** Fresh hits over all look-ups; null before the first look-up. */
  private static Double hitRate(Map<String, Long> counts) {
    long total = 0;
    for (long v : counts.values()) {
      total += v;
    }
    if (total == 0) {
      return null;
    }
    return Math.round(counts.getOrDefault("fresh", 0L) * 10_000.0 / total) / 10_000.0;
  }

  Mono<ServerResponse> evict(ServerRequest request) {
    return Mono.defer(
        () -> {
          String kindTag = request.queryParam("kind").orElse(null);
          if (kindTag == null || kindTag.isBlank()) {
            throw new GatewayException.InvalidRequest("kind", "required: one of " + tags());
          }
          CacheKind kind = CacheKind.ofTag(kindTag.toLowerCase(Locale.ROOT));
          if (kind == null) {
            throw new GatewayException.InvalidRequest("kind", "unknown kind '" + kindTag + "': one of " + tags());
          }
          String pattern = request.queryParam("pattern").orElse(null);
          if (pattern == null || !GLOB.matcher(pattern).matches()) {
            throw new GatewayException.InvalidRequest(
                "pattern", "required: 1-64 characters of A-Z a-z 0-9 . _ ^ = : / - and the wildcards * ?");
          }
          String tierParam = request.queryParam("tier").orElse("all");
          TieredCache.Tier tier;
          try {
            tier = TieredCache.Tier.valueOf(tierParam.toUpperCase(Locale.ROOT));
          } catch (IllegalArgumentException e) {
            throw new GatewayException.InvalidRequest("tier", "one of all, l1, l2");
          }
          TieredCache<?> cache = caches.get(kind);
          if (cache == null) {
            throw new GatewayException.NotFound(kind.tag(), "no cache of kind " + kind.tag() + " in this gateway");
          }
          return cache
              .evict(pattern, tier)
              .flatMap(e -> ServerResponse.ok().contentType(MediaType.APPLICATION_JSON).bodyValue(e));
        });
  }

  private static String tags() {
    StringBuilder sb = new StringBuilder();
    for (CacheKind k : CacheKind.values()) {
      sb.append(sb.length() == 0 ? "" : ", ").append(k.tag());
    }
    return sb.toString();
  }
}
