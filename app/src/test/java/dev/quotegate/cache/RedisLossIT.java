package dev.quotegate.cache;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quotegate.QuotegateApplication;
import dev.quotegate.testsupport.PrivateRedis;
import dev.quotegate.testsupport.RedisKeys;
import dev.quotegate.testsupport.SimulatorAdmin;
import java.time.Duration;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.netty.http.client.HttpClient;
import reactor.netty.resources.ConnectionProvider;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Redis lost under load: a private redis-server killed and started again while clients keep
 * asking. No client request fails, health shows {@code redis} unavailable with the gateway UP,
 * and the gateway writes to Redis again once it is back.
 */
class RedisLossIT {

  private static final Duration TIMEOUT = Duration.ofSeconds(30);
  private static final JsonMapper JSON = JsonMapper.builder().build();

  @Test
  void losingRedisUnderLoadFailsNoRequestAndRedisIsUsedAgainWhenItReturns() throws Exception {
    try (PrivateRedis redis = PrivateRedis.startOrSkip()) {
      ConfigurableApplicationContext ctx = new SpringApplicationBuilder(QuotegateApplication.class)
          
        // command-line arguments: they win over application.yml (server.port: 8080)
        .run(
              "--server.port=0",
              "--quotegate.simulator.port=0",
              "--quotegate.redis.url=" + redis.url(),
              "--quotegate.redis.command-timeout=200ms",
              "--quotegate.admin.token=t0ken",
              "--quotegate.redis.reconnect-delay-max=500ms",
              "--quotegate.redis.breaker-open-for=500ms",
              // Short freshness: the load keeps reading L2, taking leases and writing fills.
              "--quotegate.quotes.ttl-market-open=300ms",
              "--quotegate.quotes.ttl-market-closed=300ms",
              "--logging.level.dev.quotegate.cache=DEBUG");
      ConnectionProvider pool = ConnectionProvider.builder("redis-loss").maxConnections(64).build();
      Disposable load = null;
      try {
        int port = Integer.parseInt(ctx.getEnvironment().getRequiredProperty("local.server.port"));
        SimulatorAdmin sim = new SimulatorAdmin(Integer.parseInt(ctx.getEnvironment().getRequiredProperty("local.simulator.port")));
        List<String> symbols = sim.symbols(60);
        HttpClient http = HttpClient.create(pool).baseUrl("http://127.0.0.1:" + port);
        Queue<Integer> statuses = new ConcurrentLinkedQueue<>();
        Sinks.Empty<Void> stop = Sinks.empty();
        load = Flux.range(0, Integer.MAX_VALUE)
            .flatMap(i -> {
              String uri = i % 5 == 0
                  ? "/api/v1/quotes?symbols=" + String.join(",", symbols.subList((i / 5) % 40, (i / 5) % 40 + 20))
                  : "/api/v1/quotes/" + symbols.get(i % symbols.size());
              return http.get().uri(uri)
                  .responseSingle((res, body) -> body.then(Mono.just(res.status().code())))
                  .timeout(Duration.ofSeconds(10))
                  .onErrorReturn(-1);
            }, 16)
            .takeUntilOther(stop.asMono())
            .subscribe(statuses::add);

        Awaitility.await().atMost(TIMEOUT).until(() -> statuses.size() > 300);
        try (RedisKeys check = new RedisKeys(redis.url())) {
          assertThat(check.sync().dbsize()).as("keys written while Redis was up").isPositive();
        }

        redis.kill();
        int beforeOutage = statuses.size();
        Awaitility.await().atMost(TIMEOUT).until(() -> statuses.size() > beforeOutage + 500);
        JsonNode down = health(http);
        assertThat(down.at("/status").asString()).as("overall health with Redis gone").isEqualTo("UP");
        assertThat(down.at("/components/redis/status").asString()).isEqualTo("UNAVAILABLE");

        redis.start();
        Awaitility.await().atMost(TIMEOUT).until(() -> "UP".equals(health(http).at("/components/redis/status").asString()));
        try (RedisKeys check = new RedisKeys(redis.url())) {
          Awaitility.await().atMost(TIMEOUT).untilAsserted(() ->
              assertThat(check.sync().dbsize()).as("keys written after Redis returned").isPositive());
        }
        int afterReturn = statuses.size();
        Awaitility.await().atMost(TIMEOUT).until(() -> statuses.size() > afterReturn + 300);
        stop.tryEmitEmpty();

        assertThat(statuses).as("client statuses across the Redis outage").isNotEmpty().containsOnly(200);
        double l2Errors = ctx.getBean(io.micrometer.core.instrument.MeterRegistry.class)
            .find("quotegate.cache.requests").tags("tier", "l2", "outcome", "error").counters()
            .stream().mapToDouble(c -> c.count()).sum();
        assertThat(l2Errors).as("L2 read failures counted during the outage").isPositive();
      } finally {
        if (load != null) {
          load.dispose();
        }
        pool.dispose();
        ctx.close();
      }
    }
  }

  private static JsonNode health(HttpClient http) {
    // health details need the admin token
    String body = http.headers(h -> h.set("authorization", "Bearer t0ken")).get().uri("/actuator/health")
        .responseSingle((res, b) -> b.asString()).block(TIMEOUT);
    return JSON.readTree(body);
  }

}
