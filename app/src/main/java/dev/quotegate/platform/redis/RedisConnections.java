package dev.quotegate.platform.redis;

import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.reactor.circuitbreaker.operator.CircuitBreakerOperator;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulConnection;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.SlotHash;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.cluster.api.reactive.RedisClusterReactiveCommands;
import io.lettuce.core.cluster.event.ClusterTopologyChangedEvent;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.codec.RedisCodec;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * The gateway's Redis: one Lettuce {@link RedisClient} (a single node) or
 * {@link RedisClusterClient} (Redis Cluster, {@code quotegate.redis.cluster-nodes}), one shared
 * command connection ({@code String} keys, {@code byte[]} values) and the guarded way to call it.
 *
 * <p>On a cluster the commands are the cluster client's: single-key commands and scripts go to
 * the master of the key's slot, MGET/UNLINK of keys in several slots are split per slot, SCAN
 * walks every master. Pub/sub is sharded there ({@link #publish}, {@link RedisSubscription}):
 * SPUBLISH/SSUBSCRIBE, so a message travels to the one shard that owns its channel instead of
 * every node.
 *
 * <p>Every command sent through {@link #call(String, Function)} has a timeout and passes a
 * circuit breaker; it fails with {@link RedisUnavailableException} when Redis is down, slow
 * or skipped, and callers decide what failing open means for them. The shared connection is
 * made lazily and again after a failed connect (at most once per {@code breakerOpenFor});
 * once made, Lettuce reconnects it by itself and rejects commands while it is disconnected
 * instead of queueing them.
 *
 * <p>Other features reuse it: {@link #client()} and {@link #uri()} for their own connections,
 * {@link #connectPubSub(RedisCodec)} for a pub/sub connection they own, {@link #key(String...)}
 * for keys under the configured prefix.
 *
 * <p>Meters: timer {@code quotegate.redis.commands} (tags {@code op}, {@code outcome} =
 * success|timeout|error|rejected), gauges {@code quotegate.redis.connected} (1/0) and
 * {@code quotegate.redis.breaker.state} (0 closed, 1 open, 2 half-open).
 */
public final class RedisConnections implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(RedisConnections.class);

  /** String keys, raw byte[] values: encoding is the caller's. */
  public static final RedisCodec<String, byte[]> CODEC = RedisCodec.of(StringCodec.UTF8, ByteArrayCodec.INSTANCE);

  private final RedisClient client;
  private final RedisURI uri;
  private final RedisClusterClient clusterClient;
  private final RedisProperties props;
  private final MeterRegistry registry;
  private final CircuitBreaker breaker;
  private final Mono<StatefulConnection<String, byte[]>> connection;
  private final ConcurrentHashMap<String, Timer[]> timers = new ConcurrentHashMap<>();
  private volatile StatefulConnection<String, byte[]> current;
  private volatile boolean closeClient;
  /** Whether the cluster client read the topology once (its async connects need it). */
  private volatile boolean partitionsLoaded;
  private final java.util.List<Runnable> onBreakerOpen = new java.util.concurrent.CopyOnWriteArrayList<>();

  /** A single Redis node. */
  public RedisConnections(RedisClient client, RedisURI uri, RedisProperties props, MeterRegistry registry) {
    this(Objects.requireNonNull(client, "client"), Objects.requireNonNull(uri, "uri"), null, props, registry);
  }

  /** A Redis Cluster. */
  public RedisConnections(RedisClusterClient cluster, RedisProperties props, MeterRegistry registry) {
    this(null, null, Objects.requireNonNull(cluster, "cluster"), props, registry);
  }

  private RedisConnections(
      RedisClient client, RedisURI uri, RedisClusterClient clusterClient, RedisProperties props, MeterRegistry registry) {
    this.client = client;
    this.uri = uri;
    this.clusterClient = clusterClient;
    this.props = Objects.requireNonNull(props, "props");
    this.registry = Objects.requireNonNull(registry, "registry");
    this.breaker =
        CircuitBreaker.of(
            "redis",
            CircuitBreakerConfig.custom()
                .slidingWindowSize(props.breakerWindow())
                .minimumNumberOfCalls(Math.max(2, props.breakerWindow() / 2))
                .failureRateThreshold(50)
                .waitDurationInOpenState(props.breakerOpenFor())
                .permittedNumberOfCallsInHalfOpenState(2)
                // The default window guards its counts with a ReentrantLock, which parks event-loop
                // threads under contention (BlockHound reports it); the lock-free one does not.
                .slidingWindowSynchronizationStrategy(
                    CircuitBreakerConfig.SlidingWindowSynchronizationStrategy.LOCK_FREE)
                .build());
    // A made connection is kept for good (Lettuce reconnects it); a failed connect is
    // remembered for breakerOpenFor, so a down Redis costs one connect attempt per period.
    this.connection =
        this.<String, byte[]>connect(CODEC)
            .doOnNext(
                c -> {
                  current = c;
                  log.info("redis: connected to {}", props.safeUrl());
                })
            .doOnError(e -> log.warn("redis: cannot connect to {}: {}", props.safeUrl(), describe(e)))
            .cache(c -> Duration.ofMillis(Long.MAX_VALUE), e -> props.breakerOpenFor(), () -> Duration.ZERO);
    breaker.getEventPublisher().onStateTransition(e -> {
      CircuitBreaker.State to = e.getStateTransition().getToState();
      if (to == CircuitBreaker.State.OPEN || to == CircuitBreaker.State.FORCED_OPEN) {
        log.warn("redis: circuit breaker open, Redis skipped for {} (leases off, L1 and upstream serve)",
            props.breakerOpenFor());
        onBreakerOpen.forEach(Runnable::run);
      } else if (to == CircuitBreaker.State.CLOSED) {
        log.info("redis: circuit breaker closed again");
      }
    });
    Gauge.builder("quotegate.redis.connected", this, r -> r.isConnected() ? 1 : 0)
        .description("Whether the shared Redis connection is open")
        .register(registry);
    Gauge.builder("quotegate.redis.breaker.state", breaker, b -> breakerState(b.getState()))
        .description("Circuit breaker around Redis: 0 closed, 1 open, 2 half-open")
        .register(registry);
  }

  private static int breakerState(CircuitBreaker.State state) {
    if (state == CircuitBreaker.State.OPEN || state == CircuitBreaker.State.FORCED_OPEN) {
      return 1;
    }
    return state == CircuitBreaker.State.HALF_OPEN ? 2 : 0;
  }

  /** Shuts the client down on {@link #close()} too (the application's own client). */
  RedisConnections closingClient() {
    this.closeClient = true;
    return this;
  }

  /** Whether this is a Redis Cluster (sharded pub/sub, per-slot scripts). */
  public boolean cluster() {
    return clusterClient != null;
  }

  /**
   * A new command connection the caller owns (and closes): to the node, or to the cluster
   * (Lettuce routes each command by slot and follows redirects and topology changes).
   */
  public <K, V> Mono<StatefulConnection<K, V>> connect(RedisCodec<K, V> codec) {
    return Mono.defer(
        () ->
            clusterClient != null
                ? loadPartitions()
                    .then(Mono.fromCompletionStage(() -> clusterClient.connectAsync(codec)))
                    .map(c -> (StatefulConnection<K, V>) c)
                : Mono.fromCompletionStage(client.connectAsync(codec, uri)).map(c -> (StatefulConnection<K, V>) c));
  }

  /**
   * Reads the cluster's topology once, without blocking (the client's async connects fail
   * until it has one; its own {@code getPartitions()} would block to read it).
   */
  private Mono<Void> loadPartitions() {
    if (partitionsLoaded) {
      return Mono.empty();
    }
    return Mono.fromCompletionStage(clusterClient::refreshPartitionsAsync).doOnSuccess(v -> partitionsLoaded = true);
  }

  /** The reactive commands of a connection from {@link #connect}: the node's or the cluster's. */
  @SuppressWarnings("unchecked")
  public static <K, V> RedisClusterReactiveCommands<K, V> reactive(StatefulConnection<K, V> c) {
    if (c instanceof StatefulRedisClusterConnection<K, V> cluster) {
      return cluster.reactive();
    }
    return ((StatefulRedisConnection<K, V>) c).reactive();
  }

  /**
   * Publishes {@code message} on {@code channel}: PUBLISH on a node, SPUBLISH (sharded, to the
   * shard owning the channel's slot) on a cluster. Subscribe through {@link RedisSubscription}.
   */
  public <K, V> Mono<Long> publish(RedisClusterReactiveCommands<K, V> c, K channel, V message) {
    return clusterClient != null ? c.spublish(channel, message) : c.publish(channel, message);
  }

  /**
   * Groups {@code keys} by cluster slot, so each group may be one script call or one
   * multi-key command; on a single node, one group.
   */
  public <T> java.util.Collection<java.util.List<T>> bySlot(java.util.Collection<T> items, Function<T, String> key) {
    if (clusterClient == null) {
      return items.isEmpty() ? java.util.List.of() : java.util.List.of(java.util.List.copyOf(items));
    }
    java.util.Map<Integer, java.util.List<T>> out = new java.util.LinkedHashMap<>();
    for (T item : items) {
      out.computeIfAbsent(SlotHash.getSlot(key.apply(item)), s -> new java.util.ArrayList<>()).add(item);
    }
    return out.values();
  }

  /**
   * Cluster topology changes seen by the client (a failover, slots moved, nodes added or
   * gone); never emits on a single node.
   */
  public Flux<Object> topologyChanges() {
    if (clusterClient == null) {
      return Flux.never();
    }
    return clusterClient.getResources().eventBus().get().filter(e -> e instanceof ClusterTopologyChangedEvent).cast(Object.class);
  }

  /** How often sharded subscriptions are re-sent and the topology re-read ({@code topology-refresh}). */
  public Duration topologyRefresh() {
    return props.topologyRefresh();
  }

  /** Sharded channels the cache's fill notices are spread over on a cluster ({@code shard-channels}). */
  public int shardChannels() {
    return props.shardChannels();
  }

  /** Masters the cluster client knows (0 on a single node or before the first connect). */
  public int masters() {
    if (clusterClient == null || !partitionsLoaded) {
      return 0;
    }
    try {
      return (int) clusterClient.getPartitions().stream()
          .filter(n -> n.is(io.lettuce.core.cluster.models.partitions.RedisClusterNode.NodeFlag.UPSTREAM)
              && !n.is(io.lettuce.core.cluster.models.partitions.RedisClusterNode.NodeFlag.FAIL)
              && !n.getSlots().isEmpty())
          .count();
    } catch (RuntimeException notYetConnected) {
      return 0;
    }
  }

  /** Scheme, host and port: safe to log. */
  public String safeUrl() {
    return props.safeUrl();
  }

  public Duration commandTimeout() {
    return props.commandTimeout();
  }

  /** {@code <prefix>:<part>:<part>...}: every key and channel of this gateway starts so. */
  public String key(String... parts) {
    StringBuilder sb = new StringBuilder(props.keyPrefix());
    for (String p : parts) {
      sb.append(':').append(p);
    }
    return sb.toString();
  }

  public String keyPrefix() {
    return props.keyPrefix();
  }

  /** Whether the shared connection exists and is open right now. */
  public boolean isConnected() {
    StatefulConnection<String, byte[]> c = current;
    return c != null && c.isOpen();
  }

  /**
   * Whether the breaker around Redis is closed: Redis answered recently enough that waiting on
   * another instance's lease makes sense. Open or half-open (a freeze, an outage, trial calls
   * after one), callers that coordinate through Redis fetch for themselves instead.
   */
  public boolean breakerClosed() {
    return breaker.getState() == CircuitBreaker.State.CLOSED;
  }

  /** Runs {@code action} (quickly, without blocking) each time the breaker opens. */
  public void onBreakerOpen(Runnable action) {
    onBreakerOpen.add(Objects.requireNonNull(action, "action"));
  }

  /** Circuit breaker state name (CLOSED, OPEN, HALF_OPEN...). */
  public String breakerState() {
    return breaker.getState().name();
  }

  /**
   * Runs one command (or a few pipelined ones) on the shared connection, with the command
   * timeout and through the circuit breaker, timed under {@code op}. Fails with
   * {@link RedisUnavailableException} whatever went wrong.
   *
   * @param op a short, fixed name of the operation (a metrics tag: never a key)
   */
  public <T> Mono<T> call(String op, Function<RedisClusterReactiveCommands<String, byte[]>, Mono<T>> command) {
    Timer[] t = timers.computeIfAbsent(op, this::timersFor);
    return Mono.defer(
        () -> {
          long start = System.nanoTime();
          return connection
              .flatMap(c -> command.apply(reactive(c)))
              // Timed and judged by the breaker where Redis's answer arrives (Lettuce's I/O
              // thread), before the hop below: behind the hop the timeout would also count the
              // wait for a busy parallel worker (this instance's own request processing), and a
              // loaded machine would time out, and open the breaker on, answers Redis gave in
              // a millisecond (seen in app/bench/cluster.sh: breakers opened during stampedes).
              .timeout(props.commandTimeout())
              .transformDeferred(CircuitBreakerOperator.of(breaker))
              .doOnSuccess(v -> t[0].record(System.nanoTime() - start, TimeUnit.NANOSECONDS))
              .onErrorMap(
                  e -> {
                    t[outcomeIndex(e)].record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
                    return e instanceof RedisUnavailableException ? e : new RedisUnavailableException(op, describe(e), e);
                  })
              // Continue on Reactor's parallel workers, off Lettuce's I/O thread: one I/O thread
              // serves the whole shared connection, and request processing done on it delays
              // every other reply on that connection.
              .publishOn(Schedulers.parallel());
        });
  }

  /** The shared connection's reactive commands, unguarded (no timeout, no breaker). */
  public Mono<RedisClusterReactiveCommands<String, byte[]>> commands() {
    return connection.map(RedisConnections::reactive);
  }

  /**
   * A new pub/sub connection the caller owns (and closes); on a cluster a cluster pub/sub
   * connection, which sends each SSUBSCRIBE to the shard owning the channel. Lettuce reconnects
   * it and re-subscribes its channels by itself; messages published while it is disconnected are
   * lost. Prefer {@link RedisSubscription}, which also re-sends sharded subscriptions after a
   * failover.
   */
  public <K, V> Mono<StatefulRedisPubSubConnection<K, V>> connectPubSub(RedisCodec<K, V> codec) {
    return Mono.defer(
            () ->
                clusterClient != null
                    ? loadPartitions()
                        .then(Mono.fromCompletionStage(() -> clusterClient.connectPubSubAsync(codec)))
                        .map(c -> (StatefulRedisPubSubConnection<K, V>) c)
                    : Mono.fromCompletionStage(client.connectPubSubAsync(codec, uri)))
        .timeout(props.connectTimeout().plus(props.commandTimeout()));
  }

  /** Connects the shared connection now (at start), instead of on the first call. */
  Mono<Void> warmUp() {
    return connection.flatMap(
            c -> {
              if (!(c instanceof StatefulRedisClusterConnection<String, byte[]> cluster)) {
                return Mono.empty();
              }
              // The cluster client connects to each node on first use; a stampede on a cold
              // instance would otherwise queue behind those connects. PING every master now.
              return Flux.fromIterable(cluster.getPartitions())
                  .filter(n -> n.is(io.lettuce.core.cluster.models.partitions.RedisClusterNode.NodeFlag.UPSTREAM))
                  .flatMap(
                      n ->
                          Mono.fromCompletionStage(() -> cluster.getConnectionAsync(n.getNodeId()))
                              .flatMap(node -> Mono.fromCompletionStage(() -> node.async().ping()))
                              .onErrorResume(e -> {
                                log.debug("redis: warming node {} failed: {}", n.getUri(), describe(e));
                                return Mono.empty();
                              }))
                  .then();
            })
        .then();
  }

  private Timer[] timersFor(String op) {
    String[] outcomes = {"success", "timeout", "error", "rejected"};
    Timer[] out = new Timer[outcomes.length];
    for (int i = 0; i < outcomes.length; i++) {
      out[i] =
          Timer.builder("quotegate.redis.commands")
              .description("Redis calls by operation and outcome")
              .tag("op", op)
              .tag("outcome", outcomes[i])
              .register(registry);
    }
    return out;
  }

  private static int outcomeIndex(Throwable e) {
    if (e instanceof TimeoutException) {
      return 1;
    }
    if (e instanceof CallNotPermittedException) {
      return 3;
    }
    return 2;
  }

  /** Class and message of an error, with nothing that could hold a credential. */
  static String describe(Throwable e) {
    if (e instanceof TimeoutException) {
      return "timed out";
    }
    if (e instanceof CallNotPermittedException) {
      return "skipped: circuit breaker open";
    }
    Throwable root = e;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    String msg = root.getMessage();
    return root.getClass().getSimpleName() + (msg == null ? "" : ": " + msg.replaceAll("://[^@/\\s]*@", "://****@"));
  }

  @Override
  public void close() {
    StatefulConnection<String, byte[]> c = current;
    if (c != null) {
      c.closeAsync();
    }
    if (closeClient) {
      // At context close, on the closing thread (never an event loop).
      // Bounded: Lettuce's shutdown() waits without a limit for its connections to close, and a
      // cluster client's close was seen never to end (a test context close hung for minutes).
      java.util.concurrent.CompletableFuture<Void> done = clusterClient != null
          ? clusterClient.shutdownAsync(0, 2, java.util.concurrent.TimeUnit.SECONDS)
          : client.shutdownAsync(0, 2, java.util.concurrent.TimeUnit.SECONDS);
      try {
        done.get(5, java.util.concurrent.TimeUnit.SECONDS);
      } catch (java.util.concurrent.TimeoutException e) {
        log.warn("the Redis client did not shut down within 5 s; going on without waiting for it");
      } catch (java.util.concurrent.ExecutionException e) {
        log.warn("the Redis client's shutdown failed: {}", e.getCause().toString());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
