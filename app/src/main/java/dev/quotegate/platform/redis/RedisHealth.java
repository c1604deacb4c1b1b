package dev.quotegate.platform.redis;

import java.time.Duration;
import java.util.Objects;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.ReactiveHealthIndicator;
import org.springframework.boot.health.contributor.Status;
import reactor.core.publisher.Mono;

/**
 * Health component {@code redis}: a PING on the shared connection, with the command timeout.
 *
 * <p>When Redis does not answer the component reports {@link #UNAVAILABLE}, not {@code DOWN}:
 * the gateway fails open (L1 and upstream keep serving), so losing Redis must not take the
 * instance out of a load balancer. {@code UNAVAILABLE} is deliberately absent from
 * {@code management.endpoint.health.status.order}, and Boot's status aggregation only weighs
 * the statuses listed there, so the overall status stays {@code UP} while this component shows
 * Redis as unreachable (see docs/caching.md, "Health").
 */
public final class RedisHealth implements ReactiveHealthIndicator {

  /** Redis unreachable, the gateway serving without it. Not part of the aggregate order. */
  public static final Status UNAVAILABLE =
      new Status("UNAVAILABLE", "Redis unreachable: serving from L1 and upstream (fail-open)");

  private final RedisConnections redis;

  public RedisHealth(RedisConnections redis) {
    this.redis = Objects.requireNonNull(redis, "redis");
  }

  @Override
  public Mono<Health> health() {
    return Mono.defer(
        () -> {
          long start = System.nanoTime();
          return redis
              .commands()
              .flatMap(c -> c.ping())
              .timeout(redis.commandTimeout().multipliedBy(4))
              .map(
                  pong ->
                      Health.up()
                          .withDetail("url", redis.safeUrl())
                          .withDetail("pingMs", Duration.ofNanos(System.nanoTime() - start).toMillis())
                          .withDetail("breaker", redis.breakerState())
                          .withDetail("mode", redis.cluster() ? "cluster" : "node")
                          .withDetail("masters", redis.cluster() ? redis.masters() : 1)
                          .build())
              .onErrorResume(
                  e ->
                      Mono.just(
                          Health.status(UNAVAILABLE)
                              .withDetail("url", redis.safeUrl())
                              .withDetail("error", RedisConnections.describe(e))
                              .withDetail("breaker", redis.breakerState())
                              .withDetail("failOpen", true)
                              .build()));
        });
  }
}
