package dev.quotegate.cache;

import dev.quotegate.platform.redis.RedisConnections;
import dev.quotegate.platform.redis.RedisSubscription;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

/**
 * The cluster-wide "fills" channel: an instance that fetched a key under the lease publishes
 * the outcome, and the instances waiting for that key are woken by the message (never by
 * polling). Also carries admin evictions, so every instance drops its L1 copies.
 *
 * <p>One pub/sub connection per instance ({@link RedisSubscription}: sharded on a cluster,
 * re-subscribed after a failover), made at start and again (with backoff) until it succeeds. While it is not subscribed,
 * {@link #register(String)} returns null and callers fetch themselves instead of waiting for a
 * message that cannot arrive.
 *
 * <p>Message: one type byte, the key's length (2 bytes) and UTF-8 bytes, then the payload.
 */
final class FillChannel implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(FillChannel.class);

  static final byte VALUE = 'V';
  static final byte NOT_FOUND = 'N';
  static final byte FAILED = 'E';
  static final byte EVICT = 'X';
  /** Nobody fetches the key under a lease any more (a lease freed after a Redis failure, Redis unhealthy): fetch yourself. */
  static final byte RELEASED = 'R';

  /** A message: its type and payload (an encoded value, an error description...). */
  record Fill(byte type, byte[] payload) {}

  private final RedisConnections redis;
  private final CacheKeys keys;
  private final int maxWaiters;
  private final Map<String, Sinks.One<Fill>> waiters = new ConcurrentHashMap<>();
  private final RedisSubscription<byte[]> subscription;
  private volatile BiConsumer<String, String> onEvict = (kind, glob) -> {};

  FillChannel(RedisConnections redis, CacheKeys keys, int maxWaiters, MeterRegistry registry) {
    this.redis = Objects.requireNonNull(redis, "redis");
    this.keys = Objects.requireNonNull(keys, "keys");
    this.maxWaiters = maxWaiters;
    this.subscription =
        new RedisSubscription<>(redis, RedisConnections.CODEC, "cache.fills", (ch, message) -> dispatch(message), registry);
    Gauge.builder("quotegate.cache.lease.waiters", waiters, Map::size)
        .description("Keys this instance waits on for another instance's fetch")
        .register(registry);
    Gauge.builder("quotegate.cache.lease.waiters.max", () -> maxWaiters)
        .description("Bound on keys waited on at once")
        .register(registry);
  }

  /** What to do with an eviction broadcast: (kind tag, id glob). */
  void onEvict(BiConsumer<String, String> handler) {
    this.onEvict = Objects.requireNonNull(handler, "handler");
  }

  /**
   * The channels of fill notices: one on a single node ({@code <prefix>:c1:fills}); on a
   * cluster {@code shard-channels} sharded ones ({@code <prefix>:c1:fills:{<n>}}, each in its
   * own slot, so the notices spread over the masters), all subscribed by every instance.
   */
  List<String> channels() {
    if (!redis.cluster()) {
      return List.of(keys.fillsChannel());
    }
    List<String> out = new java.util.ArrayList<>();
    for (int i = 0; i < redis.shardChannels(); i++) {
      out.add(keys.fillsChannel() + ":{" + i + "}");
    }
    return out;
  }

  /** The channel carrying the fill notices of value key {@code key}. */
  String channelFor(String key) {
    if (!redis.cluster()) {
      return keys.fillsChannel();
    }
    return keys.fillsChannel() + ":{" + (io.lettuce.core.cluster.SlotHash.getSlot(key) % redis.shardChannels()) + "}";
  }

  /** Connects and subscribes in the background until it succeeds. */
  void start() {
    subscription.subscribe(channels()).subscribe(v -> {}, e -> log.debug("cache fills channel: {}", e.toString()));
    subscription.start();
  }

  /** Whether a published fill would reach this instance now. */
  boolean listening() {
    return subscription.listening();
  }

  /**
   * Starts waiting for {@code key}'s fill; null when this instance cannot hear fills now or
   * waits on {@code maxWaiters} keys already. Waiters of one key share one sink.
   */
  Sinks.One<Fill> register(String key) {
    if (!listening()) {
      return null;
    }
    Sinks.One<Fill> existing = waiters.get(key);
    if (existing != null) {
      return existing;
    }
    if (waiters.size() >= maxWaiters) {
      return null;
    }
    return waiters.computeIfAbsent(key, k -> Sinks.one());
  }

  void unregister(String key, Sinks.One<Fill> sink) {
    if (sink != null) {
      waiters.remove(key, sink);
    }
  }

  /**
   * Wakes this instance's waiters of {@code key} with {@code fill} (a fetch made here without
   * the lease), without a round trip through Redis.
   */
  void deliver(String key, Fill fill) {
    Sinks.One<Fill> sink = waiters.remove(key);
    if (sink != null) {
      sink.tryEmitValue(fill);
    }
  }

  /**
   * Wakes every waiter with {@link #RELEASED}: Redis stopped answering (the breaker opened), so
   * a fill may never arrive; each waiter fetches for itself at once instead of waiting out
   * {@code leaseWait}. Answers how many were woken.
   */
  int abandonAll() {
    int n = 0;
    for (String key : List.copyOf(waiters.keySet())) {
      Sinks.One<Fill> sink = waiters.remove(key);
      if (sink != null && sink.tryEmitValue(new Fill(RELEASED, new byte[0])).isSuccess()) {
        n++;
      }
    }
    return n;
  }

  static byte[] message(byte type, String key, byte[] payload) {
    byte[] k = key.getBytes(StandardCharsets.UTF_8);
    ByteBuffer b = ByteBuffer.allocate(1 + 2 + k.length + payload.length);
    b.put(type).putShort((short) k.length).put(k).put(payload);
    return b.array();
  }

  private void dispatch(byte[] message) {
    try {
      ByteBuffer b = ByteBuffer.wrap(message);
      byte type = b.get();
      int len = Short.toUnsignedInt(b.getShort());
      String key = new String(message, 3, len, StandardCharsets.UTF_8);
      byte[] payload = new byte[message.length - 3 - len];
      System.arraycopy(message, 3 + len, payload, 0, payload.length);
      if (type == EVICT) {
        String glob = new String(payload, StandardCharsets.UTF_8);
        onEvict.accept(key, glob);
        return;
      }
      Sinks.One<Fill> sink = waiters.remove(key);
      if (sink != null) {
        sink.tryEmitValue(new Fill(type, payload));
      }
    } catch (RuntimeException e) {
      log.debug("cache fills channel: ignoring a malformed message: {}", e.toString());
    }
  }

  @Override
  public void close() {
    subscription.close();
  }
}
