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
import io.lettuce.core.cluster.ClusterClientOptions;
import io.lettuce.core.cluster.ClusterTopologyRefreshOptions;
import io.lettuce.core.cluster.RedisClusterClient;
import java.util.ArrayList;
import java.util.List;
import org.springframework.context.annotation.Condition;
import org.springframework.context.annotation.ConditionContext;
import org.springframework.context.annotation.Conditional;
import org.springframework.core.env.Environment;
import org.springframework.core.type.AnnotatedTypeMetadata;
import org.springframework.context.SmartLifecycle;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import reactor.core.Disposable;

/**
 * Redis for every feature that needs it, made only when {@code quotegate.redis.url} or
 * {@code quotegate.redis.cluster-nodes} is set: {@link ClientResources}, a {@link RedisClient}
 * (one node) or {@link RedisClusterClient} (cluster) inside {@link RedisConnections}, and the
 * {@code redis} health component. Beans that need Redis inject {@code ObjectProvider<RedisConnections>} (or
 * {@code Optional}) and run without it when it is absent.
 */
@Configuration(proxyBeanMethods = false)
@Conditional(RedisConfiguration.Configured.class)
public class RedisConfiguration {

  /**
   * Matches when {@code quotegate.redis.url} or {@code quotegate.redis.cluster-nodes} is set
   * (not blank): the condition of every Redis-backed bean.
   */
  public static final class Configured implements Condition {
    @Override
    public boolean matches(ConditionContext context, AnnotatedTypeMetadata metadata) {
      Environment env = context.getEnvironment();
      return hasText(env.getProperty("quotegate.redis.url")) || hasText(env.getProperty("quotegate.redis.cluster-nodes"));
    }

    private static boolean hasText(String s) {
      return s != null && !s.isBlank();
    }
  }

  private static final Logger log = LoggerFactory.getLogger(RedisConfiguration.class);

  @Bean(destroyMethod = "shutdown")
  ClientResources redisClientResources(RedisProperties props) {
    // Reconnect quickly (100 ms doubling up to reconnectDelayMax): the cache tier resumes
    // by itself as soon as Redis is back.
    return ClientResources.builder()
        .reconnectDelay(Delay.exponential(Duration.ofMillis(100), props.reconnectDelayMax(), 2, java.util.concurrent.TimeUnit.MILLISECONDS))
        .build();
  }

  @Bean(destroyMethod = "close")
  RedisConnections redisConnections(ClientResources resources, RedisProperties props, MeterRegistry registry) {
    if (props.cluster()) {
      RedisClusterClient cluster = RedisClusterClient.create(resources, clusterUris(props));
      cluster.setOptions(clusterOptions(props));
      log.info("redis: cluster {} (key prefix '{}', topology refresh {} and adaptive)", props.safeUrl(),
          props.keyPrefix(), props.topologyRefresh());
      return new RedisConnections(cluster, props, registry).closingClient();
    }
    RedisURI uri = redisUri(props);
    RedisClient client = RedisClient.create(resources, uri);
    client.setOptions(clientOptions(props));
    log.info("redis: {} (key prefix '{}')", props.safeUrl(), props.keyPrefix());
    return new RedisConnections(client, uri, props, registry).closingClient();
  }

  /**
   * The cluster client's options: those of a single node, plus topology refresh, periodic
   * ({@code topology-refresh}) and adaptive (MOVED/ASK redirects, lost connections: a failover
   * is seen within a round trip or two rather than a period).
   */
  public static ClusterClientOptions clusterOptions(RedisProperties props) {
    return ClusterClientOptions.builder(clientOptions(props))
        .topologyRefreshOptions(
            ClusterTopologyRefreshOptions.builder()
                .enablePeriodicRefresh(props.topologyRefresh())
                .enableAllAdaptiveRefreshTriggers()
                .adaptiveRefreshTriggersTimeout(Duration.ofMillis(500))
                .dynamicRefreshSources(true)
                .closeStaleConnections(true)
                .build())
        .build();
  }

  /** One URI per seed node, with the credentials and TLS of {@code url} when it is set. */
  static List<RedisURI> clusterUris(RedisProperties props) {
    List<RedisURI> out = new ArrayList<>();
    for (String node : props.clusterNodeList()) {
      int colon = node.lastIndexOf(':');
      RedisURI.Builder b = RedisURI.builder().withHost(node.substring(0, colon)).withPort(Integer.parseInt(node.substring(colon + 1)));
      if (props.url() != null && !props.url().toString().isBlank()) {
        RedisURI base = RedisURI.create(props.url());
        b.withSsl(base).withAuthentication(base);
      }
      RedisURI uri = b.build();
      uri.setTimeout(props.commandTimeout().multipliedBy(4));
      out.add(uri);
    }
    return out;
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

  public static RedisURI redisUri(RedisProperties props) {
    RedisURI uri = RedisURI.create(props.url());
    uri.setTimeout(props.commandTimeout().multipliedBy(4));
    return uri;
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
