package dev.quotegate.stream;

import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;
import tools.jackson.databind.json.JsonMapper;

/**
 * Cross-instance streams over Redis, on when {@code quotegate.redis.url} (env
 * {@code QUOTEGATE_REDIS_URL}) is set.
 *
 * <p>TEMPORARY (streams branch): the {@link RedisClient} bean below stands in for the shared
 * Lettuce client of the Redis cache tier, which is being built in parallel. At merge time
 * delete {@link #streamRedisClient} and let {@link #redisStreamBus} take the shared bean.
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnProperty(prefix = "quotegate.redis", name = "url")
class StreamRedisConfiguration {

  /** TEMPORARY: replace with the shared RedisClient bean at merge time. */
  @Bean(destroyMethod = "shutdown")
  RedisClient streamRedisClient(Environment env) {
    return RedisClient.create(RedisURI.create(env.getRequiredProperty("quotegate.redis.url")));
  }

  @Bean
  RedisStreamBus redisStreamBus(
      ObjectProvider<RedisClient> clients, Environment env, StreamProperties props, JsonMapper json) {
    RedisURI uri = RedisURI.create(env.getRequiredProperty("quotegate.redis.url"));
    return new RedisStreamBus(clients.getObject(), uri, props.redis(), json);
  }
}
