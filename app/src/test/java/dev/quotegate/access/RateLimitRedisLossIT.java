package dev.quotegate.access;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quotegate.QuotegateApplication;
import dev.quotegate.testsupport.PrivateRedis;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.netty.http.client.HttpClient;
import reactor.netty.resources.ConnectionProvider;

/**
 * Redis killed under load: the rate limits fall back to in-process buckets with the same
 * limits (quotegate.rate-limit.on-redis-failure=local), counted; requests keep being served
 * within those limits, and none is answered 5xx.
 */
class RateLimitRedisLossIT {

  static final String KEY = "qg-it-redis-loss-key-91c2";

  record Answer(int status, boolean afterKill) {}

  @Test
  void killingRedisUnderLoadKeepsServingUnderLocalLimitsWithNo5xx() throws Exception {
    try (PrivateRedis redis = PrivateRedis.startOrSkip()) {
      ConfigurableApplicationContext ctx = new SpringApplicationBuilder(QuotegateApplication.class).run(
          "--server.port=0",
          "--quotegate.simulator.port=0",
          "--quotegate.redis.url=" + redis.url(),
          // generous: the build machines are shared and busy (a timeout before the kill is decided locally too)
          "--quotegate.redis.command-timeout=1s",
          "--quotegate.redis.reconnect-delay-max=500ms",
          "--quotegate.redis.breaker-open-for=500ms",
          // the test kills Redis: Lettuce's failed reconnects are expected (the gateway's own WARN stays)
          "--logging.level.io.lettuce.core.protocol.ConnectionWatchdog=ERROR",
          "--quotegate.security.api-keys[0].id=loss",
          "--quotegate.security.api-keys[0].sha256=" + ApiKeys.sha256(KEY),
          "--quotegate.security.api-keys[0].requests-per-second=20",
          "--quotegate.security.api-keys[0].burst=20");
      ConnectionProvider pool = ConnectionProvider.builder("rate-limit-loss").maxConnections(32).build();
      try {
        int port = Integer.parseInt(ctx.getEnvironment().getRequiredProperty("local.server.port"));
        HttpClient http = HttpClient.create(pool).baseUrl("http://127.0.0.1:" + port)
            .headers(h -> h.set("X-API-Key", KEY));
        MeterRegistry registry = ctx.getBean(MeterRegistry.class);
        // warm the quote, so the load measures admission, not the upstream
        http.get().uri("/api/v1/quotes/AAPL").responseSingle((r, b) -> b.then()).block(Duration.ofSeconds(30));
        AtomicBoolean killed = new AtomicBoolean();
        Queue<Answer> answered = new ConcurrentLinkedQueue<>();
        // ~80 requests/s for 6 s (4x the key's rate); Redis killed after 170 answers
        CompletableFuture<List<Answer>> load = Flux.interval(Duration.ofMillis(12)).take(500)
            .onBackpressureBuffer()
            .flatMap(i -> {
              boolean after = killed.get();
              return http.get().uri("/api/v1/quotes/AAPL")
                  .responseSingle((res, body) -> body.then(Mono.fromSupplier(() -> new Answer(res.status().code(), after))))
                  .doOnNext(answered::add);
            }, 32)
            .collectList()
            .toFuture();
        long start = System.nanoTime();
        Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> answered.size() >= 170);
        double beforeSeconds = (System.nanoTime() - start) / 1e9;
        redis.kill();
        killed.set(true);
        List<Answer> answers = load.get(90, TimeUnit.SECONDS);
        double afterSeconds = (System.nanoTime() - start) / 1e9 - beforeSeconds;
        long fiveXx = answers.stream().filter(x -> x.status() >= 500).count();
        long okAfter = answers.stream().filter(x -> x.afterKill() && x.status() == 200).count();
        long refusedAfter = answers.stream().filter(x -> x.afterKill() && x.status() == 429).count();
        long okBefore = answers.stream().filter(x -> !x.afterKill() && x.status() == 200).count();
        long refusedBefore = answers.stream().filter(x -> !x.afterKill() && x.status() == 429).count();
        double fallback = registry.get("quotegate.ratelimit.fallback").tag("mode", "local").counter().count();
        System.out.printf("redis killed mid-load (key 20/s burst 20): before (%.1f s): %d x 200, %d x 429; after (%.1f s): %d x 200, "
            + "%d x 429; 5xx %d; decided locally %.0f%n", beforeSeconds, okBefore, refusedBefore, afterSeconds, okAfter, refusedAfter,
            fiveXx, fallback);
        assertThat(fiveXx).as("5xx answers").isZero();
        assertThat(answers).allMatch(x -> x.status() == 200 || x.status() == 429);
        assertThat(okBefore).as("admitted by the Redis bucket").isPositive();
        assertThat(refusedBefore).as("refused by the Redis bucket").isPositive();
        assertThat(okAfter).as("served after Redis died").isPositive();
        assertThat(refusedAfter).as("the local bucket still limits").isPositive();
        assertThat(fallback).as("requests decided by the local buckets, counted").isGreaterThanOrEqualTo(okAfter);
      } finally {
        pool.dispose();
        ctx.close();
      }
    }
  }
}
