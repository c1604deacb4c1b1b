package dev.quotegate.provider;

import static dev.quotegate.testsupport.FixtureServer.fixture;
import static dev.quotegate.testsupport.FixtureServer.json;
import static dev.quotegate.testsupport.FixtureServer.text;
import static org.assertj.core.api.Assertions.assertThat;

import dev.quotegate.calendar.BarInterval;
import dev.quotegate.testsupport.FixtureServer;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.webtestclient.autoconfigure.AutoConfigureWebTestClient;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Primary;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.reactive.server.WebTestClient;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * The whole gateway with every real provider enabled, test keys set, against a local fixture
 * server: a run through successes and every error shape must leave no key in any log line
 * (the application's own loggers at DEBUG), problem response or metric.
 */
@SpringBootTest(
    webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
    properties = {
      "quotegate.simulator.enabled=false",
      "quotegate.providers.sim.enabled=false",
      "logging.level.dev.quotegate=DEBUG"
    })
@AutoConfigureWebTestClient
@ExtendWith(OutputCaptureExtension.class)
class ProviderSecretsIT {

  static final Map<String, String> KEYS = Map.of(
      "finnhub", "FHKEY-5b9e2c-secret",
      "alphavantage", "AVKEY-77d1fa-secret",
      "polygon", "PGKEY-0c4e81-secret",
      "twelvedata", "TDKEY-e2a693-secret");
  static final FixtureServer SERVER = FixtureServer.start();
  static final Logger log = LoggerFactory.getLogger(ProviderSecretsIT.class);

  /** Which adapter the gateway's quote path goes to (through the router's `switch` chain). */
  static final AtomicReference<String> TARGET = new AtomicReference<>("finnhub");

  @DynamicPropertySource
  static void providers(DynamicPropertyRegistry r) {
    r.add("quotegate.providers.yahoo.enabled", () -> "true");
    r.add("quotegate.providers.yahoo.base-url", () -> SERVER.baseUrl("/yahoo").toString());
    r.add("quotegate.providers.yahoo.cookie-url", () -> SERVER.baseUrl("/yahoo-cookie").toString());
    r.add("quotegate.providers.finnhub.enabled", () -> "true");
    r.add("quotegate.providers.finnhub.base-url", () -> SERVER.baseUrl("/finnhub/api/v1").toString());
    r.add("quotegate.providers.alphavantage.enabled", () -> "true");
    r.add("quotegate.providers.alphavantage.base-url", () -> SERVER.baseUrl("/av").toString());
    r.add("quotegate.providers.polygon.enabled", () -> "true");
    r.add("quotegate.providers.polygon.base-url", () -> SERVER.baseUrl("/polygon").toString());
    r.add("quotegate.providers.twelvedata.enabled", () -> "true");
    r.add("quotegate.providers.twelvedata.base-url", () -> SERVER.baseUrl("/twelvedata").toString());
    KEYS.forEach((name, key) -> r.add("quotegate.providers." + name + ".api-key", () -> key));
    // The quote path goes to the adapter named by TARGET through one routed provider.
    r.add("quotegate.routing.quotes", () -> "switch");
    // generous: the first calls of a fresh test JVM are slow (class loading under BlockHound)
    for (String name : List.of("yahoo", "finnhub", "alphavantage", "polygon", "twelvedata")) {
      r.add("quotegate.resilience.providers." + name + ".timeout", () -> "12s");
    }
  }

  @TestConfiguration(proxyBeanMethods = false)
  static class QuotePathToOneAdapter {
    @Bean
    @Primary
    QuoteProvider switchingQuoteProvider(ObjectProvider<QuoteProvider> all) {
      return new QuoteProvider() {
        @Override
        public String name() {
          return "switch";
        }

        @Override
        public int maxBatchSize() {
          return 1;
        }

        @Override
        public Mono<Map<String, Quote>> quotes(List<String> symbols) {
          return all.stream().filter(p -> p.name().equals(TARGET.get())).findFirst().orElseThrow().quotes(symbols);
        }
      };
    }
  }

  @AfterAll
  static void stop() {
    SERVER.close();
  }

  @Autowired WebTestClient web;
  @Autowired ProviderRouter router;
  @Autowired List<ProviderDescriptor> descriptors;
  @Autowired List<BarProvider> bars;
  @Autowired List<ProfileProvider> profiles;
  @Autowired List<NewsProvider> news;
  @Autowired List<SearchProvider> searches;

  int symbolCounter;

  @Test
  void noApiKeyInLogsProblemResponsesOrMetrics(CapturedOutput output) {
    assertThat(descriptors).hasSize(5);
    List<String> bodies = new ArrayList<>();
    SERVER.on("/yahoo-cookie", json(404, "{}").header("Set-Cookie", "A3=d=test; Path=/"));
    SERVER.on("/yahoo/v1/test/getcrumb", text(200, "crumbTest1"));

    // Quotes through the gateway, per provider: success, then every error shape.
    Map<String, String> quotePaths = Map.of(
        "yahoo", "/yahoo/v7/finance/quote",
        "finnhub", "/finnhub/api/v1/quote",
        "alphavantage", "/av/query",
        "polygon", "/polygon/v2/snapshot/locale/us/markets/stocks/tickers",
        "twelvedata", "/twelvedata/quote");
    Map<String, String> okFixtures = Map.of(
        "yahoo", "yahoo/quote.json", "finnhub", "finnhub/quote.json", "alphavantage", "alphavantage/global-quote.json",
        "polygon", "polygon/snapshot.json", "twelvedata", "twelvedata/quote.json");
    for (Map.Entry<String, String> e : quotePaths.entrySet()) {
      TARGET.set(e.getKey());
      String path = e.getValue();
      SERVER.on(path, fixture(200, okFixtures.get(e.getKey())));
      router.reset(); // the previous adapter's 429s cooled the routed provider down
      bodies.add(get("/api/v1/quotes/AAPL", 200));
      symbolCounter = 0;
      List<FixtureServer.Reply> errors = List.of(
          json(401, "{\"error\":\"Invalid API key\"}"),
          json(403, "{\"error\":\"You don't have access to this resource.\"}"),
          json(404, "{\"error\":\"not found\"}"),
          text(429, "Too Many Requests").header("Retry-After", "7"),
          text(429, "Too Many Requests"),
          text(500, "boom"),
          text(200, "{\"broken\": "),
          fixture(200, "alphavantage/note.json"),
          fixture(200, "alphavantage/error-message.json"),
          fixture(200, "twelvedata/error-401.json"),
          fixture(200, "twelvedata/error-429.json"));
      for (FixtureServer.Reply error : errors) {
        SERVER.on(path, error);
        router.reset(); // every error shape reaches the adapter, none is refused by a guard
        bodies.add(get("/api/v1/quotes/" + e.getKey().toUpperCase().substring(0, 2) + "X" + (symbolCounter++), -1));
      }
    }

    // Every other capability of every adapter, against 200s and errors; errors logged with
    // their causes, as a router or handler would.
    Instant to = Instant.parse("2024-11-23T00:00:00Z");
    Instant from = to.minus(Duration.ofDays(5));
    for (String status : List.of("ok", "401", "429", "malformed")) {
      SERVER.reset();
      SERVER.on("/yahoo-cookie", json(404, "{}").header("Set-Cookie", "A3=d=test; Path=/"));
      SERVER.on("/yahoo/v1/test/getcrumb", text(200, "crumbTest1"));
      if (!status.equals("ok")) {
        for (String p : List.of("/yahoo/v8/finance/chart/AAPL", "/yahoo/v10/finance/quoteSummary/AAPL", "/yahoo/v1/finance/search",
            "/finnhub/api/v1/stock/candle", "/finnhub/api/v1/stock/profile2", "/finnhub/api/v1/company-news",
            "/finnhub/api/v1/search", "/av/query", "/polygon/v2/aggs/ticker/AAPL/range/1/day/1731888000000/1732319999999",
            "/polygon/v3/reference/tickers/AAPL", "/polygon/v2/reference/news", "/polygon/v3/reference/tickers",
            "/twelvedata/time_series", "/twelvedata/symbol_search")) {
          SERVER.on(p, status.equals("401") ? json(401, "{\"error\":\"Invalid API key\"}")
              : status.equals("429") ? text(429, "API limit reached") : text(200, "{\"oops\":"));
        }
      }
      Flux.concat(
              Flux.fromIterable(bars).flatMap(p -> logged(p.bars("AAPL", BarInterval.D1, from, to))),
              Flux.fromIterable(profiles).flatMap(p -> logged(p.profile("AAPL"))),
              Flux.fromIterable(news).flatMap(p -> logged(p.news("AAPL", 5))),
              Flux.fromIterable(searches).flatMap(p -> logged(p.search("apple", 5))))
          .then()
          .block(Duration.ofSeconds(60));
    }

    bodies.add(get("/actuator/prometheus", 200));
    bodies.add(get("/actuator/health", -1));
    String metrics = bodies.get(bodies.size() - 2);
    assertThat(metrics).as("upstream calls were made and measured")
        .contains("quotegate_upstream_requests_seconds_count{").contains("provider=\"alphavantage\"").contains("outcome=\"rate_limited\"");

    String all = output.getAll();
    assertThat(all).as("the startup report ran").contains("provider alphavantage: used for").contains("api key set");
    assertThat(all).as("errors were logged").contains("Upstream");
    for (String key : KEYS.values()) {
      assertThat(all).as("log output").doesNotContain(key);
      for (String body : bodies) {
        assertThat(body).as("problem responses and actuator endpoints").doesNotContain(key);
      }
    }
    // The keys did go where they belong.
    assertThat(SERVER.requests("/av/query")).isNotEmpty().allSatisfy(r -> assertThat(r.uri()).contains("apikey=" + KEYS.get("alphavantage")));
  }

  private Mono<Object> logged(Mono<?> call) {
    return call.<Object>map(v -> v)
        .doOnNext(v -> log.debug("provider answered {}", v))
        .onErrorResume(e -> {
          log.warn("provider call failed: {}", e.toString(), e);
          return Mono.empty();
        });
  }

  private String get(String uri, int expectedStatus) {
    WebTestClient.ResponseSpec spec = web.mutate().responseTimeout(Duration.ofSeconds(60))
        .codecs(c -> c.defaultCodecs().maxInMemorySize(32 * 1024 * 1024)) // the prometheus page is large
        .build().get().uri(uri).exchange();
    if (expectedStatus > 0) {
      spec.expectStatus().isEqualTo(expectedStatus);
    }
    String body = spec.expectBody(String.class).returnResult().getResponseBody();
    log.info("GET {} -> {}", uri, body);
    return body == null ? "" : body;
  }
}
