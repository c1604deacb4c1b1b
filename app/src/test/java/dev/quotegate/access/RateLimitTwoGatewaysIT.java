package dev.quotegate.access;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quotegate.QuotegateApplication;
import dev.quotegate.simulator.Simulator;
import dev.quotegate.simulator.SimulatorProperties;
import dev.quotegate.testsupport.IsolatedNetty;
import dev.quotegate.testsupport.RedisKeys;
import dev.quotegate.testsupport.RequiresServices;
import dev.quotegate.testsupport.RequiresServices.Service;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.netty.http.client.HttpClient;
import reactor.netty.resources.ConnectionProvider;

/**
 * Two gateway instances sharing the Redis at localhost: one key limited to 10 tokens/s with a
 * burst of 20 is one bucket for both. A burst of 200 requests spread over the two gets the
 * burst plus what refilled while it ran through, not twice that; every refusal is a 429 with
 * RateLimit and Retry-After. The figures are printed (docs/reliability.md).
 */
@RequiresServices(Service.REDIS)
class RateLimitTwoGatewaysIT {

  static final String KEY = "qg-it-two-gateways-key-7f3a";
  static final String KEY_SHA = ApiKeys.sha256(KEY);
  private static final Duration TIMEOUT = Duration.ofSeconds(60);

  record Answer(int instance, int status, String rateLimit, String policy, String retryAfter, long atNanos) {}

  static Simulator simulator;
  static RedisKeys keys;
  static ConfigurableApplicationContext a;
  static ConfigurableApplicationContext b;
  static ConnectionProvider connections;
  static HttpClient client;

  @BeforeAll
  static void start() {
    simulator = Simulator.create(SimulatorProperties.defaults().withPort(0)).start();
    keys = new RedisKeys();
    a = gateway();
    b = gateway();
    connections = ConnectionProvider.builder("rate-limit-two").maxConnections(64).pendingAcquireMaxCount(-1).build();
    client = HttpClient.create(connections);
  }

  @AfterAll
  static void stop() {
    for (AutoCloseable c : new AutoCloseable[] {a, b}) {
      if (c != null) {
        try {
          c.close();
        } catch (Exception ignored) {
          // closing a context that failed to start
        }
      }
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
    return new SpringApplicationBuilder(QuotegateApplication.class, IsolatedNetty.class).run(
        "--server.port=0",
        "--quotegate.simulator.enabled=false",
        "--quotegate.providers.sim.base-url=http://127.0.0.1:" + simulator.port(),
        "--quotegate.redis.url=" + RedisKeys.LOCAL_URL,
        "--quotegate.redis.key-prefix=" + keys.prefix(),
        // generous: the build machines are shared and busy; the default is 250ms
        "--quotegate.redis.command-timeout=2s",
        "--quotegate.quotes.ttl-market-open=10m",
        "--quotegate.quotes.ttl-market-closed=10m",
        "--quotegate.security.api-keys[0].id=dash",
        "--quotegate.security.api-keys[0].sha256=" + KEY_SHA,
        "--quotegate.security.api-keys[0].requests-per-second=10",
        "--quotegate.security.api-keys[0].burst=20");
  }

  static int port(ConfigurableApplicationContext ctx) {
    return Integer.parseInt(ctx.getEnvironment().getRequiredProperty("local.server.port"));
  }

  @Test
  void aBurstOfTwoHundredOverTwoInstancesGetsTheSharedBurstPlusTheRefillAndTheRest429() {
    int[] ports = {port(a), port(b)};
    String symbol = "AAPL";
    long start = System.nanoTime();
    List<Answer> answers = Flux.range(0, 200)
        .flatMap(i -> client.headers(h -> h.set("X-API-Key", KEY)).get()
            .uri("http://127.0.0.1:" + ports[i % 2] + "/api/v1/quotes/" + symbol)
            .responseSingle((res, body) -> body.then(Mono.fromSupplier(() -> new Answer(i % 2, res.status().code(),
                res.responseHeaders().get("RateLimit"), res.responseHeaders().get("RateLimit-Policy"),
                res.responseHeaders().get("Retry-After"), System.nanoTime())))), 16)
        .collectList()
        .block(TIMEOUT);
    double seconds = (answers.stream().mapToLong(Answer::atNanos).max().orElseThrow() - start) / 1e9;
    long ok = answers.stream().filter(x -> x.status() == 200).count();
    long refused = answers.stream().filter(x -> x.status() == 429).count();
    long okA = answers.stream().filter(x -> x.status() == 200 && x.instance() == 0).count();
    long okB = ok - okA;
    System.out.printf("two instances, key 10/s burst 20: 200 requests in %.2f s: %d x 200 (%d on a, %d on b), %d x 429, other %d%n",
        seconds, ok, okA, okB, refused, 200 - ok - refused);
    assertThat(ok + refused).as("every answer is 200 or 429").isEqualTo(200);
    assertThat(ok).as("admitted: the burst of 20 plus 10/s over %.2f s, one bucket for both instances", seconds)
        .isGreaterThanOrEqualTo(20)
        .isLessThanOrEqualTo(20 + (long) Math.ceil(10 * seconds) + 1);
    assertThat(okA).as("instance a admitted some").isPositive();
    assertThat(okB).as("instance b admitted some").isPositive();
    for (Answer x : answers) {
      assertThat(x.policy()).as("RateLimit-Policy").isEqualTo("\"dash\";q=20;w=2");
      assertThat(x.rateLimit()).as("RateLimit").startsWith("\"dash\";r=");
      if (x.status() == 429) {
        assertThat(x.retryAfter()).as("Retry-After of a 429").isEqualTo("1");
      }
    }
    MeterRegistry ra = a.getBean(MeterRegistry.class);
    MeterRegistry rb = b.getBean(MeterRegistry.class);
    double rejected = ra.get("quotegate.ratelimit.requests").tag("client", "dash").tag("outcome", "rejected").counter().count()
        + rb.get("quotegate.ratelimit.requests").tag("client", "dash").tag("outcome", "rejected").counter().count();
    assertThat(rejected).as("rejections counted by key id").isEqualTo(refused);
    assertThat(ra.get("quotegate.ratelimit.fallback").tag("mode", "local").counter().count()
        + rb.get("quotegate.ratelimit.fallback").tag("mode", "local").counter().count())
        .as("requests decided without Redis").isZero();
    assertThat(keys.count()).as("the bucket lives in Redis under the run's prefix").isPositive();
    assertThat(keys.sync().exists(keys.prefix() + ":rl:{key:dash}")).as("hash-tagged bucket key").isEqualTo(1);
  }
}
