package dev.quotegate.stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.quotegate.QuotegateApplication;
import dev.quotegate.simulator.Simulator;
import dev.quotegate.simulator.SimulatorProperties;
import dev.quotegate.testsupport.RequiresServices;
import dev.quotegate.testsupport.RequiresServices.Service;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import reactor.core.Disposable;
import reactor.core.Disposables;
import reactor.netty.http.client.HttpClient;

/**
 * Two gateway instances (two Spring contexts in this JVM) sharing the Redis at localhost and
 * one standalone simulator: each symbol is polled by exactly one instance, the other fans out
 * its ticks from Redis pub/sub; closing the polling instance moves polling to the other within
 * the lease time while its subscribers keep receiving. Keys under a unique prefix per run.
 */
@RequiresServices(Service.REDIS)
class StreamFailoverIT {

  private static final Duration LEASE_TTL = Duration.ofSeconds(3);
  private static final Duration WAIT = Duration.ofSeconds(60);

  Simulator sim;
  String prefix;
  ConfigurableApplicationContext a;
  ConfigurableApplicationContext b;
  Disposable.Composite streams = Disposables.composite();

  @BeforeEach
  void setUp() {
    sim = Simulator.create(SimulatorProperties.defaults().withPort(0)).start();
    prefix = "quotegate-test-" + UUID.randomUUID();
    a = instance();
    b = instance();
  }

  @AfterEach
  void tearDown() {
    streams.dispose();
    if (a != null) {
      a.close();
    }
    if (b != null) {
      b.close();
    }
    sim.stop();
  }

  private ConfigurableApplicationContext instance() {
    return new SpringApplicationBuilder(QuotegateApplication.class, OwnNettyResources.class)
        .run(
            "--server.port=0",
            "--spring.main.banner-mode=off",
            "--quotegate.simulator.enabled=false",
            "--quotegate.providers.sim.base-url=" + sim.baseUrl(),
            "--quotegate.redis.url=redis://127.0.0.1:6379",
            "--quotegate.streams.redis.key-prefix=" + prefix,
            "--quotegate.streams.redis.lease-ttl=" + LEASE_TTL.toMillis() + "ms",
            "--quotegate.quotes.ttl-market-open=1s",
            "--quotegate.quotes.ttl-market-closed=1s",
            "--quotegate.streams.grace-period=5s");
  }

  /**
   * Two contexts in one JVM: by default each context's ReactorResourceFactory disposes
   * Reactor Netty's global loops and pools on close, which would kill the surviving
   * instance's upstream client (and this test's clients) with it. One process per instance,
   * as in production, has no such coupling.
   */
  @org.springframework.context.annotation.Configuration(proxyBeanMethods = false)
  static class OwnNettyResources {
    @org.springframework.context.annotation.Bean
    org.springframework.http.client.ReactorResourceFactory reactorResourceFactory() {
      org.springframework.http.client.ReactorResourceFactory f = new org.springframework.http.client.ReactorResourceFactory();
      f.setUseGlobalResources(false);
      return f;
    }
  }

  private static int port(ConfigurableApplicationContext ctx) {
    return Integer.parseInt(ctx.getEnvironment().getRequiredProperty("local.server.port"));
  }

  private static QuoteStreamHub hub(ConfigurableApplicationContext ctx) {
    return ctx.getBean(QuoteStreamHub.class);
  }

  private static double polls(ConfigurableApplicationContext ctx) {
    return ctx.getBean(io.micrometer.core.instrument.MeterRegistry.class)
        .get("quotegate.stream.polls").counters().stream().mapToDouble(c -> c.count()).sum();
  }

  private static String meter(ConfigurableApplicationContext ctx, String name) {
    StringBuilder sb = new StringBuilder();
    ctx.getBean(io.micrometer.core.instrument.MeterRegistry.class).find(name).meters()
        .forEach(m -> sb.append(m.getId().getTags()).append('=').append(m.measure().iterator().next().getValue()).append(' '));
    return sb.toString();
  }

  private AtomicInteger subscribe(ConfigurableApplicationContext ctx, List<String> symbols) {
    AtomicInteger quotes = new AtomicInteger();
    HttpClient client = HttpClient.newConnection().baseUrl("http://127.0.0.1:" + port(ctx));
    streams.add(SseClient.connect(client, "/api/v1/stream/quotes?symbols=" + String.join(",", symbols), null)
        .filter(e -> e.getValue().isQuote())
        .subscribe(e -> quotes.incrementAndGet(), e -> { }));
    return quotes;
  }

  @Test
  void eachSymbolIsPolledByOneInstanceAndPollingMovesWhenItsInstanceCloses() {
    List<String> symbols = List.of("AAPL", "MSFT", "NVDA", "AMZN", "GOOGL");
    AtomicInteger onA = subscribe(a, symbols);
    await().atMost(WAIT).until(() -> onA.get() >= 2);
    AtomicInteger onB = subscribe(b, symbols);
    await().atMost(WAIT).until(() -> onB.get() >= 3);

    Set<String> polledByA = hub(a).polledSymbols();
    Set<String> polledByB = hub(b).polledSymbols();
    assertThat(polledByA).as("the first instance holds every lease").containsExactlyInAnyOrderElementsOf(symbols);
    assertThat(polledByB).as("the second instance polls nothing, it follows the bus").isEmpty();
    assertThat(hub(b).symbols()).as("but it has a feed for each").containsExactlyInAnyOrderElementsOf(symbols);

    // Upstream sees one poller: each symbol at most once per 1 s refresh, however many
    // instances stream it (two pollers would double it).
    double pollsByB = polls(b);
    sim.reset(false);
    long start = System.nanoTime();
    await().pollDelay(Duration.ofSeconds(4)).atMost(WAIT).until(() -> true);
    double seconds = (System.nanoTime() - start) / 1e9;
    long symbolsRequested = sim.stats().symbolsRequested();
    assertThat(symbolsRequested).as("symbols requested upstream in %.1f s", seconds)
        .isPositive()
        .isLessThanOrEqualTo((long) (symbols.size() * (Math.floor(seconds) + 1)));
    assertThat(polls(b)).as("the follower polled nothing").isEqualTo(pollsByB);

    // The polling instance goes away: the other takes the leases over and keeps its clients fed.
    a.close();
    long closedAt = System.nanoTime();
    await().atMost(WAIT).until(() -> hub(b).polledSymbols().size() == symbols.size());
    Duration takeover = Duration.ofNanos(System.nanoTime() - closedAt);
    assertThat(takeover).as("takeover after the holder closed (lease ttl %s)", LEASE_TTL).isLessThan(LEASE_TTL);
    int atTakeover = onB.get();
    double pollsAtTakeover = polls(b);
    try {
      await().atMost(WAIT).until(() -> onB.get() >= atTakeover + 2);
    } catch (org.awaitility.core.ConditionTimeoutException e) {
      throw new AssertionError("no updates after takeover: events " + onB.get() + " (at takeover " + atTakeover
          + "), polls " + polls(b) + " (at takeover " + pollsAtTakeover + "), ticks " + meter(b, "quotegate.stream.ticks")
          + ", events sent " + meter(b, "quotegate.stream.events") + ", connections " + meter(b, "quotegate.stream.connections"), e);
    }
    a = null;
  }
}
