package dev.quotegate.access;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.quotegate.access.RateLimitProperties.OnRedisFailure;
import dev.quotegate.platform.GatewayException;
import dev.quotegate.platform.redis.RedisConnections;
import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.ScriptOutputType;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;

/**
 * The per-client token buckets. With Redis, one bucket per client for the whole cluster: one
 * {@code EVALSHA} of {@link #SCRIPT} per request on the shared Lettuce connection, the bucket a
 * hash {@code <prefix>:rl:{<client id>}} (one key per call, hash-tagged: Redis Cluster routes
 * it like any other key), refilled by Redis' own clock ({@code TIME}), so instances' clocks do
 * not matter. Without Redis, an in-process bucket per client in this instance.
 *
 * <p>When Redis fails (down, slow, its breaker open) the request is decided as {@code
 * quotegate.rate-limit.on-redis-failure} says: by default in-process buckets with the same
 * limits (fail-open within limits: serving is worth more than exactness while Redis is down, and
 * each instance still bounds every client). The first failure of an outage is logged at WARN (at
 * most once a minute while Redis flaps), the recovery at INFO, and every request decided so is
 * counted ({@code quotegate.ratelimit.fallback}).
 */
final class ClientRateLimiter {

  private static final Logger log = LoggerFactory.getLogger(ClientRateLimiter.class);

  /**
   * KEYS[1] the bucket; ARGV rate (tokens/s), burst, cost. Answers {allowed 0|1, whole tokens
   * left, milliseconds until the cost is there}. The bucket expires once it would be full again.
   */
  static final String SCRIPT = """
      local rate = tonumber(ARGV[1])
      local burst = tonumber(ARGV[2])
      local cost = tonumber(ARGV[3])
      local t = redis.call('TIME')
      local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
      local b = redis.call('HMGET', KEYS[1], 'tokens', 'ts')
      local tokens = tonumber(b[1])
      local ts = tonumber(b[2])
      if tokens == nil or ts == nil then
        tokens = burst
        ts = now
      end
      if now > ts then
        tokens = math.min(burst, tokens + (now - ts) * rate / 1000)
        ts = now
      end
      local allowed = 0
      local wait = 0
      if tokens >= cost then
        tokens = tokens - cost
        allowed = 1
      else
        wait = math.ceil((cost - tokens) * 1000 / rate)
      end
      redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'ts', tostring(ts))
      redis.call('PEXPIRE', KEYS[1], math.ceil(burst * 1000 / rate) + 1000)
      return {allowed, math.floor(tokens), wait}
      """;

  private final RateLimitProperties props;
  private final RedisConnections redis;
  private final AccessMeters meters;
  private final LongSupplier nanos;
  private final String digest;
  private final Cache<String, TokenBucket> local;
  private final AtomicBoolean redisFailing = new AtomicBoolean();
  private final AtomicLong nextWarn;
  private static final Duration WARN_EVERY = Duration.ofMinutes(1);

  ClientRateLimiter(RateLimitProperties props, RedisConnections redis, AccessMeters meters, MeterRegistry registry,
      LongSupplier nanos) {
    this.props = props;
    this.redis = redis;
    this.meters = meters;
    this.nanos = nanos;
    this.digest = sha1(SCRIPT);
    this.nextWarn = new AtomicLong(nanos.getAsLong());
    this.local = Caffeine.newBuilder()
        .maximumSize(props.localMaxClients())
        .expireAfterAccess(props.localIdle())
        .executor(Runnable::run)
        .build();
    Gauge.builder("quotegate.ratelimit.local.buckets", local, Cache::estimatedSize)
        .description("Clients with an in-process token bucket in this instance")
        .register(registry);
    Gauge.builder("quotegate.ratelimit.local.buckets.max", props, RateLimitProperties::localMaxClients)
        .description("Bound on clients with an in-process token bucket")
        .register(registry);
  }

  /** Takes {@code cost} tokens from {@code client}'s bucket. Never fails: Redis failures are decided here. */
  Mono<RateDecision> acquire(Client client, int cost) {
    if (redis == null) {
      return Mono.fromSupplier(() -> takeLocal(client, cost));
    }
    String key = redis.key("rl", "{" + client.id() + "}");
    byte[][] args = {ascii(Double.toString(client.requestsPerSecond())), ascii(Integer.toString(client.burst())),
        ascii(Integer.toString(cost))};
    String[] keys = {key};
    return redis.<List<Object>>call("ratelimit", c -> c.<Object>evalsha(digest, ScriptOutputType.MULTI, keys, args)
            // After a Redis restart the script cache is empty: EVAL loads it (once per restart).
            .onErrorResume(RedisNoScriptException.class, e -> c.<Object>eval(SCRIPT, ScriptOutputType.MULTI, keys, args))
            .collectList())
        .map(ClientRateLimiter::decode)
        .doOnNext(d -> {
          if (redisFailing.compareAndSet(true, false)) {
            log.info("rate limits: Redis answers again; buckets shared by every instance again");
          }
        })
        .onErrorResume(e -> Mono.fromSupplier(() -> onRedisFailure(client, cost, e)));
  }

  private RateDecision onRedisFailure(Client client, int cost, Throwable e) {
    OnRedisFailure mode = props.onRedisFailure();
    if (redisFailing.compareAndSet(false, true)) {
      // Once per outage, and at most once a minute while Redis flaps: the counter has the rest.
      long now = nanos.getAsLong();
      long next = nextWarn.get();
      if (now - next >= 0 && nextWarn.compareAndSet(next, now + WARN_EVERY.toNanos())) {
        log.warn("rate limits: Redis failed ({}); deciding by {} until it answers again (quotegate.rate-limit.on-redis-failure)",
            e.getMessage(), mode.name().toLowerCase());
      } else {
        log.debug("rate limits: Redis failed again ({})", e.getMessage());
      }
    }
    meters.fallback(mode);
    return switch (mode) {
      case LOCAL -> takeLocal(client, cost);
      case ALLOW -> RateDecision.UNLIMITED;
      case REFUSE -> throw new GatewayException.Overloaded("rate limits cannot be checked: Redis is unavailable",
          Duration.ofSeconds(5));
    };
  }

  private RateDecision takeLocal(Client client, int cost) {
    long now = nanos.getAsLong();
    TokenBucket bucket = local.get(client.id(), id -> new TokenBucket(client.requestsPerSecond(), client.burst(), now));
    RateDecision d = bucket.take(cost, now);
    return new RateDecision(d.allowed(), d.remaining(), d.waitMillis(), true);
  }

  /** Whether the last Redis call failed (requests decided by the fallback). */
  boolean redisFailing() {
    return redisFailing.get();
  }

  static RateDecision decode(List<Object> reply) {
    List<?> r = reply;
    if (r.size() == 1 && r.get(0) instanceof List<?> inner) {
      r = inner;
    }
    if (r.size() != 3) {
      throw new IllegalStateException("unexpected rate-limit script reply of " + r.size() + " elements");
    }
    return new RateDecision(number(r.get(0)) == 1, number(r.get(1)), number(r.get(2)), false);
  }

  private static long number(Object o) {
    if (o instanceof Number n) {
      return n.longValue();
    }
    if (o instanceof byte[] b) {
      return Long.parseLong(new String(b, StandardCharsets.US_ASCII));
    }
    throw new IllegalStateException("unexpected rate-limit script reply element " + o);
  }

  private static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }

  private static String sha1(String script) {
    try {
      return java.util.HexFormat.of().formatHex(
          java.security.MessageDigest.getInstance("SHA-1").digest(script.getBytes(StandardCharsets.UTF_8)));
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
