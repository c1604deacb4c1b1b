package dev.quotegate.stream;

import dev.quotegate.platform.redis.RedisConnections;
import dev.quotegate.platform.redis.RedisConfiguration;
import io.micrometer.core.instrument.MeterRegistry;
import org.springframework.context.annotation.Conditional;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import tools.jackson.databind.json.JsonMapper;

/**
 * Cross-instance streams over Redis, on when {@code quotegate.redis.url} (env
 * {@code QUOTEGATE_REDIS_URL}) or {@code quotegate.redis.cluster-nodes} is set: the tick bus and
 * poll lease use the shared Lettuce client of {@link RedisConnections} (one client, one set of
 * I/O resources per instance; the cluster client on a cluster).
 */
@Configuration(proxyBeanMethods = false)
@Conditional(RedisConfiguration.Configured.class)
class StreamRedisConfiguration {

  @Bean
  RedisStreamBus redisStreamBus(RedisConnections redis, StreamProperties props, JsonMapper json, MeterRegistry registry) {
    return new RedisStreamBus(redis, props.redis(), json, registry);
  }
}
