package dev.quotegate.cache;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quotegate.QuotegateApplication;
import dev.quotegate.simulator.Simulator;
import dev.quotegate.simulator.SimulatorProperties;
import dev.quotegate.testsupport.RedisKeys;
import dev.quotegate.testsupport.RequiresServices;
import dev.quotegate.testsupport.RequiresServices.Service;
import dev.quotegate.testsupport.SimulatorAdmin;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.netty.http.client.HttpClient;
import reactor.netty.resources.ConnectionProvider;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Two gateway instances (two application contexts in this JVM, random ports) sharing the Redis
 * at localhost and one standalone simulator: the simulator's request count is the proof of
 * cross-instance coalescing and of a warm restart.
 */
@RequiresServices(Service.REDIS)
class TwoGatewaysIT {

  private static final Duration TIMEOUT = Duration.ofSeconds(30);
  private static final JsonMapper JSON = JsonMapper.builder().build();

  static Simulator simulator;
  static SimulatorAdmin sim;
  static RedisKeys keys;
  static ConfigurableApplicationContext a;
  static ConfigurableApplicationContext b;
  static ConnectionProvider connections;
  static HttpClient client;

  @BeforeAll
  static void start() {
    simulator = Simulator.create(SimulatorProperties.defaults().withPort(0)).start();
    sim = new SimulatorAdmin(simulator.port());
    keys = new RedisKeys();
    a = gateway();
    b = gateway();
    connections = ConnectionProvider.builder("two-gateways").maxConnections(600).pendingAcquireMaxCount(-1).build();
    client = HttpClient.create(connections);
  }

  @AfterAll
  static void stop() {
    if (a != null) {
      a.close();
    }
    if (b != null) {
      b.close();
    }
    if (connections != null) {
      connections.dispose();
    }
    if (simulator != null) {
      simulator.stop();
    }
    if (keys != null) {
      keys.close();
    }
  }

  static ConfigurableApplicationContext gateway() {
    ConfigurableApplicationContext ctx = new SpringApplicationBuilder(QuotegateApplication.class, dev.quotegate.testsupport.IsolatedNetty.class)
        
        // command-line arguments: they win over application.yml (server.port: 8080)
        .run(
            "--server.port=0",
            "--quotegate.simulator.enabled=false",
            "--quotegate.providers.sim.base-url=http://127.0.0.1:" + simulator.port(),
            "--quotegate.redis.url=" + RedisKeys.LOCAL_URL,
            "--quotegate.redis.key-prefix=" + keys.prefix(),
            "--quotegate.admin.token=t0ken",
            // generous: the build machines are shared and busy; the default is 250ms
            "--quotegate.redis.command-timeout=2s",
            // a restart takes longer than the 5 s market-hours TTL: keep the warm value fresh
            "--quotegate.quotes.ttl-market-open=10m",
            "--quotegate.quotes.ttl-market-closed=10m",
            "--logging.level.dev.quotegate.cache=DEBUG");
    Caches caches = ctx.getBean(Caches.class);
    Awaitility.await().atMost(TIMEOUT).until(caches::fillsListening);
    return ctx;
  }

  static int port(ConfigurableApplicationContext ctx) {
    return Integer.parseInt(ctx.getEnvironment().getRequiredProperty("local.server.port"));
  }

  static Map.Entry<Integer, String> get(ConfigurableApplicationContext ctx, String path) {
    // the admin token: health details are the operator's (anonymous callers see the status)
    return client.headers(h -> h.set("authorization", "Bearer t0ken")).get().uri("http://127.0.0.1:" + port(ctx) + path)
        .responseSingle((res, body) -> body.asString().defaultIfEmpty("")
            .map(s -> Map.entry(res.status().code(), res.responseHeaders().get("Server-Timing", "") + "\n" + s)))
        .block(TIMEOUT);
  }

  @BeforeEach
  void reset() {
    sim.reset();
  }

  @Test
  void fiveHundredConcurrentRequestsForOneColdSymbolOverTwoInstancesMakeOneUpstreamRequest() {
    String cold = sim.symbols(301).get(300);
    sim.reset();
    sim.faults("{\"latencyMs\":150}");
    int[] ports = {port(a), port(b)};
    List<Integer> statuses = Flux.range(0, 500)
        .flatMap(i -> client.get().uri("http://127.0.0.1:" + ports[i % 2] + "/api/v1/quotes/" + cold)
            .responseSingle((res, body) -> body.then(Mono.just(res.status().code()))), 500)
        .collectList()
        .block(TIMEOUT);
    assertThat(statuses).hasSize(500).containsOnly(200);
    assertThat(sim.requests()).as("upstream requests for 500 concurrent requests over two instances").isEqualTo(1);
  }

  @Test
  void aRestartedInstanceServesASymbolCachedInRedisWithoutAnUpstreamRequest() {
    String symbol = sim.symbols(311).get(310);
    sim.reset();
    assertThat(get(a, "/api/v1/quotes/" + symbol).getKey()).isEqualTo(200);
    assertThat(sim.requests()).isEqualTo(1);
    b.close();
    b = gateway();
    sim.reset();
    Map.Entry<Integer, String> res = get(b, "/api/v1/quotes/" + symbol);
    assertThat(res.getKey()).isEqualTo(200);
    assertThat(res.getValue()).as("Server-Timing of the restarted instance").startsWith("cache;desc=hit");
    assertThat(sim.requests()).as("upstream requests of the restarted instance").isZero();
  }

  @Test
  void aFiftySymbolBatchWarmOnOneInstanceIsServedByTheOtherFromRedis() {
    List<String> symbols = sim.symbols(400).subList(350, 400);
    sim.reset();
    String uri = "/api/v1/quotes?symbols=" + String.join(",", symbols);
    assertThat(get(a, uri).getKey()).isEqualTo(200);
    long upstream = sim.requests();
    Map.Entry<Integer, String> res = get(b, uri);
    assertThat(res.getKey()).isEqualTo(200);
    JsonNode body = JSON.readTree(res.getValue().substring(res.getValue().indexOf('\n') + 1));
    assertThat(body.get("quotes").size()).isEqualTo(50);
    assertThat(sim.requests()).as("upstream requests of the second instance").isEqualTo(upstream);
  }

  @Test
  void healthShowsRedisUpAndAdminShowsBothTiers() {
    Map.Entry<Integer, String> health = get(a, "/actuator/health");
    assertThat(health.getKey()).isEqualTo(200);
    JsonNode h = JSON.readTree(health.getValue().substring(health.getValue().indexOf('\n') + 1));
    assertThat(h.at("/components/redis/status").asString()).isEqualTo("UP");
    String stats = client.headers(hs -> hs.set("Authorization", "Bearer t0ken")).get()
        .uri("http://127.0.0.1:" + port(a) + "/api/v1/admin/cache")
        .responseSingle((res, body) -> body.asString()).block(TIMEOUT);
    JsonNode s = JSON.readTree(stats);
    assertThat(s.at("/redis/enabled").asBoolean()).isTrue();
    assertThat(s.at("/redis/url").asString()).isEqualTo("redis://127.0.0.1:6379");
    assertThat(s.at("/kinds/0/kind").asString()).isEqualTo("quote");
    assertThat(s.at("/kinds/0/l2").isObject()).isTrue();
  }
}
