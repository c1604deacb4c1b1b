package dev.quotegate.stream;

import dev.quotegate.platform.redis.RedisConnections;
import dev.quotegate.platform.redis.RedisSubscription;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.SetArgs;
import io.lettuce.core.api.StatefulConnection;
import io.lettuce.core.cluster.api.reactive.RedisClusterReactiveCommands;
import io.lettuce.core.codec.StringCodec;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.concurrent.ConcurrentHashMap;
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
import reactor.core.publisher.FluxSink;
import reactor.core.publisher.Mono;
import tools.jackson.databind.ObjectReader;
import tools.jackson.databind.ObjectWriter;
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
 *
 * <p>On a Redis Cluster the symbol is a hash tag in every name ({@code lease:{AAPL}}), ticks go
 * out with SPUBLISH and are followed with SSUBSCRIBE ({@link RedisSubscription}, re-subscribed
 * after a failover), and the lease scripts run once per slot.
 */
final class RedisStreamBus implements TickBus, PollLease, DisposableBean {

  private static final Logger log = LoggerFactory.getLogger(RedisStreamBus.class);
  private static final int SCRIPT_CHUNK = 500;
  /** Script calls in flight at once in one lease round (one per slot on a cluster). */
  private static final int SLOT_CONCURRENCY = 16;

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
  /**
   * Built at construction: Jackson creates a type's (de)serializer under a lock the first time
   * it meets the type, and that first time was on Lettuce's event loop, contended (BlockHound
   * caught it in RedisClusterIT: the lease warm-up failed open). Prefetched here, off the loops.
   */
  private final ObjectReader tickReader;
  private final ObjectWriter tickWriter;
  private final String instanceId = UUID.randomUUID().toString();
  private final String prefix;
  private final RedisConnections redis;
  private final AtomicReference<StatefulConnection<String, String>> commandsRef = new AtomicReference<>();
  private final Mono<RedisClusterReactiveCommands<String, String>> commands;
  private final RedisSubscription<String> subscription;
  private final Set<FluxSink<QuoteTick>> receivers = ConcurrentHashMap.newKeySet();

  RedisStreamBus(RedisConnections redis, StreamProperties.Redis props, JsonMapper json, MeterRegistry registry) {
    this.redis = Objects.requireNonNull(redis, "redis");
    this.props = Objects.requireNonNull(props, "props");
    this.json = Objects.requireNonNull(json, "json");
    this.tickReader = json.readerFor(QuoteTick.class);
    this.tickWriter = json.writerFor(QuoteTick.class);
    this.prefix = props.keyPrefix() + ":stream:";
    // Connected on first use, kept once connected; a failed attempt is retried next time.
    this.commands = redis.connect(StringCodec.UTF8)
        .doOnNext(c -> keep(commandsRef, c))
        .cache(c -> Duration.ofMillis(Long.MAX_VALUE), e -> Duration.ZERO, () -> Duration.ZERO)
        .map(RedisConnections::reactive);
    this.subscription = new RedisSubscription<>(redis, StringCodec.UTF8, "stream.ticks", this::dispatch, registry);
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

  /**
   * The symbol as it appears in key and channel names: bare on a single node (names unchanged
   * from before cluster support), a hash tag on a cluster, so a symbol's lease, last tick and
   * channel share one slot and different symbols spread over the shards.
   */
  private String tag(String symbol) {
    return redis.cluster() ? "{" + symbol + "}" : symbol;
  }

  String leaseKey(String symbol) {
    return prefix + "lease:" + tag(symbol);
  }

  String lastKey(String symbol) {
    return prefix + "last:" + tag(symbol);
  }

  String channel(String symbol) {
    return prefix + "ticks:" + tag(symbol);
  }

  // --- TickBus -----------------------------------------------------------------------------

  @Override
  public Mono<Void> publish(QuoteTick tick) {
    return Mono.defer(() -> {
      String payload = tickWriter.writeValueAsString(tick);
      return commands.flatMap(r -> redis.publish(r, channel(tick.symbol()), payload)
          .then(r.set(lastKey(tick.symbol()), payload, SetArgs.Builder.px(props.lastTickTtl().toMillis()))))
          .timeout(props.timeout())
          .then();
    });
  }

  @Override
  public Mono<Void> follow(String symbol) {
    return Mono.defer(() -> {
      subscription.start();
      return subscription.subscribe(List.of(channel(symbol)));
    }).timeout(props.timeout());
  }

  @Override
  public Mono<Void> unfollow(String symbol) {
    return subscription.unsubscribe(List.of(channel(symbol))).timeout(props.timeout());
  }

  @Override
  public Flux<QuoteTick> received() {
    // Ticks arrive on Lettuce's I/O threads (one per shard on a cluster); FluxSink serializes them.
    // The hub's consumer is quick and asks for everything, so nothing waits in the buffer.
    return Flux.<QuoteTick>create(
        sink -> {
          receivers.add(sink);
          sink.onDispose(() -> receivers.remove(sink));
          subscription.start();
        },
        FluxSink.OverflowStrategy.DROP);
  }

  private void dispatch(String channel, String message) {
    if (!channel.startsWith(prefix + "ticks:")) {
      return;
    }
    QuoteTick tick;
    try {
      tick = tickReader.readValue(message);
    } catch (RuntimeException e) {
      log.warn("dropping an unreadable tick on {}: {}", channel, e.toString());
      return;
    }
    for (FluxSink<QuoteTick> sink : receivers) {
      sink.next(tick);
    }
  }

  @Override
  public Mono<QuoteTick> last(String symbol) {
    return commands.flatMap(r -> r.get(lastKey(symbol)))
        .timeout(props.timeout())
        .map(s -> tickReader.readValue(s));
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
            .flatMap(chunk -> r.<String>eval(HOLD, ScriptOutputType.VALUE, keys(chunk), instanceId, ttl)
                .next()
                .defaultIfEmpty("")
                .map(indexes -> held(chunk, indexes)), SLOT_CONCURRENCY))
        .timeout(props.timeout())
        .collect(HashSet<String>::new, Set::addAll)
        .map(s -> (Set<String>) s);
  }

  @Override
  public Mono<Void> release(Collection<String> symbols) {
    List<List<String>> chunks = chunks(symbols);
    return commands.flatMapMany(r -> Flux.fromIterable(chunks)
            .flatMap(chunk -> r.<Long>eval(RELEASE, ScriptOutputType.INTEGER, keys(chunk), instanceId), SLOT_CONCURRENCY))
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

  /**
   * Script calls of at most {@code SCRIPT_CHUNK} symbols; on a cluster each call's keys in one
   * slot (a script's keys must be), so about one call per symbol there.
   */
  private List<List<String>> chunks(Collection<String> symbols) {
    List<List<String>> out = new ArrayList<>();
    for (List<String> slot : redis.bySlot(symbols, this::leaseKey)) {
      for (int i = 0; i < slot.size(); i += SCRIPT_CHUNK) {
        out.add(slot.subList(i, Math.min(slot.size(), i + SCRIPT_CHUNK)));
      }
    }
    return out;
  }

  @Override
  public void destroy() {
    StatefulConnection<String, String> c = commandsRef.getAndSet(null);
    if (c != null) {
      c.closeAsync();
    }
    subscription.close();
  }
}
