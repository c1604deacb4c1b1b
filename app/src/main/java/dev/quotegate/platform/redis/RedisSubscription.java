package dev.quotegate.platform.redis;

import io.lettuce.core.codec.RedisCodec;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.util.retry.Retry;

/**
 * One pub/sub connection of a feature and the channels it listens to: SUBSCRIBE on a single
 * node, SSUBSCRIBE (sharded, one command per slot) on a cluster, where Lettuce sends each to
 * the master owning the channel's slot.
 *
 * <p>Connects in the background (again, with backoff, until it succeeds) and subscribes every
 * channel asked for so far. Lettuce re-subscribes a reconnected connection by itself; on a
 * cluster a subscription dies with its master, and Lettuce does not move it to the promoted
 * replica (lettuce issue 3213), so every channel is re-sent on each topology change the client
 * sees and every {@code topology-refresh} (SSUBSCRIBE of a channel already subscribed changes
 * nothing). Messages published while a subscription is being moved are lost; callers bound
 * their waits.
 *
 * <p>Meters (tag {@code name}): gauge {@code quotegate.redis.subscriptions} (channels),
 * counter {@code quotegate.redis.resubscribes} (re-sends of every channel, cluster only).
 *
 * @param <V> the message type
 */
public final class RedisSubscription<V> implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(RedisSubscription.class);

  private final RedisConnections redis;
  private final RedisCodec<String, V> codec;
  private final String name;
  private final BiConsumer<String, V> onMessage;
  private final Set<String> channels = ConcurrentHashMap.newKeySet();
  private final Counter resubscribes;
  private volatile StatefulRedisPubSubConnection<String, V> connection;
  private volatile boolean subscribed;
  private Disposable connecting;
  private Disposable refreshing;

  /**
   * @param name a short fixed name (a metrics tag and log word)
   * @param onMessage called on Lettuce's I/O thread with (channel, message): must be quick and
   *     never block
   */
  public RedisSubscription(
      RedisConnections redis, RedisCodec<String, V> codec, String name, BiConsumer<String, V> onMessage,
      MeterRegistry registry) {
    this.redis = Objects.requireNonNull(redis, "redis");
    this.codec = Objects.requireNonNull(codec, "codec");
    this.name = Objects.requireNonNull(name, "name");
    this.onMessage = Objects.requireNonNull(onMessage, "onMessage");
    Gauge.builder("quotegate.redis.subscriptions", channels, Set::size)
        .description("Pub/sub channels subscribed (sharded on a cluster)")
        .tag("name", name)
        .register(registry);
    this.resubscribes =
        Counter.builder("quotegate.redis.resubscribes")
            .description("Sharded subscriptions re-sent after a topology change or periodically")
            .tag("name", name)
            .register(registry);
  }

  /** Connects and subscribes in the background until it succeeds; idempotent. */
  public synchronized void start() {
    if (connecting != null) {
      return;
    }
    connecting =
        redis
            .connectPubSub(codec)
            .flatMap(
                c -> {
                  connection = c;
                  c.addListener(
                      new RedisPubSubAdapter<>() {
                        @Override
                        public void message(String channel, V message) {
                          onMessage.accept(channel, message);
                        }

                        @Override
                        public void smessage(String channel, V message) {
                          onMessage.accept(channel, message);
                        }
                      });
                  return send(List.copyOf(channels)).timeout(Duration.ofSeconds(5)).doOnError(e -> {
                    connection = null;
                    c.closeAsync();
                  });
                })
            .retryWhen(Retry.backoff(Long.MAX_VALUE, Duration.ofMillis(200)).maxBackoff(Duration.ofSeconds(2)))
            .subscribe(
                v -> {},
                e -> log.warn("redis {} subscription: gave up connecting: {}", name, e.toString()),
                () -> {
                  subscribed = true;
                  log.info("redis {} subscription: {} channel(s){}", name, channels.size(),
                      redis.cluster() ? " (sharded)" : "");
                });
    if (redis.cluster()) {
      refreshing =
          Flux.merge(redis.topologyChanges(), Flux.interval(redis.topologyRefresh(), redis.topologyRefresh()))
              .filter(tick -> subscribed)
              .concatMap(
                  tick ->
                      send(List.copyOf(channels))
                          .doOnSuccess(v -> resubscribes.increment())
                          .timeout(Duration.ofSeconds(5))
                          .onErrorResume(
                              e -> {
                                // Next tick tries again; the channels of a shard being failed over answer
                                // nothing until its replica is promoted.
                                log.debug("redis {} subscription: re-subscribing failed: {}", name, e.toString());
                                return Mono.empty();
                              }))
              .subscribe(null, e -> log.error("redis {} subscription: the re-subscribe loop ended", name, e));
    }
  }

  /** Whether messages on the subscribed channels reach this instance now (as far as it knows). */
  public boolean listening() {
    StatefulRedisPubSubConnection<String, V> c = connection;
    return subscribed && c != null && c.isOpen();
  }

  /** Listens to {@code more} too (sent at once when connected, else at connect). */
  public Mono<Void> subscribe(Collection<String> more) {
    return Mono.defer(
        () -> {
          channels.addAll(more);
          return connection == null ? Mono.empty() : send(more);
        });
  }

  /** Stops listening to {@code less}. */
  public Mono<Void> unsubscribe(Collection<String> less) {
    return Mono.defer(
        () -> {
          channels.removeAll(less);
          StatefulRedisPubSubConnection<String, V> c = connection;
          if (c == null || less.isEmpty()) {
            return Mono.empty();
          }
          if (!redis.cluster()) {
            return c.reactive().unsubscribe(less.toArray(String[]::new));
          }
          return Flux.fromIterable(redis.bySlot(less, ch -> ch))
              .flatMap(group -> c.reactive().sunsubscribe(group.toArray(String[]::new)), 16)
              .then();
        });
  }

  private Mono<Void> send(Collection<String> chs) {
    StatefulRedisPubSubConnection<String, V> c = connection;
    if (c == null || chs.isEmpty()) {
      return Mono.empty();
    }
    if (!redis.cluster()) {
      return c.reactive().subscribe(chs.toArray(String[]::new));
    }
    // One SSUBSCRIBE per slot: channels of several slots in one command are a CROSSSLOT error.
    return Flux.fromIterable(redis.bySlot(chs, ch -> ch))
        .flatMap(group -> c.reactive().ssubscribe(group.toArray(String[]::new)), 16)
        .then();
  }

  @Override
  public synchronized void close() {
    if (refreshing != null) {
      refreshing.dispose();
    }
    if (connecting != null) {
      connecting.dispose();
    }
    StatefulRedisPubSubConnection<String, V> c = connection;
    if (c != null) {
      c.closeAsync();
    }
    subscribed = false;
  }
}
