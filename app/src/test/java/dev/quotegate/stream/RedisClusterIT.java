package dev.quotegate.stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.quotegate.QuotegateApplication;
import dev.quotegate.cache.Caches;
import dev.quotegate.platform.redis.RedisConnections;
import dev.quotegate.simulator.Simulator;
import dev.quotegate.simulator.SimulatorProperties;
import dev.quotegate.testsupport.IsolatedNetty;
import dev.quotegate.testsupport.PrivateRedisCluster;
import dev.quotegate.testsupport.SimulatorAdmin;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import reactor.core.Disposable;
import reactor.core.Disposables;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.netty.http.client.HttpClient;
import reactor.netty.resources.ConnectionProvider;
import tools.jackson.databind.json.JsonMapper;

/**
 * Three gateway instances (three contexts in this JVM) on a private Redis Cluster of three
 * masters and three replicas ({@link PrivateRedisCluster}) and one standalone simulator, whose
 * counts are the proof: a cold stampede across the instances costs one upstream call per symbol;
 * stream ticks reach the other instances over sharded pub/sub; a closed instance's polls are taken
 * over at once (it hands its leases back); a killed one's (its leases left in Redis) once they
 * expire, within lease-ttl plus one renewal round, the others' subscribers getting ticks again; a
 * master killed mid-run fails no client request and the cluster is used again after its replica
 * is promoted, without a restart. Runs in this order (the last three kill things).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RedisClusterIT {

  private static final Duration TIMEOUT = Duration.ofSeconds(60);
  private static final Duration LEASE_TTL = Duration.ofSeconds(3);
  private static final JsonMapper JSON = JsonMapper.builder().build();
  private static final List<String> STREAMED = List.of("AAPL", "MSFT", "NVDA", "AMZN", "GOOGL", "META");

  static PrivateRedisCluster cluster;
  static Simulator simulator;
  static SimulatorAdmin sim;
  static String prefix;
  static final List<ConfigurableApplicationContext> gateways = new ArrayList<>();
  static ConnectionProvider connections;
  static HttpClient client;
  static final Disposable.Composite streams = Disposables.composite();
  /** Quote events per instance index and symbol. */
  static final Map<Integer, Map<String, AtomicInteger>> ticks = new ConcurrentHashMap<>();
  static List<String> universe;

  @BeforeAll
  static void start() throws Exception {
    cluster = PrivateRedisCluster.startOrSkip();
    simulator = Simulator.create(SimulatorProperties.defaults().withPort(0)).start();
    sim = new SimulatorAdmin(simulator.port());
    universe = sim.symbols(500);
    prefix = "qgcl-" + UUID.randomUUID().toString().substring(0, 8);
    for (int i = 0; i < 3; i++) {
      gateways.add(gateway("10m"));
    }
    connections = ConnectionProvider.builder("cluster-it").maxConnections(1000).pendingAcquireMaxCount(-1).build();
    client = HttpClient.create(connections);
    // Warm instances (JIT, connections to every node), cold symbols: as in production.
    warm();
  }

  static void warm() {
    String warm = "/api/v1/quotes?symbols=" + String.join(",", universe.subList(0, 40));
    Flux.range(0, 60).flatMap(i -> get(gateways.get(i % 3), warm), 6).blockLast(TIMEOUT);
  }

  @AfterAll
  static void stop() throws Exception {
    streams.dispose();
    for (ConfigurableApplicationContext g : gateways) {
      if (g != null) {
        g.close();
      }
    }
    if (connections != null) {
      connections.dispose();
    }
    if (simulator != null) {
      simulator.stop();
    }
    if (cluster != null) {
      cluster.close();
    }
  }

  /** @param ttl quote freshness: long for the stampede (no refetch while it lasts), short for streams (ticks) */
  static ConfigurableApplicationContext gateway(String ttl) {
    ConfigurableApplicationContext ctx = new SpringApplicationBuilder(QuotegateApplication.class, IsolatedNetty.class)
        .run(
            "--server.port=0",
            "--spring.main.banner-mode=off",
            "--quotegate.simulator.enabled=false",
            "--quotegate.providers.sim.base-url=http://127.0.0.1:" + simulator.port(),
            "--quotegate.redis.cluster-nodes=" + cluster.nodes(),
            "--quotegate.redis.key-prefix=" + prefix,
            // generous: the build machines are shared and busy; the default is 250ms
            "--quotegate.redis.command-timeout=2s",
            "--quotegate.redis.topology-refresh=2s",
            "--quotegate.streams.redis.key-prefix=" + prefix,
            "--quotegate.streams.redis.lease-ttl=" + LEASE_TTL.toMillis() + "ms",
            "--quotegate.streams.grace-period=5s",
            "--quotegate.admin.token=t0ken",
            "--quotegate.quotes.ttl-market-open=" + ttl,
            "--quotegate.quotes.ttl-market-closed=" + ttl,
            // the machine is shared by parallel builds: a winner's fetch can take seconds
            "--quotegate.cache.lease-wait=5s",
            "--logging.level.dev.quotegate.cache=DEBUG");
    Caches caches = ctx.getBean(Caches.class);
    await().atMost(TIMEOUT).until(caches::fillsListening);
    assertThat(ctx.getBean(RedisConnections.class).cluster()).as("the gateway speaks to a cluster").isTrue();
    return ctx;
  }

  static int port(ConfigurableApplicationContext ctx) {
    return Integer.parseInt(ctx.getEnvironment().getRequiredProperty("local.server.port"));
  }

  static Mono<Map.Entry<Integer, String>> get(ConfigurableApplicationContext ctx, String path) {
    return client.get().uri("http://127.0.0.1:" + port(ctx) + path)
        .responseSingle((res, body) -> body.asString().defaultIfEmpty("")
            .map(s -> Map.entry(res.status().code(), res.responseHeaders().get("Server-Timing", ""))));
  }

  static List<ConfigurableApplicationContext> live() {
    return gateways.stream().filter(g -> g != null && g.isActive()).toList();
  }

  @Test
  @Order(1)
  void aColdStampedeAcrossThreeInstancesMakesOneUpstreamCallPerSymbol() {
    List<String> cold = universe.subList(100, 130);
    sim.reset();
    sim.faults("{\"latencyMs\":150}");
    List<ConfigurableApplicationContext> gw = live();
    // each cold symbol asked 10 times on each instance at once: 900 requests
    List<Integer> statuses = Flux.range(0, cold.size() * 30)
        .flatMap(i -> get(gw.get(i % 3), "/api/v1/quotes/" + cold.get((i / 3) % cold.size())).map(Map.Entry::getKey),
            900)
        .collectList()
        .block(TIMEOUT);
    long symbols = simulator.stats().symbolsRequested();
    long requests = simulator.stats().requests();
    sim.reset();
    System.out.printf("FIGURES cluster cold stampede: 900 requests for 30 cold symbols over 3 instances:"
        + " %d upstream requests naming %d symbols (ideal 30); leases %s%n", requests, symbols, leases());
    assertThat(statuses).hasSize(900).containsOnly(200);
    // At most 1.1x the ideal (issue 21), plus loads whose lease call Redis failed (counted,
    // fail-open: on this shared machine a 2 s command timeout is sometimes hit). Measured 30-33.
    assertThat(symbols).as("symbols asked upstream for 30 cold symbols over three instances (ideal 30),"
        + " leases %s", leases()).isBetween(30L, 33L + (long) leaseFailures());
  }

  @Test
  @Order(3)
  void streamTicksReachSubscribersOnTheOtherInstancesOverShardedPubSub() throws Exception {
    // Streams tick when quotes change: three fresh instances with a 2 s quote freshness, under a
    // prefix of their own (the values the first ones cached stay fresh for 10 minutes).
    prefix = prefix + "s";
    for (int i = 0; i < gateways.size(); i++) {
      gateways.get(i).close();
      gateways.set(i, gateway("2s"));
    }
    warm();
    List<ConfigurableApplicationContext> gw = live();
    subscribe(0);
    try {
      await().atMost(TIMEOUT).until(() -> total(0) >= STREAMED.size() * 2);
    } catch (org.awaitility.core.ConditionTimeoutException e) {
      throw new AssertionError("no ticks on the first instance: " + ticks + ", polled " + hub(gw.get(0)).polledSymbols()
          + ", feeds " + hub(gw.get(0)).symbols(), e);
    }
    subscribe(1);
    subscribe(2);
    await().atMost(TIMEOUT).until(() -> STREAMED.stream().allMatch(s -> count(1, s) >= 2 && count(2, s) >= 2));
    assertThat(hub(gw.get(0)).polledSymbols()).as("the first instance holds every poll lease")
        .containsExactlyInAnyOrderElementsOf(STREAMED);
    assertThat(hub(gw.get(1)).polledSymbols()).as("the second follows the bus").isEmpty();
    assertThat(hub(gw.get(2)).polledSymbols()).as("the third follows the bus").isEmpty();
    // The tick channels are shard channels, spread over the masters; no global channel is used.
    Set<String> shard = new HashSet<>();
    Set<String> global = new HashSet<>();
    int mastersWithTicks = 0;
    for (int port : cluster.masters()) {
      List<String> here = lines(cluster.cli(port, "pubsub", "shardchannels", prefix + ":stream:ticks:*"));
      mastersWithTicks += here.isEmpty() ? 0 : 1;
      shard.addAll(here);
      global.addAll(lines(cluster.cli(port, "pubsub", "channels", prefix + "*")));
    }
    assertThat(shard).as("shard channels of the streamed symbols")
        .containsAll(STREAMED.stream().map(s -> prefix + ":stream:ticks:{" + s + "}").toList());
    assertThat(shard).as("the cache's fill channels are shard channels too").isNotEmpty();
    assertThat(lines(cluster.cli(cluster.masters().get(0), "pubsub", "shardchannels", prefix + ":c1:fills:*"))
        .size() + lines(cluster.cli(cluster.masters().get(1), "pubsub", "shardchannels", prefix + ":c1:fills:*")).size()
        + lines(cluster.cli(cluster.masters().get(2), "pubsub", "shardchannels", prefix + ":c1:fills:*")).size())
        .as("fill shard channels over the three masters").isEqualTo(16);
    assertThat(mastersWithTicks).as("masters carrying tick channels").isGreaterThanOrEqualTo(2);
    assertThat(global).as("global pub/sub channels of this run").isEmpty();
  }

  @Test
  @Order(4)
  void aClosedInstancesPollsAreTakenOverWithinTheLeaseTime() {
    List<ConfigurableApplicationContext> gw = live();
    ConfigurableApplicationContext holder = gw.get(0);
    assertThat(hub(holder).polledSymbols()).containsExactlyInAnyOrderElementsOf(STREAMED);
    holder.close();
    gateways.set(gateways.indexOf(holder), null);
    long closedAt = System.nanoTime();
    await().atMost(TIMEOUT).until(() -> live().stream().mapToInt(g -> hub(g).polledSymbols().size()).sum() == STREAMED.size());
    Duration takeover = Duration.ofNanos(System.nanoTime() - closedAt);
    Set<String> polled = new HashSet<>();
    for (ConfigurableApplicationContext g : live()) {
      for (String s : hub(g).polledSymbols()) {
        assertThat(polled.add(s)).as("%s polled by one instance only", s).isTrue();
      }
    }
    assertThat(takeover).as("takeover after the holder closed (lease ttl %s)", LEASE_TTL).isLessThan(LEASE_TTL);
    Map<String, Integer> atTakeover = snapshot(1);
    Map<String, Integer> atTakeover2 = snapshot(2);
    await().atMost(TIMEOUT).until(() -> STREAMED.stream()
        .allMatch(s -> count(1, s) >= atTakeover.get(s) + 2 && count(2, s) >= atTakeover2.get(s) + 2));
    System.out.printf("FIGURES cluster instance closed: polls taken over in %d ms (lease ttl %d ms)%n",
        takeover.toMillis(), LEASE_TTL.toMillis());
  }

  @Test
  @Order(5)
  void aKilledInstancesPollsAreTakenOverOnceItsLeasesExpireAndTheOthersKeepGettingTicks() throws Exception {
    // A third instance again, following the bus: one of the two others holds every lease.
    int fresh = gateways.indexOf(null);
    Map<String, Integer> before = snapshot(fresh);
    gateways.set(fresh, gateway("2s"));
    subscribe(fresh);
    await().atMost(TIMEOUT).until(() -> STREAMED.stream().allMatch(s -> count(fresh, s) >= before.get(s) + 1));
    // The new instance follows the bus; if its first lease attempt failed (a node not yet
    // connected at its start), it polls for itself (fail-open) until its next lease round.
    await().atMost(TIMEOUT).until(() -> hub(gateways.get(fresh)).polledSymbols().isEmpty());
    ConfigurableApplicationContext holder = live().stream()
        .filter(g -> hub(g).polledSymbols().size() == STREAMED.size()).findFirst().orElseThrow();
    int holderIndex = gateways.indexOf(holder);
    List<Integer> survivors = new ArrayList<>();
    for (int i = 0; i < gateways.size(); i++) {
      if (i != holderIndex && gateways.get(i) != null) {
        survivors.add(i);
      }
    }
    Duration renew = LEASE_TTL.dividedBy(3); // RedisStreamBus.renewInterval

    // Killed, as far as Redis can tell: the bus's connections go first, so the instance's stop
    // cannot hand its leases back (as with kill -9, they stay until they expire).
    holder.getBean(RedisStreamBus.class).destroy();
    long killedAt = System.nanoTime();
    String leaseKey = prefix + ":stream:lease:{" + STREAMED.get(0) + "}";
    long pttl = Long.parseLong(cluster.cli(cluster.masterOf(leaseKey), "pttl", leaseKey).trim());
    holder.close();
    gateways.set(holderIndex, null);
    long pttlAfterClose = Long.parseLong(cluster.cli(cluster.masterOf(leaseKey), "pttl", leaseKey).trim());
    Map<Integer, Map<String, Integer>> atKill = new java.util.HashMap<>();
    survivors.forEach(i -> atKill.put(i, snapshot(i)));

    await().atMost(TIMEOUT).pollInterval(Duration.ofMillis(20))
        .until(() -> live().stream().mapToInt(g -> hub(g).polledSymbols().size()).sum() == STREAMED.size());
    Duration takeover = Duration.ofNanos(System.nanoTime() - killedAt);
    await().atMost(TIMEOUT).pollInterval(Duration.ofMillis(20))
        .until(() -> survivors.stream().allMatch(i -> STREAMED.stream().anyMatch(s -> count(i, s) > atKill.get(i).get(s))));
    Duration nextTick = Duration.ofNanos(System.nanoTime() - killedAt);
    await().atMost(TIMEOUT).until(() -> survivors.stream()
        .allMatch(i -> STREAMED.stream().allMatch(s -> count(i, s) >= atKill.get(i).get(s) + 2)));
    System.out.printf("FIGURES cluster instance killed (leases not released): lease left %d ms at the kill (%d ms once"
            + " the instance was closed), polls taken over in %d ms, first tick on the survivors after %d ms"
            + " (lease ttl %d ms, renewed every %d ms)%n",
        pttl, pttlAfterClose, takeover.toMillis(), nextTick.toMillis(), LEASE_TTL.toMillis(), renew.toMillis());
    // PTTL is -2 once the key is gone: a released lease (or one expired during a slow close).
    assertThat(pttl).as("the killed instance's lease is still in Redis at the kill").isPositive();
    Set<String> polled = new HashSet<>();
    for (ConfigurableApplicationContext g : live()) {
      for (String s : hub(g).polledSymbols()) {
        assertThat(polled.add(s)).as("%s polled by one instance only", s).isTrue();
      }
    }
    // The lease expires at most lease-ttl after the kill; a survivor tries it at its next
    // renewal round (every lease-ttl / 3): the bound is their sum (plus this machine's slack).
    assertThat(takeover).as("takeover after the kill (lease ttl %s, renewal every %s)", LEASE_TTL, renew)
        .isGreaterThanOrEqualTo(Duration.ofMillis(pttl).minus(Duration.ofMillis(200)))
        .isLessThan(LEASE_TTL.plus(renew).plusSeconds(1));
  }

  @Test
  @Order(6)
  void aMasterKilledMidRunFailsNoRequestAndTheClusterIsUsedAgainAfterFailover() throws Exception {
    List<ConfigurableApplicationContext> gw = live();
    assertThat(gw).hasSize(2);
    int f1 = gateways.indexOf(gw.get(0));
    int f2 = gateways.indexOf(gw.get(1));
    sim.reset();
    List<String> symbols = universe.subList(200, 440);
    Queue<Integer> statuses = new ConcurrentLinkedQueue<>();
    Sinks.Empty<Void> stop = Sinks.empty();
    AtomicInteger inFlight = new AtomicInteger();
    Disposable load = Flux.range(0, Integer.MAX_VALUE)
        .flatMap(i -> {
          String uri = i % 7 == 0
              ? "/api/v1/quotes?symbols=" + String.join(",", symbols.subList((i / 7) % 200, (i / 7) % 200 + 20))
              : "/api/v1/quotes/" + symbols.get(i % symbols.size());
          inFlight.incrementAndGet();
          return get(gw.get(i % 2), uri).map(Map.Entry::getKey)
              .timeout(Duration.ofSeconds(20))
              .onErrorReturn(-1)
              .doFinally(s -> inFlight.decrementAndGet());
        }, 16)
        .takeUntilOther(stop.asMono())
        .subscribe(statuses::add);
    try {
      await().atMost(TIMEOUT).until(() -> statuses.size() > 300);
      List<Integer> mastersBefore = cluster.masters();
      // the master of the slot of a streamed symbol's tick channel: its subscriptions must move
      int victim = cluster.masterOf(prefix + ":stream:ticks:{" + STREAMED.get(0) + "}");
      Map<String, Integer> ticksBefore = snapshot(f1);
      Map<String, Integer> ticksBefore2 = snapshot(f2);
      int answeredBeforeKill = statuses.size();
      int inFlightAtKill = inFlight.get();
      long killedAt = System.nanoTime();
      cluster.kill(victim);
      cluster.awaitHealthy(TIMEOUT);
      Duration failover = Duration.ofNanos(System.nanoTime() - killedAt);
      List<Integer> mastersAfter = cluster.masters();
      assertThat(mastersAfter).as("a replica promoted in place of %d", victim).hasSize(3).doesNotContain(victim);
      int afterFailover = statuses.size();
      await().atMost(TIMEOUT).until(() -> statuses.size() > afterFailover + 600);
      stop.tryEmitEmpty();
      load.dispose();
      long failed = statuses.stream().filter(s -> s != 200).count();
      System.out.printf("FIGURES cluster master killed: %d requests (%d before the kill, %d in flight at it), non-200 %d;"
              + " failover (replica promoted, cluster_state ok) %d ms; masters %s -> %s%n",
          statuses.size(), answeredBeforeKill, inFlightAtKill, failed, failover.toMillis(), mastersBefore, mastersAfter);
      assertThat(failed).as("failed client requests across the master's death (in flight at the kill: %d)", inFlightAtKill)
          .isZero();

      // Used again without a restart: a value written through one instance into a slot of the
      // promoted master is read by the other from Redis, with no upstream call.
      int promoted = mastersAfter.stream().filter(p -> !mastersBefore.contains(p)).findFirst().orElseThrow();
      List<String> candidates = new ArrayList<>();
      for (String s : universe.subList(440, 500)) {
        if (cluster.masterOf(prefix + ":c1:quote:{" + s + "}") == promoted) {
          candidates.add(s);
        }
      }
      assertThat(candidates).as("cold symbols whose slot the promoted master serves").isNotEmpty();
      int[] next = {0};
      await().atMost(TIMEOUT).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
        String s = candidates.get(next[0]++ % candidates.size());
        assertThat(get(gw.get(0), "/api/v1/quotes/" + s).block(TIMEOUT).getKey()).isEqualTo(200);
        long upstream = simulator.stats().requests();
        Map.Entry<Integer, String> res = get(gw.get(1), "/api/v1/quotes/" + s).block(TIMEOUT);
        assertThat(res.getKey()).isEqualTo(200);
        assertThat(res.getValue()).as("Server-Timing on the other instance for %s", s).startsWith("cache;desc=hit");
        assertThat(simulator.stats().requests()).as("upstream requests of the other instance").isEqualTo(upstream);
      });
      // Sharded subscriptions moved with the slots: followers keep getting every symbol's ticks.
      await().atMost(TIMEOUT).until(() -> STREAMED.stream()
          .allMatch(s -> count(f1, s) >= ticksBefore.get(s) + 2 && count(f2, s) >= ticksBefore2.get(s) + 2));
    } finally {
      load.dispose();
    }
  }

  // --- helpers ---------------------------------------------------------------------------

  private static double leaseFailures() {
    double n = 0;
    for (ConfigurableApplicationContext g : live()) {
      Map<String, Long> l = g.getBean(Caches.class).get(dev.quotegate.cache.CacheKind.QUOTE).stats().lease();
      n += l.get("error") + l.get("timeout") + l.get("unhealthy") + l.get("skipped");
    }
    return n;
  }

  private static String leases() {
    StringBuilder sb = new StringBuilder();
    for (ConfigurableApplicationContext g : live()) {
      sb.append(g.getBean(Caches.class).get(dev.quotegate.cache.CacheKind.QUOTE).stats().lease()).append(' ');
    }
    return sb.toString();
  }

  private static void subscribe(int instance) {
    Map<String, AtomicInteger> perSymbol = ticks.computeIfAbsent(instance, k -> new ConcurrentHashMap<>());
    HttpClient c = HttpClient.newConnection().baseUrl("http://127.0.0.1:" + port(gateways.get(instance)));
    streams.add(SseClient.connect(c, "/api/v1/stream/quotes?symbols=" + String.join(",", STREAMED), null)
        .filter(e -> e.getValue().isQuote())
        .subscribe(e -> {
          for (var quote : JSON.readTree(e.getValue().data())) {
            perSymbol.computeIfAbsent(quote.get("symbol").asString(), k -> new AtomicInteger()).incrementAndGet();
          }
        }, e -> { }));
  }

  private static int count(int instance, String symbol) {
    AtomicInteger n = ticks.getOrDefault(instance, Map.of()).get(symbol);
    return n == null ? 0 : n.get();
  }

  private static int total(int instance) {
    return ticks.getOrDefault(instance, Map.of()).values().stream().mapToInt(AtomicInteger::get).sum();
  }

  private static Map<String, Integer> snapshot(int instance) {
    Map<String, Integer> out = new java.util.HashMap<>();
    for (String s : STREAMED) {
      out.put(s, count(instance, s));
    }
    return out;
  }

  private static QuoteStreamHub hub(ConfigurableApplicationContext ctx) {
    return ctx.getBean(QuoteStreamHub.class);
  }

  private static List<String> lines(String out) {
    return out.lines().map(String::trim).filter(l -> !l.isEmpty()).toList();
  }
}
