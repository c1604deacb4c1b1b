package dev.quotegate.platform.redis;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.Delay;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.SmartLifecycle;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import reactor.core.Disposable;

/**
 * Redis for every feature that needs it, made only when {@code quotegate.redis.url} is set:
 * {@link ClientResources}, {@link RedisClient}, {@link RedisConnections} and the {@code redis}
 * health component. Beans that need Redis inject {@code ObjectProvider<RedisConnections>} (or
 * {@code Optional}) and run without it when it is absent.
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnProperty(prefix = "quotegate.redis", name = "url")
public class RedisConfiguration {

  private static final Logger log = LoggerFactory.getLogger(RedisConfiguration.class);

  @Bean(destroyMethod = "shutdown")
  ClientResources redisClientResources(RedisProperties props) {
    // Reconnect quickly (100 ms doubling up to reconnectDelayMax): the cache tier resumes
    // by itself as soon as Redis is back.
    return ClientResources.builder()
        .reconnectDelay(Delay.exponential(Duration.ofMillis(100), props.reconnectDelayMax(), 2, java.util.concurrent.TimeUnit.MILLISECONDS))
        .build();
  }

  @Bean(destroyMethod = "shutdown")
  RedisClient redisClient(ClientResources resources, RedisProperties props) {
    RedisURI uri = redisUri(props);
    RedisClient client = RedisClient.create(resources, uri);
    client.setOptions(clientOptions(props));
    log.info("redis: {} (key prefix '{}')", props.safeUrl(), props.keyPrefix());
    return client;
  }

  /** The options every gateway connection uses (public: tests build clients with them too). */
  public static ClientOptions clientOptions(RedisProperties props) {
    return ClientOptions.builder()
        .autoReconnect(true)
        // While disconnected, fail commands at once (callers fail open) instead of
        // buffering them until Redis returns.
        .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
        .requestQueueSize(props.requestQueueSize())
        .socketOptions(SocketOptions.builder().connectTimeout(props.connectTimeout()).keepAlive(true).build())
        // Lettuce's own timeout frees the queue of commands nobody waits for any more.
        .timeoutOptions(TimeoutOptions.enabled(props.commandTimeout().multipliedBy(4)))
        // Results are emitted on the I/O thread (Lettuce's default); RedisConnections.call moves
        // the continuation to Reactor's parallel workers at once.
        .publishOnScheduler(false)
        .build();
  }

  static RedisURI redisUri(RedisProperties props) {
    RedisURI uri = RedisURI.create(props.url());
    uri.setTimeout(props.commandTimeout().multipliedBy(4));
    return uri;
  }

  @Bean(destroyMethod = "close")
  RedisConnections redisConnections(RedisClient client, RedisProperties props, MeterRegistry registry) {
    return new RedisConnections(client, redisUri(props), props, registry);
  }

  /** Health component {@code redis}. */
  @Bean
  RedisHealth redisHealthIndicator(RedisConnections redis) {
    return new RedisHealth(redis);
  }

  /** Connects at start, so the first request does not pay for it; failures only logged. */
  @Bean
  SmartLifecycle redisWarmUp(RedisConnections redis) {
    return new SmartLifecycle() {
      private volatile Disposable warmUp;

      @Override
      public void start() {
        warmUp = redis.warmUp().subscribe(v -> {}, e -> {});
      }

      @Override
      public void stop() {
        Disposable d = warmUp;
        if (d != null) {
          d.dispose();
        }
        warmUp = null;
      }

      @Override
      public boolean isRunning() {
        return warmUp != null;
      }
    };
  }
}
