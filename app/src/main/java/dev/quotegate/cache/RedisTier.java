package dev.quotegate.cache;

import dev.quotegate.platform.redis.RedisConnections;
import io.lettuce.core.KeyScanCursor;
import io.lettuce.core.KeyValue;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanCursor;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.SetArgs;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * The Redis commands of one kind's L2 tier. Every method fails with
 * {@link dev.quotegate.platform.redis.RedisUnavailableException} when Redis does; the
 * {@link TieredCache} decides what failing open means.
 */
final class RedisTier<V> {

  /** Deletes the lease only if this instance still holds it. */
  private static final String RELEASE =
      "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end";

  /** A lease attempt: whether it was won, and the value Redis held right after the attempt. */
  record Lease(boolean won, byte[] token, byte[] current) {}

  private final CacheKind kind;
  private final RedisConnections redis;
  private final CacheKeys keys;
  private final ValueCodec<V> codec;
  private final CacheProperties props;
  private final String instance = Long.toHexString(Double.doubleToLongBits(Math.random())) + "-";
  private final AtomicLong tokens = new AtomicLong();
  /** Leases this instance asked for whose answer it never got: they may be held in Redis by nobody. */
  private final Map<String, byte[]> orphans = new java.util.concurrent.ConcurrentHashMap<>();
  private final java.util.concurrent.atomic.AtomicBoolean cleaning = new java.util.concurrent.atomic.AtomicBoolean();
  private volatile long orphansOverflowUntil = System.nanoTime();

  private final FillChannel fills;

  RedisTier(CacheKind kind, RedisConnections redis, CacheKeys keys, FillChannel fills, ValueCodec<V> codec,
      CacheProperties props) {
    this.kind = kind;
    this.fills = fills;
    this.redis = redis;
    this.keys = keys;
    this.codec = codec;
    this.props = props;
  }

  String key(String id) {
    return keys.value(kind, id);
  }

  ValueCodec<V> codec() {
    return codec;
  }

  /** Raw values for {@code ids} (absent ones left out), one MGET per {@code l2MaxBatch} ids. */
  Mono<Map<String, byte[]>> getAll(List<String> ids) {
    List<Mono<List<KeyValue<String, byte[]>>>> chunks = new ArrayList<>();
    for (int from = 0; from < ids.size(); from += props.l2MaxBatch()) {
      List<String> part = ids.subList(from, Math.min(ids.size(), from + props.l2MaxBatch()));
      String[] k = new String[part.size()];
      for (int i = 0; i < k.length; i++) {
        k[i] = key(part.get(i));
      }
      chunks.add(redis.call("cache.mget", c -> c.mget(k).collectList()));
    }
    return Flux.mergeSequential(chunks)
        .collect(
            LinkedHashMap::new,
            (Map<String, byte[]> out, List<KeyValue<String, byte[]>> kvs) -> {
              for (KeyValue<String, byte[]> kv : kvs) {
                if (kv.hasValue()) {
                  out.put(keys.idOf(kind, kv.getKey()), kv.getValue());
                }
              }
            });
  }

  /**
   * Tries the lease of {@code id} (SET NX PX) and reads the value in the same round trip, the
   * GET queued right after the SET so it sees any value written before the lease was freed.
   */
  Mono<Lease> lease(String id, byte[] token) {
    String leaseKey = keys.lease(kind, id);
    String valueKey = key(id);
    return redis.call(
        "cache.lease",
        c ->
            Mono.zip(
                c.set(leaseKey, token, SetArgs.Builder.nx().px(props.leaseTtl().toMillis()))
                    .map(ok -> true)
                    .defaultIfEmpty(false),
                c.get(valueKey).map(Optional::of).defaultIfEmpty(Optional.empty()),
                (won, value) -> new Lease(won, token, value.orElse(null))));
  }

  /**
   * Whether waiting on another instance's lease makes sense now: the breaker around Redis is
   * closed and no lease this instance may have left behind is still to be freed.
   */
  boolean leasesTrusted() {
    return redis.breakerClosed() && !orphansPending();
  }

  boolean breakerClosed() {
    return redis.breakerClosed();
  }

  /** A new lease token, unique to this instance and attempt. */
  byte[] newToken() {
    return (instance + tokens.incrementAndGet()).getBytes(StandardCharsets.UTF_8);
  }

  /**
   * Remembers a lease attempt whose answer never came (timed out, connection lost): Redis may
   * still run it, late, and hold that lease for nobody until {@code leaseTtl}. Bounded by
   * {@code maxWaiters}; past the bound, leases count as untrustworthy for a whole {@code leaseTtl}.
   */
  void orphaned(String id, byte[] token) {
    if (orphans.size() >= props.maxWaiters()) {
      orphansOverflowUntil = System.nanoTime() + props.leaseTtl().toNanos();
      return;
    }
    orphans.put(id, token);
  }

  /** Whether leases this instance may have left behind are still to be freed. */
  boolean orphansPending() {
    return !orphans.isEmpty() || System.nanoTime() - orphansOverflowUntil < 0;
  }

  int orphanCount() {
    return orphans.size();
  }

  /**
   * Frees the leases this instance may have left behind (compare-and-delete with its own token,
   * so a lease another instance holds is never touched) and tells the instances waiting on them
   * to fetch for themselves. One clean-up at a time; empty when one runs already. Commands on
   * one connection run in order, so once Redis answers again a late lease SET has run before
   * this clean-up does.
   */
  Mono<Void> cleanOrphans() {
    if (orphans.isEmpty() || !cleaning.compareAndSet(false, true)) {
      return Mono.empty();
    }
    List<Map.Entry<String, byte[]>> todo = new ArrayList<>(orphans.entrySet());
    return Flux.fromIterable(todo)
        .flatMap(
            e ->
                redis
                    .call(
                        "cache.release",
                        c -> {
                          Mono<Void> release = c.<Long>eval(RELEASE, ScriptOutputType.INTEGER,
                              new String[] {keys.lease(kind, e.getKey())}, e.getValue()).then();
                          Mono<Long> publish = Mono.defer(() -> redis.publish(c, fillsChannel(e.getKey()),
                              FillChannel.message(FillChannel.RELEASED, key(e.getKey()), new byte[0])));
                          // On a cluster the notice only after the lease is freed, as in fill().
                          return redis.cluster() ? release.then(publish).then() : Mono.when(release, publish);
                        })
                    .doOnSuccess(v -> orphans.remove(e.getKey(), e.getValue())),
            64)
        .then()
        .doFinally(s -> cleaning.set(false));
  }

  /** Frees a lease this instance holds (no-op if it expired and another took it). */
  Mono<Void> release(String id, byte[] token) {
    return redis.call(
        "cache.release",
        c -> c.<Long>eval(RELEASE, ScriptOutputType.INTEGER, new String[] {keys.lease(kind, id)}, token).then());
  }

  /**
   * Writes {@code entry} with its TTL (freshness left plus stale retention), publishes it to the
   * waiting instances and frees the lease. On a single node the three are pipelined in that order
   * in one round trip (one connection: Redis runs them in that order). On a cluster the notice
   * goes to another node than the value (the fill channel's shard), so it is sent only once the
   * value is written: sent alongside, it could reach a waiter that registers just after it, while
   * that waiter's lease attempt, on the value's node, still runs before the value is written
   * (lease held, no value yet); that waiter would then wait out {@code leaseWait} and fetch a
   * second time ({@code ClusterFillRaceIT}).
   */
  Mono<Void> fill(String id, Cached<V> entry, Duration retention, Instant now, byte[] token) {
    byte[] value = codec.encode(entry);
    long ttlMs = Math.max(1, entry.remaining(now).plus(retention).toMillis());
    String valueKey = key(id);
    byte[] message = FillChannel.message(FillChannel.VALUE, valueKey, value);
    return redis.call(
        "cache.fill",
        c -> {
          Mono<String> set = c.set(valueKey, value, SetArgs.Builder.px(ttlMs));
          Mono<Void> release = token == null
              ? Mono.empty()
              : c.<Long>eval(RELEASE, ScriptOutputType.INTEGER, new String[] {keys.lease(kind, id)}, token).then();
          Mono<Long> publish = Mono.defer(() -> redis.publish(c, fillsChannel(id), message));
          if (redis.cluster()) {
            // Value and lease share a slot (hash tag): pipelined on that node's connection, in order.
            return Mono.when(set, release).then(publish).then();
          }
          return Mono.when(set, publish, release);
        });
  }

  /** Tells waiting instances the fetch ended without a value (not found or failed), frees the lease. */
  Mono<Void> fillFailed(String id, byte type, String detail, byte[] token) {
    byte[] message = FillChannel.message(type, key(id), detail.getBytes(StandardCharsets.UTF_8));
    return redis.call(
        "cache.fill",
        c -> {
          Mono<Void> release =
              c.<Long>eval(RELEASE, ScriptOutputType.INTEGER, new String[] {keys.lease(kind, id)}, token).then();
          Mono<Long> publish = Mono.defer(() -> redis.publish(c, fillsChannel(id), message));
          // On a cluster the notice only after the lease is freed, as in fill().
          return redis.cluster() ? release.then(publish).then() : Mono.when(publish, release);
        });
  }

  /** The fills channel that carries {@code id}'s outcome. */
  private String fillsChannel(String id) {
    return fills.channelFor(key(id));
  }

  /** Every instance drops L1 copies matching {@code idGlob} of this kind. */
  Mono<Void> broadcastEvict(String idGlob) {
    byte[] message = FillChannel.message(FillChannel.EVICT, kind.tag(), idGlob.getBytes(StandardCharsets.UTF_8));
    return redis.call("cache.publish", c -> redis.publish(c, fills.channels().get(0), message).then());
  }

  /** Deletes value keys of this kind matching {@code idGlob}: SCAN (never KEYS) and UNLINK, bounded. */
  Mono<long[]> evict(String idGlob) {
    ScanArgs args = ScanArgs.Builder.matches(keys.valuePattern(kind, idGlob)).limit(props.scanCount());
    int max = props.evictMaxKeys();
    long[] state = {0, 0}; // deleted, truncated
    return Mono.<ScanCursor>just(ScanCursor.INITIAL)
        .expand(
            cursor -> {
              if (cursor.isFinished() || state[0] >= max) {
                if (!cursor.isFinished()) {
                  state[1] = 1;
                }
                return Mono.empty();
              }
              return redis
                  .call("cache.scan", c -> c.scan(cursor, args))
                  .flatMap(
                      (KeyScanCursor<String> page) -> {
                        List<String> found = page.getKeys();
                        int room = (int) Math.min(found.size(), max - state[0]);
                        if (room <= 0) {
                          return Mono.just((ScanCursor) page);
                        }
                        String[] del = found.subList(0, room).toArray(new String[0]);
                        return redis
                            .call("cache.unlink", c -> c.unlink(del))
                            .map(
                                n -> {
                                  state[0] += n;
                                  if (room < found.size()) {
                                    state[1] = 1;
                                  }
                                  return (ScanCursor) page;
                                });
                      });
            })
        .then(Mono.fromSupplier(() -> state));
  }
}
