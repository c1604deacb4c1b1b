package dev.quotegate.simulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpVersion;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.netty.ByteBufFlux;
import reactor.netty.http.HttpProtocol;
import reactor.netty.http.client.HttpClient;
import reactor.test.StepVerifier;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** The simulator over real HTTP/2 (h2c prior knowledge) and HTTP/1.1, no Spring. */
class SimulatorTest {

  private static final Duration TIMEOUT = Duration.ofSeconds(10);
  /** Tuesday 2026-11-24 11:07:13.5 New York: the market is open. */
  private static final Instant NOW = Instant.parse("2026-11-24T16:07:13.500Z");

  private static final JsonMapper JSON = JsonMapper.builder().build();
  private static Simulator simulator;
  private static HttpClient h2;
  private static HttpClient h1;

  record Response(int status, HttpHeaders headers, String body, HttpVersion version) {
    JsonNode json() {
      return JSON.readTree(body);
    }
  }

  @BeforeAll
  static void start() {
    simulator = Simulator.create(SimulatorProperties.defaults().withPort(0),
        Clock.fixed(NOW, ZoneOffset.UTC)).start();
    h2 = HttpClient.create().protocol(HttpProtocol.H2C).baseUrl(simulator.baseUrl());
    h1 = HttpClient.create().protocol(HttpProtocol.HTTP11).baseUrl(simulator.baseUrl());
  }

  @AfterAll
  static void stop() {
    simulator.stop();
  }

  @BeforeEach
  void resetStatsAndFaults() {
    simulator.reset(true);
  }

  // --- protocol -------------------------------------------------------------------------------

  @Test
  void speaksHttp2CleartextWithPriorKnowledge() {
    expect(get(h2, "/v1/symbols"), r -> {
      assertThat(r.status()).isEqualTo(200);
      assertThat(r.version()).as("client side").isEqualTo(HttpVersion.valueOf("HTTP/2.0"));
    });
    expect(get(h1, "/admin/stats"), r ->
        assertThat(r.json().get("byProtocol").get("HTTP/2.0").asLong()).as("server side").isEqualTo(1));
  }

  @Test
  void speaksHttp11OnTheSamePort() {
    expect(get(h1, "/v1/symbols"), r -> {
      assertThat(r.status()).isEqualTo(200);
      assertThat(r.version()).isEqualTo(HttpVersion.HTTP_1_1);
    });
    expect(get(h1, "/admin/stats"), r ->
        assertThat(r.json().get("byProtocol").get("HTTP/1.1").asLong()).isEqualTo(1));
  }

  // --- endpoints ------------------------------------------------------------------------------

  @Test
  void listsTheWholeUniverse() {
    expect(get(h2, "/v1/symbols"), r -> {
      assertThat(r.headers().get("content-type")).isEqualTo("application/json");
      JsonNode body = r.json();
      assertThat(body.get("count").asInt()).isEqualTo(500);
      assertThat(body.get("symbols")).hasSize(500);
      JsonNode first = body.get("symbols").get(0);
      assertThat(first.get("symbol").asString()).isEqualTo("AAPL");
      assertThat(first.get("name").asString()).isEqualTo("Apple Inc.");
      assertThat(first.get("exchange").asString()).isEqualTo("NASDAQ");
      assertThat(first.get("sector").asString()).isEqualTo("Information Technology");
      assertThat(first.get("industry").asString()).isNotBlank();
      assertThat(first.get("currency").asString()).isEqualTo("USD");
    });
  }

  @Test
  void quotesKnownSymbolsAndListsTheMissingOnes() {
    expect(get(h2, "/v1/quotes?symbols=AAPL,msft,NOPE"), r -> {
      assertThat(r.status()).isEqualTo(200);
      JsonNode body = r.json();
      assertThat(body.get("quotes")).hasSize(2);
      assertThat(body.get("missing").get(0).asString()).isEqualTo("NOPE");
      JsonNode q = body.get("quotes").get(0);
      assertThat(q.get("symbol").asString()).isEqualTo("AAPL");
      for (String field : List.of("price", "change", "changePercent", "open", "high", "low",
          "previousClose")) {
        assertThat(q.get(field).isNumber()).as(field).isTrue();
      }
      assertThat(q.get("volume").isIntegralNumber()).isTrue();
      assertThat(q.get("currency").asString()).isEqualTo("USD");
      assertThat(q.get("timestamp").asLong()).isEqualTo(NOW.toEpochMilli());
      assertThat(q.get("marketOpen").asBoolean()).isTrue();
      assertThat(q.get("price").decimalValue().scale()).isLessThanOrEqualTo(2);
      assertThat(q.get("change").decimalValue())
          .isEqualByComparingTo(q.get("price").decimalValue().subtract(q.get("previousClose").decimalValue()));
      assertThat(q.get("high").asDouble()).isGreaterThanOrEqualTo(q.get("price").asDouble());
      assertThat(q.get("low").asDouble()).isLessThanOrEqualTo(q.get("price").asDouble());
    });
  }

  @Test
  void rejectsMoreSymbolsThanTheBatchLimit() {
    String symbols = simulator.universe().instruments().stream().limit(25)
        .map(Instrument::symbol).collect(Collectors.joining(","));
    expect(get(h2, "/v1/quotes?symbols=" + symbols), r -> {
      assertThat(r.status()).isEqualTo(400);
      assertThat(r.json().get("error").asString()).isEqualTo("too many symbols: 25 > 20");
    });
  }

  @Test
  void rejectsQuotesWithoutSymbols() {
    expect(get(h2, "/v1/quotes"), r -> assertThat(r.status()).isEqualTo(400));
    expect(get(h2, "/v1/quotes?symbols=,%20,"), r -> {
      assertThat(r.status()).isEqualTo(400);
      assertThat(r.json().get("error").asString()).contains("symbols");
    });
  }

  @Test
  void servesBarsWhoseLastCloseIsTheQuotePrice() {
    String quotePrice = body(get(h2, "/v1/quotes?symbols=NVDA")).get("quotes").get(0).get("price").toString();
    for (String interval : List.of("1m", "5m", "15m", "1h", "1d", "1wk")) {
      expect(get(h2, "/v1/bars/NVDA?interval=" + interval), r -> {
        assertThat(r.status()).as(interval).isEqualTo(200);
        JsonNode body = r.json();
        assertThat(body.get("symbol").asString()).isEqualTo("NVDA");
        assertThat(body.get("interval").asString()).isEqualTo(interval);
        JsonNode bars = body.get("bars");
        assertThat(bars.size()).as(interval).isPositive();
        JsonNode last = bars.get(bars.size() - 1);
        assertThat(last.get("c").toString()).as(interval).isEqualTo(quotePrice);
        long previous = 0;
        for (JsonNode bar : bars) {
          assertThat(bar.get("t").asLong()).isGreaterThan(previous);
          previous = bar.get("t").asLong();
          assertThat(bar.get("h").asDouble()).isGreaterThanOrEqualTo(bar.get("o").asDouble());
          assertThat(bar.get("l").asDouble()).isLessThanOrEqualTo(bar.get("c").asDouble());
          assertThat(bar.get("v").isIntegralNumber()).isTrue();
        }
      });
    }
  }

  @Test
  void servesBarsForAnExplicitRange() {
    long from = Instant.parse("2026-11-23T14:30:00Z").getEpochSecond();
    long to = Instant.parse("2026-11-23T21:00:00Z").getEpochSecond();
    expect(get(h1, "/v1/bars/BRK.B?interval=1h&from=" + from + "&to=" + to), r -> {
      JsonNode bars = r.json().get("bars");
      assertThat(bars).hasSize(7);
      assertThat(bars.get(0).get("t").asLong()).isEqualTo(from);
    });
  }

  @Test
  void answersBarErrorsWithTheRightStatus() {
    expect(get(h2, "/v1/bars/NOPE?interval=1d"), r -> {
      assertThat(r.status()).isEqualTo(404);
      assertThat(r.json().get("error").asString()).isEqualTo("unknown symbol: NOPE");
    });
    expect(get(h2, "/v1/bars/AAPL?interval=2m"), r -> assertThat(r.status()).isEqualTo(400));
    expect(get(h2, "/v1/bars/AAPL"), r -> assertThat(r.status()).isEqualTo(400));
    expect(get(h2, "/v1/bars/AAPL?interval=1d&from=200&to=100"), r -> assertThat(r.status()).isEqualTo(400));
    expect(get(h2, "/v1/bars/AAPL?interval=1d&from=abc"), r -> assertThat(r.status()).isEqualTo(400));
    expect(get(h2, "/v1/bars/AAPL?interval=1m&from=0"), r -> {
      assertThat(r.status()).isEqualTo(400);
      assertThat(r.json().get("error").asString()).startsWith("too many bars");
    });
  }

  @Test
  void servesProfilesAndA404ForUnknownSymbols() {
    expect(get(h2, "/v1/profile/MSFT"), r -> {
      JsonNode p = r.json();
      assertThat(p.get("symbol").asString()).isEqualTo("MSFT");
      assertThat(p.get("name").asString()).isEqualTo("Microsoft Corporation");
      assertThat(p.get("country").asString()).isEqualTo("US");
      assertThat(p.get("website").asString()).isEqualTo("https://www.microsoft.com");
      assertThat(p.get("employees").asLong()).isPositive();
      assertThat(p.get("marketCap").asLong()).isGreaterThan(1_000_000_000_000L);
      assertThat(p.get("description").asString()).contains("Microsoft");
      for (String field : List.of("exchange", "sector", "industry", "currency")) {
        assertThat(p.get(field).asString()).as(field).isNotBlank();
      }
    });
    expect(get(h2, "/v1/profile/NOPE"), r -> {
      assertThat(r.status()).isEqualTo(404);
      assertThat(r.json().get("error").asString()).isEqualTo("unknown symbol: NOPE");
    });
  }

  @Test
  void servesDeterministicNewsNewestFirst() {
    JsonNode first = body(get(h2, "/v1/news?symbol=AAPL&limit=5"));
    JsonNode again = body(get(h1, "/v1/news?symbol=AAPL&limit=5"));
    assertThat(first).isEqualTo(again);
    JsonNode news = first.get("news");
    assertThat(news).hasSize(5);
    long previous = Long.MAX_VALUE;
    for (JsonNode item : news) {
      assertThat(item.get("symbols").get(0).asString()).isEqualTo("AAPL");
      assertThat(item.get("publishedAt").asLong()).isLessThanOrEqualTo(previous)
          .isLessThanOrEqualTo(NOW.toEpochMilli());
      previous = item.get("publishedAt").asLong();
      for (String field : List.of("id", "headline", "summary", "source", "url")) {
        assertThat(item.get(field).asString()).as(field).isNotBlank();
      }
    }
    assertThat(body(get(h2, "/v1/news")).get("news")).hasSize(10);
    expect(get(h2, "/v1/news?symbol=NOPE"), r -> assertThat(r.status()).isEqualTo(404));
    expect(get(h2, "/v1/news?limit=0"), r -> assertThat(r.status()).isEqualTo(400));
  }

  @Test
  void searchesSymbolPrefixesBeforeNames() {
    expect(get(h2, "/v1/search?q=app&limit=10"), r -> {
      JsonNode results = r.json().get("results");
      assertThat(results.get(0).get("symbol").asString()).isEqualTo("AAPL");
      assertThat(results.get(0).get("type").asString()).isEqualTo("EQUITY");
      assertThat(results.get(0).get("sector").asString()).isEqualTo("Information Technology");
    });
    expect(get(h2, "/v1/search?q=goog"), r ->
        assertThat(r.json().get("results").get(0).get("symbol").asString()).isEqualTo("GOOG"));
    expect(get(h2, "/v1/search"), r -> assertThat(r.status()).isEqualTo(400));
  }

  @Test
  void answersUnknownPathsWithJson404() {
    expect(get(h2, "/nowhere"), r -> {
      assertThat(r.status()).isEqualTo(404);
      assertThat(r.headers().get("content-type")).isEqualTo("application/json");
      assertThat(r.json().get("error").asString()).contains("/nowhere");
    });
    expect(get(h2, "/v1/nothing"), r -> assertThat(r.status()).isEqualTo(404));
  }

  // --- faults ---------------------------------------------------------------------------------

  @Test
  void delaysAnswersByTheConfiguredLatency() {
    faults("{\"latencyMs\":50}");
    StepVerifier.create(get(h2, "/v1/quotes?symbols=AAPL").elapsed())
        .assertNext(t -> {
          assertThat(t.getT2().status()).isEqualTo(200);
          assertThat(t.getT1()).as("elapsed ms").isGreaterThanOrEqualTo(45);
        })
        .expectComplete()
        .verify(TIMEOUT);
  }

  @Test
  void answersServerErrorsAtErrorRateOne() {
    faults("{\"errorRate\":1.0}");
    StepVerifier.create(Flux.range(0, 6).concatMap(i -> get(h2, "/v1/quotes?symbols=AAPL")))
        .thenConsumeWhile(r -> true, r -> {
          assertThat(r.status()).isIn(500, 502, 503);
          assertThat(r.json().get("error").asString()).startsWith("simulated upstream error");
        })
        .expectComplete()
        .verify(TIMEOUT);
  }

  @Test
  void rateLimitsWith429AndRetryAfter() {
    faults("{\"rateLimitPerSecond\":1}");
    StepVerifier.create(Flux.range(0, 5).concatMap(i -> get(h2, "/v1/symbols")).collectList())
        .assertNext(responses -> {
          List<Response> limited = responses.stream().filter(r -> r.status() == 429).toList();
          // five quick requests span at most two one-second windows: at most two get through
          assertThat(limited).hasSizeGreaterThanOrEqualTo(3);
          assertThat(responses).anyMatch(r -> r.status() == 200);
          assertThat(limited).allSatisfy(r -> {
            assertThat(r.headers().get("Retry-After")).isEqualTo("1");
            assertThat(r.json().get("error").asString()).isEqualTo("rate limit exceeded");
          });
        })
        .expectComplete()
        .verify(TIMEOUT);
  }

  @Test
  void hangsUntilTheClientGivesUpThenReleasesTheRequest() {
    faults("{\"hangRate\":1.0}");
    for (HttpClient client : List.of(h2, h1)) {
      StepVerifier.create(get(client.responseTimeout(Duration.ofMillis(300)), "/v1/quotes?symbols=AAPL"))
          .expectErrorSatisfies(e -> assertThat(e.getClass().getSimpleName()).contains("Timeout"))
          .verify(TIMEOUT);
    }
    StepVerifier.create(statsWhen(s -> s.get("hanging").asLong() == 0))
        .assertNext(s -> assertThat(s.get("requests").asLong()).isEqualTo(2))
        .expectComplete()
        .verify(TIMEOUT);
  }

  @Test
  void answersUnparseableBodiesAtMalformedRateOne() {
    faults("{\"malformedRate\":1.0}");
    expect(get(h2, "/v1/quotes?symbols=AAPL,MSFT"), r -> {
      assertThat(r.status()).isEqualTo(200);
      assertThat(r.headers().get("content-type")).isEqualTo("application/json");
      assertThatThrownBy(r::json).isInstanceOf(JacksonException.class);
    });
  }

  @Test
  void answersEverything503DuringAnOutage() {
    faults("{\"outage\":true}");
    expect(get(h2, "/v1/quotes?symbols=AAPL"), r -> {
      assertThat(r.status()).isEqualTo(503);
      assertThat(r.headers().get("Retry-After")).isEqualTo("5");
      assertThat(r.json().get("error").asString()).isEqualTo("simulated outage");
    });
    expect(get(h2, "/admin/stats"), r ->
        assertThat(r.json().get("requests").asLong()).as("counted before the fault").isEqualTo(1));
  }

  @Test
  void updatesOnlyTheFaultFieldsGiven() {
    faults("{\"errorRate\":0.25,\"latencyMs\":10}");
    expect(put("{\"hangRate\":0.1}"), r -> {
      assertThat(r.status()).isEqualTo(200);
      JsonNode f = r.json();
      assertThat(f.get("errorRate").asDouble()).isEqualTo(0.25);
      assertThat(f.get("latencyMs").asLong()).isEqualTo(10);
      assertThat(f.get("hangRate").asDouble()).isEqualTo(0.1);
      assertThat(f.get("outage").asBoolean()).isFalse();
    });
    expect(get(h1, "/admin/faults"), r -> assertThat(r.json().get("hangRate").asDouble()).isEqualTo(0.1));
    assertThat(simulator.faults().latency()).isEqualTo(Duration.ofMillis(10));
  }

  @Test
  void rejectsInvalidFaultUpdatesAndKeepsTheOldValues() {
    faults("{\"errorRate\":0.5}");
    for (String bad : List.of("{\"errorRate\":1.5}", "{\"latencyMs\":-1}", "{\"outage\":\"yes\"}",
        "{\"latencyMS\":5}", "[1]", "{not json")) {
      expect(put(bad), r -> {
        assertThat(r.status()).as(bad).isEqualTo(400);
        assertThat(r.json().get("error").asString()).isNotBlank();
      });
    }
    assertThat(simulator.faults().errorRate()).isEqualTo(0.5);
  }

  // --- stats ----------------------------------------------------------------------------------

  @Test
  void countsEveryApiRequestExactlyAndNoAdminCalls() {
    Flux<Response> quotes = Flux.range(0, 40)
        .flatMap(i -> get(h2, "/v1/quotes?symbols=AAPL,MSFT,NVDA"), 8);
    Flux<Response> bars = Flux.range(0, 10).flatMap(i -> get(h1, "/v1/bars/AAPL?interval=1d"), 4);
    StepVerifier.create(Flux.merge(quotes, bars).then(get(h1, "/admin/faults")).then(stats()))
        .assertNext(s -> {
          assertThat(s.get("requests").asLong()).isEqualTo(50);
          assertThat(s.get("byEndpoint").get("quotes").asLong()).isEqualTo(40);
          assertThat(s.get("byEndpoint").get("bars").asLong()).isEqualTo(10);
          assertThat(s.get("byProtocol").get("HTTP/2.0").asLong()).isEqualTo(40);
          assertThat(s.get("byProtocol").get("HTTP/1.1").asLong()).isEqualTo(10);
          assertThat(s.get("symbolsRequested").asLong()).isEqualTo(40 * 3 + 10);
          assertThat(s.get("quotesBySymbol").get("AAPL").asLong()).as("quotes calls naming AAPL").isEqualTo(40);
          assertThat(s.get("quotesBySymbol").get("NVDA").asLong()).isEqualTo(40);
          assertThat(s.get("quotesBySymbol").size()).as("symbols counted one by one").isEqualTo(3);
          assertThat(s.get("quotesBySymbolOverflow").asLong()).isZero();
        })
        .expectComplete()
        .verify(TIMEOUT);
  }

  @Test
  void resetZeroesStatsAndKeepsFaultsUnlessAsked() {
    faults("{\"errorRate\":1.0}");
    expect(get(h2, "/v1/symbols"), r -> assertThat(r.status()).isGreaterThanOrEqualTo(500));
    expect(post("/admin/reset"), r -> {
      assertThat(r.json().get("stats").get("requests").asLong()).isZero();
      assertThat(r.json().get("faults").get("errorRate").asDouble()).isEqualTo(1.0);
    });
    expect(post("/admin/reset?faults=true"), r ->
        assertThat(r.json().get("faults").get("errorRate").asDouble()).isZero());
    assertThat(simulator.faults()).isEqualTo(Faults.NONE);
    assertThat(simulator.stats().requests()).isZero();
  }

  // --- lifecycle ------------------------------------------------------------------------------

  @Test
  void startsOnAFreePortAndStopsCleanly() {
    Simulator other = Simulator.create(SimulatorProperties.defaults().withPort(0).withUniverseSize(10));
    assertThat(other.isRunning()).isFalse();
    assertThatThrownBy(other::port).isInstanceOf(IllegalStateException.class);
    int port = other.start().port();
    assertThat(port).isPositive().isNotEqualTo(simulator.port());
    assertThat(other.start().port()).as("start is idempotent").isEqualTo(port);
    other.stop();
    assertThat(other.isRunning()).isFalse();
    assertThat(other.isDisposed()).isTrue();
  }

  @Test
  void startsWithTheConfiguredFaults() {
    Simulator other = Simulator.create(SimulatorProperties.defaults().withPort(0).withUniverseSize(10)
        .withFaults(Faults.NONE.withOutage(true))).start();
    try {
      HttpClient client = HttpClient.create().protocol(HttpProtocol.H2C).baseUrl(other.baseUrl());
      expect(get(client, "/v1/symbols"), r -> assertThat(r.status()).isEqualTo(503));
    } finally {
      other.stop();
    }
  }

  @Test
  void stopReleasesRequestsHeldByTheHangFault() {
    Simulator other = Simulator.create(SimulatorProperties.defaults().withPort(0).withUniverseSize(10)
        .withFaults(Faults.NONE.withHangRate(1.0))).start();
    HttpClient client = HttpClient.create().protocol(HttpProtocol.H2C).baseUrl(other.baseUrl());
    StepVerifier.create(get(client, "/v1/symbols"))
        .expectSubscription()
        .then(() -> {
          // once the request is held, stopping must close it rather than wait for it
          StepVerifier.create(Flux.interval(Duration.ofMillis(20))
                  .filter(i -> other.stats().hanging() == 1).next())
              .expectNextCount(1).expectComplete().verify(TIMEOUT);
          other.stop();
        })
        .expectError()
        .verify(TIMEOUT);
    assertThat(other.stats().hanging()).isZero();
  }

  // --- helpers --------------------------------------------------------------------------------

  private static Mono<Response> get(HttpClient client, String uri) {
    return client.get().uri(uri).responseSingle((res, body) -> body.asString().defaultIfEmpty("")
        .map(b -> new Response(res.status().code(), res.responseHeaders(), b, res.version())));
  }

  private static Mono<Response> put(String json) {
    Mono<Response> call = h1.put().uri("/admin/faults").send(ByteBufFlux.fromString(Mono.just(json)))
        .responseSingle((res, body) -> body.asString().defaultIfEmpty("")
            .map(b -> new Response(res.status().code(), res.responseHeaders(), b, res.version())));
    return call;
  }

  /** Applies a fault update and checks it was accepted. */
  private static void faults(String json) {
    expect(put(json), r -> assertThat(r.status()).as(r.body()).isEqualTo(200));
  }

  private static Mono<Response> post(String uri) {
    return h1.post().uri(uri).responseSingle((res, body) -> body.asString().defaultIfEmpty("")
        .map(b -> new Response(res.status().code(), res.responseHeaders(), b, res.version())));
  }

  private static Mono<JsonNode> stats() {
    return get(h1, "/admin/stats").map(Response::json);
  }

  private static Mono<JsonNode> statsWhen(Predicate<JsonNode> condition) {
    // ticks dropped while a stats call is slow (a loaded machine), not an overflow error
    return Flux.interval(Duration.ZERO, Duration.ofMillis(50))
        .onBackpressureDrop()
        .concatMap(i -> stats(), 1)
        .filter(condition)
        .next();
  }

  private static void expect(Mono<Response> call, Consumer<Response> assertions) {
    StepVerifier.create(call).assertNext(assertions).expectComplete().verify(TIMEOUT);
  }

  private static JsonNode body(Mono<Response> call) {
    List<JsonNode> out = new ArrayList<>();
    expect(call, r -> {
      assertThat(r.status()).isEqualTo(200);
      out.add(r.json());
    });
    return out.get(0);
  }
}
