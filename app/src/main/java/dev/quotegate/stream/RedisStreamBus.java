package dev.quotegate.stream;

import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.SetArgs;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.reactive.RedisReactiveCommands;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import tools.jackson.databind.json.JsonMapper;

/**
 * The cross-instance bus and poll lease over Redis (Lettuce reactive API).
 *
 * <ul>
 *   <li>Lease: {@code <prefix>:stream:lease:<SYMBOL>} holds this instance's id, set with
 *       {@code SET NX PX lease-ttl} semantics and renewed (PEXPIRE when the value is ours) in
 *       one script call per round for all of this instance's symbols; released (DEL when ours)
 *       when the feed stops or the instance shuts down.
 *   <li>Ticks: the holder PUBLISHes each tick as JSON on {@code <prefix>:stream:ticks:<SYMBOL>}
 *       and keeps it in {@code <prefix>:stream:last:<SYMBOL>} (PX last-tick-ttl) for other
 *       instances' snapshots; followers SUBSCRIBE to the channels of their symbols.
 * </ul>
 *
 * Connections are opened asynchronously on first use (a Redis down at startup does not stop
 * the application) and reconnect by themselves (Lettuce re-subscribes the channels).
 */
final class RedisStreamBus implements TickBus, PollLease, DisposableBean {

  private static final Logger log = LoggerFactory.getLogger(RedisStreamBus.class);
  private static final int SCRIPT_CHUNK = 500;

  /** Acquire (SET NX PX) or renew (PEXPIRE if ours); answers the 1-based indexes held. */
  private static final String HOLD =
      "local held = {}\n"
          + "for i, key in ipairs(KEYS) do\n"
          + "  local v = redis.call('GET', key)\n"
          + "  if v == ARGV[1] then\n"
          + "    redis.call('PEXPIRE', key, ARGV[2])\n"
          + "    held[#held + 1] = i\n"
          + "  elseif not v then\n"
          + "    redis.call('SET', key, ARGV[1], 'PX', ARGV[2])\n"
          + "    held[#held + 1] = i\n"
          + "  end\n"
          + "end\n"
          + "return table.concat(held, ',')";

  /** Delete the keys whose value is ours. */
  private static final String RELEASE =
      "local n = 0\n"
          + "for _, key in ipairs(KEYS) do\n"
          + "  if redis.call('GET', key) == ARGV[1] then\n"
          + "    redis.call('DEL', key)\n"
          + "    n = n + 1\n"
          + "  end\n"
          + "end\n"
          + "return n";

  private final StreamProperties.Redis props;
  private final JsonMapper json;
  private final String instanceId = UUID.randomUUID().toString();
  private final String prefix;
  private final AtomicReference<StatefulRedisConnection<String, String>> commandsRef = new AtomicReference<>();
  private final AtomicReference<StatefulRedisPubSubConnection<String, String>> pubSubRef = new AtomicReference<>();
  private final Mono<RedisReactiveCommands<String, String>> commands;
  private final Mono<StatefulRedisPubSubConnection<String, String>> pubSub;

  RedisStreamBus(RedisClient client, RedisURI uri, StreamProperties.Redis props, JsonMapper json) {
    Objects.requireNonNull(client, "client");
    Objects.requireNonNull(uri, "uri");
    this.props = Objects.requireNonNull(props, "props");
    this.json = Objects.requireNonNull(json, "json");
    this.prefix = props.keyPrefix() + ":stream:";
    // Connected on first use, kept once connected; a failed attempt is retried next time.
    this.commands = Mono.fromCompletionStage(() -> client.connectAsync(StringCodec.UTF8, uri))
        .doOnNext(c -> keep(commandsRef, c))
        .cache(c -> Duration.ofMillis(Long.MAX_VALUE), e -> Duration.ZERO, () -> Duration.ZERO)
        .map(StatefulRedisConnection::reactive);
    this.pubSub = Mono.fromCompletionStage(() -> client.connectPubSubAsync(StringCodec.UTF8, uri))
        .doOnNext(c -> keep(pubSubRef, c))
        .cache(c -> Duration.ofMillis(Long.MAX_VALUE), e -> Duration.ZERO, () -> Duration.ZERO);
  }

  private static <C extends io.lettuce.core.api.StatefulConnection<?, ?>> void keep(AtomicReference<C> ref, C c) {
    C old = ref.getAndSet(c);
    if (old != null && old != c) {
      old.closeAsync();
    }
  }

  String instanceId() {
    return instanceId;
  }

  String leaseKey(String symbol) {
    return prefix + "lease:" + symbol;
  }

  String lastKey(String symbol) {
    return prefix + "last:" + symbol;
  }

  String channel(String symbol) {
    return prefix + "ticks:" + symbol;
  }

  // --- TickBus -----------------------------------------------------------------------------

  @Override
  public Mono<Void> publish(QuoteTick tick) {
    return Mono.defer(() -> {
      String payload = json.writeValueAsString(tick);
      return commands.flatMap(r -> r.publish(channel(tick.symbol()), payload)
          .then(r.set(lastKey(tick.symbol()), payload, SetArgs.Builder.px(props.lastTickTtl().toMillis()))))
          .timeout(props.timeout())
          .then();
    });
  }

  @Override
  public Mono<Void> follow(String symbol) {
    return pubSub.flatMap(c -> c.reactive().subscribe(channel(symbol))).timeout(props.timeout());
  }

  @Override
  public Mono<Void> unfollow(String symbol) {
    return pubSub.flatMap(c -> c.reactive().unsubscribe(channel(symbol))).timeout(props.timeout());
  }

  @Override
  public Flux<QuoteTick> received() {
    String channelPrefix = prefix + "ticks:";
    return pubSub
        .retryWhen(reactor.util.retry.Retry.backoff(Long.MAX_VALUE, Duration.ofMillis(200)).maxBackoff(Duration.ofSeconds(5))
            .doBeforeRetry(s -> log.warn("Redis pub/sub connection failed ({}), retrying", s.failure().toString())))
        .flatMapMany(c -> c.reactive().observeChannels())
        .filter(m -> m.getChannel().startsWith(channelPrefix))
        .handle((m, sink) -> {
          try {
            sink.next(json.readValue(m.getMessage(), QuoteTick.class));
          } catch (RuntimeException e) {
            log.warn("dropping an unreadable tick on {}: {}", m.getChannel(), e.toString());
          }
        });
  }

  @Override
  public Mono<QuoteTick> last(String symbol) {
    return commands.flatMap(r -> r.get(lastKey(symbol)))
        .timeout(props.timeout())
        .map(s -> json.readValue(s, QuoteTick.class));
  }

  @Override
  public boolean shared() {
    return true;
  }

  // --- PollLease ---------------------------------------------------------------------------

  @Override
  public Mono<Set<String>> hold(Collection<String> symbols) {
    List<List<String>> chunks = chunks(symbols);
    String ttl = Long.toString(props.leaseTtl().toMillis());
    return commands.flatMapMany(r -> Flux.fromIterable(chunks)
            .concatMap(chunk -> r.<String>eval(HOLD, ScriptOutputType.VALUE, keys(chunk), instanceId, ttl)
                .next()
                .defaultIfEmpty("")
                .map(indexes -> held(chunk, indexes))))
        .timeout(props.timeout())
        .collect(HashSet<String>::new, Set::addAll)
        .map(s -> (Set<String>) s);
  }

  @Override
  public Mono<Void> release(Collection<String> symbols) {
    List<List<String>> chunks = chunks(symbols);
    return commands.flatMapMany(r -> Flux.fromIterable(chunks)
            .concatMap(chunk -> r.<Long>eval(RELEASE, ScriptOutputType.INTEGER, keys(chunk), instanceId)))
        .timeout(props.timeout())
        .then();
  }

  @Override
  public Duration renewInterval() {
    return props.leaseTtl().dividedBy(3);
  }

  private String[] keys(List<String> chunk) {
    String[] keys = new String[chunk.size()];
    for (int i = 0; i < keys.length; i++) {
      keys[i] = leaseKey(chunk.get(i));
    }
    return keys;
  }

  private static Set<String> held(List<String> chunk, String indexes) {
    Set<String> out = new HashSet<>();
    if (indexes.isEmpty()) {
      return out;
    }
    for (String i : indexes.split(",")) {
      out.add(chunk.get(Integer.parseInt(i) - 1));
    }
    return out;
  }

  private static List<List<String>> chunks(Collection<String> symbols) {
    List<List<String>> out = new ArrayList<>();
    List<String> all = new ArrayList<>(symbols);
    for (int i = 0; i < all.size(); i += SCRIPT_CHUNK) {
      out.add(all.subList(i, Math.min(all.size(), i + SCRIPT_CHUNK)));
    }
    return out;
  }

  @Override
  public void destroy() {
    StatefulRedisConnection<String, String> c = commandsRef.getAndSet(null);
    if (c != null) {
      c.closeAsync();
    }
    StatefulRedisPubSubConnection<String, String> p = pubSubRef.getAndSet(null);
    if (p != null) {
      p.closeAsync();
    }
  }
}
