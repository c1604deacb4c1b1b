package dev.quotegate.stream;

import dev.quotegate.platform.redis.RedisConnections;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import tools.jackson.databind.json.JsonMapper;

/**
 * Cross-instance streams over Redis, on when {@code quotegate.redis.url} (env
 * {@code QUOTEGATE_REDIS_URL}) is set: the tick bus and poll lease use the shared Lettuce
 * client of {@link RedisConnections} (one client, one set of I/O resources per instance).
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnProperty(prefix = "quotegate.redis", name = "url")
class StreamRedisConfiguration {

  @Bean
  RedisStreamBus redisStreamBus(RedisConnections redis, StreamProperties props, JsonMapper json) {
    return new RedisStreamBus(redis.client(), redis.uri(), props.redis(), json);
  }
}
