package dev.quotegate.cache;

import dev.quotegate.access.AdminAccess;
import dev.quotegate.platform.redis.RedisConnections;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.RouterFunctions;
import org.springframework.web.reactive.function.server.ServerResponse;

/** The cache tiers: the {@link Caches} factory (with Redis when configured) and the admin routes. */
@Configuration(proxyBeanMethods = false)
class CacheConfiguration {

  @Bean
  Caches caches(
      CacheProperties props, ObjectProvider<RedisConnections> redis, Clock clock, MeterRegistry registry) {
    return new Caches(props, redis.getIfAvailable(), clock, registry);
  }

  @Bean
  RouterFunction<ServerResponse> cacheAdminRoutes(Caches caches, AdminAccess admin) {
    CacheAdminHandler handler = new CacheAdminHandler(caches);
    return RouterFunctions.route()
        .GET("/api/v1/admin/cache", handler::stats)
        .DELETE("/api/v1/admin/cache", handler::evict)
        .filter(admin) // authorised on the matched route
        .build();
  }
}
