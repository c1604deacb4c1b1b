package dev.quotegate.platform.redis;

import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.reactor.circuitbreaker.operator.CircuitBreakerOperator;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.reactive.RedisReactiveCommands;
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
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * The gateway's Redis: one Lettuce {@link RedisClient}, one shared command connection
 * ({@code String} keys, {@code byte[]} values) and the guarded way to call it.
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
  private final RedisProperties props;
  private final MeterRegistry registry;
  private final CircuitBreaker breaker;
  private final Mono<StatefulRedisConnection<String, byte[]>> connection;
  private final ConcurrentHashMap<String, Timer[]> timers = new ConcurrentHashMap<>();
  private volatile StatefulRedisConnection<String, byte[]> current;
  private final java.util.List<Runnable> onBreakerOpen = new java.util.concurrent.CopyOnWriteArrayList<>();

  public RedisConnections(RedisClient client, RedisURI uri, RedisProperties props, MeterRegistry registry) {
    this.client = Objects.requireNonNull(client, "client");
    this.uri = Objects.requireNonNull(uri, "uri");
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
        Mono.defer(() -> Mono.fromCompletionStage(client.connectAsync(CODEC, uri)))
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

  /** The Lettuce client, for features that open their own connections. */
  public RedisClient client() {
    return client;
  }

  /** Where Redis is, credentials included: pass it to Lettuce, never log it. */
  public RedisURI uri() {
    return uri;
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
    StatefulRedisConnection<String, byte[]> c = current;
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
  public <T> Mono<T> call(String op, Function<RedisReactiveCommands<String, byte[]>, Mono<T>> command) {
    Timer[] t = timers.computeIfAbsent(op, this::timersFor);
    return Mono.defer(
        () -> {
          long start = System.nanoTime();
          return connection
              .flatMap(c -> command.apply(c.reactive()))
              // Continue on Reactor's parallel workers, off Lettuce's I/O thread: one I/O thread
              // serves the whole shared connection, and request processing done on it delays
              // every other reply on that connection.
              .publishOn(Schedulers.parallel())
              .timeout(props.commandTimeout())
              .transformDeferred(CircuitBreakerOperator.of(breaker))
              .doOnSuccess(v -> t[0].record(System.nanoTime() - start, TimeUnit.NANOSECONDS))
              .onErrorMap(
                  e -> {
                    t[outcomeIndex(e)].record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
                    return e instanceof RedisUnavailableException ? e : new RedisUnavailableException(op, describe(e), e);
                  });
        });
  }

  /** The shared connection's reactive commands, unguarded (no timeout, no breaker). */
  public Mono<RedisReactiveCommands<String, byte[]>> commands() {
    return connection.map(StatefulRedisConnection::reactive);
  }

  /**
   * A new pub/sub connection the caller owns (and closes). Lettuce reconnects it and
   * re-subscribes its channels by itself; messages published while it is disconnected are lost.
   */
  public <K, V> Mono<StatefulRedisPubSubConnection<K, V>> connectPubSub(RedisCodec<K, V> codec) {
    return Mono.defer(() -> Mono.fromCompletionStage(client.connectPubSubAsync(codec, uri)))
        .timeout(props.connectTimeout().plus(props.commandTimeout()));
  }

  /** Connects the shared connection now (at start), instead of on the first call. */
  Mono<Void> warmUp() {
    return connection.then();
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
    StatefulRedisConnection<String, byte[]> c = current;
    if (c != null) {
      c.closeAsync();
    }
  }
}
