package dev.quotegate.provider.finnhub;

import static dev.quotegate.testsupport.FixtureServer.fixture;
import static dev.quotegate.testsupport.FixtureServer.json;
import static dev.quotegate.testsupport.FixtureServer.text;
import static dev.quotegate.testsupport.TestUpstream.VERIFY;
import static dev.quotegate.testsupport.TestUpstream.failsNotFound;
import static dev.quotegate.testsupport.TestUpstream.failsUpstream;
import static org.assertj.core.api.Assertions.assertThat;

import dev.quotegate.calendar.BarInterval;
import dev.quotegate.platform.GatewayException.UpstreamFailure;
import dev.quotegate.platform.UpstreamClient;
import dev.quotegate.provider.AdapterConformance;
import dev.quotegate.provider.ApiKey;
import dev.quotegate.provider.Bar;
import dev.quotegate.provider.Capability;
import dev.quotegate.provider.NewsItem;
import dev.quotegate.provider.Profile;
import dev.quotegate.provider.Quote;
import dev.quotegate.provider.SearchHit;
import dev.quotegate.testsupport.FixtureServer;
import dev.quotegate.testsupport.FixtureServer.Recorded;
import dev.quotegate.testsupport.FixtureServer.Reply;
import dev.quotegate.testsupport.TestUpstream;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.math.BigDecimal;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import reactor.test.StepVerifier;

class FinnhubAdapterTest extends AdapterConformance {

  static final String KEY = "fh-test-key-8c1e";
  static FixtureServer server;
  SimpleMeterRegistry registry;
  UpstreamClient client;
  FinnhubAdapter adapter;

  @BeforeAll
  static void startServer() {
    server = FixtureServer.start();
  }

  @AfterAll
  static void stopServer() {
    server.close();
  }

  @BeforeEach
  void setUp() {
    server.reset();
    registry = new SimpleMeterRegistry();
    client = TestUpstream.client(registry);
    adapter = new FinnhubAdapter(client, props(Set.of(Capability.QUOTES, Capability.BARS, Capability.PROFILE, Capability.NEWS, Capability.SEARCH)),
        Clock.fixed(Instant.parse("2024-11-22T18:00:00Z"), ZoneOffset.UTC));
  }

  @AfterEach
  void tearDown() {
    TestUpstream.noSecretInMeters(registry, KEY);
    client.close();
  }

  static FinnhubProperties props(Set<Capability> useFor) {
    return new FinnhubProperties(true, server.baseUrl("/api/v1"), ApiKey.valueOf(KEY),
        30, 60, 0, useFor, Duration.ofDays(7), 4);
  }

  @Test
  void mapsQuoteFieldByFieldWithTheKeyInAHeaderOnly() {
    server.on("/api/v1/quote", fixture(200, "finnhub/quote.json"));
    StepVerifier.create(adapter.quotes(List.of("AAPL")))
        .assertNext(
            m -> {
              Quote q = m.get("AAPL");
              assertThat(q.symbol()).isEqualTo("AAPL");
              assertThat(q.price()).isEqualByComparingTo("261.74");
              assertThat(q.change()).isEqualByComparingTo("-0.41");
              assertThat(q.changePercent()).isEqualByComparingTo("-0.1564");
              assertThat(q.open()).isEqualByComparingTo("261.07");
              assertThat(q.high()).isEqualByComparingTo("263.31");
              assertThat(q.low()).isEqualByComparingTo("260.68");
              assertThat(q.previousClose()).isEqualByComparingTo("262.15");
              assertThat(q.volume()).isNull();
              assertThat(q.asOf()).isEqualTo(Instant.ofEpochSecond(1732294800));
              assertThat(q.source()).isEqualTo("finnhub");
            })
        .verifyComplete();
    Recorded req = server.requests("/api/v1/quote").get(0);
    assertThat(req.uri()).isEqualTo("/api/v1/quote?symbol=AAPL").doesNotContain(KEY);
    assertThat(req.header("X-Finnhub-Token")).isEqualTo(KEY);
  }

  @Test
  void unknownSymbolAnsweredWithZerosIsAbsent() {
    server.on("/api/v1/quote", fixture(200, "finnhub/quote-unknown.json"));
    StepVerifier.create(adapter.quotes(List.of("NOPE"))).expectNext(Map.of()).verifyComplete();
  }

  @Test
  void multiSymbolQuotesMakeOneCallPerSymbolAndKeepClassSharesInGatewayForm() {
    server.on("/api/v1/quote", fixture(200, "finnhub/quote.json"));
    StepVerifier.create(adapter.quotes(List.of("AAPL", "BRK-B")))
        .assertNext(m -> {
          assertThat(m).containsOnlyKeys("AAPL", "BRK-B");
          assertThat(m.get("BRK-B").symbol()).isEqualTo("BRK-B");
        })
        .verifyComplete();
    assertThat(server.requests("/api/v1/quote")).extracting(Recorded::uri)
        .containsExactlyInAnyOrder("/api/v1/quote?symbol=AAPL", "/api/v1/quote?symbol=BRK.B");
  }

  @Test
  void mapsDailyCandlesToSessionStartsWithinTheRange() {
    server.on("/api/v1/stock/candle", fixture(200, "finnhub/candle.json"));
    Instant from = Instant.parse("2024-11-20T00:00:00Z");
    Instant to = Instant.parse("2024-11-23T00:00:00Z");
    StepVerifier.create(adapter.bars("AAPL", BarInterval.D1, from, to))
        .assertNext(
            bars -> {
              assertThat(bars).hasSize(3);
              Bar first = bars.get(0);
              assertThat(first.ts()).as("09:30 New York on 2024-11-20").isEqualTo(Instant.parse("2024-11-20T14:30:00Z"));
              assertThat(first.open()).isEqualByComparingTo("226.98");
              assertThat(first.high()).isEqualByComparingTo("229.74");
              assertThat(first.low()).isEqualByComparingTo("225.17");
              assertThat(first.close()).isEqualByComparingTo("227.48");
              assertThat(first.volume()).isEqualTo(38744452L);
              assertThat(bars.get(2).volume()).isNull();
            })
        .verifyComplete();
    // candles are stamped 00:00 UTC and both bounds are inclusive: from the day before the
    // range's first New York date (11-19) to the last second of the day after its last (11-22)
    assertThat(server.requests("/api/v1/stock/candle").get(0).uri())
        .contains("resolution=D").contains("from=1731888000").contains("to=1732406399");
  }

  @Test
  void candlesWithNoDataAreAnEmptyList() {
    server.on("/api/v1/stock/candle", fixture(200, "finnhub/candle-no-data.json"));
    StepVerifier.create(adapter.bars("AAPL", BarInterval.M5, Instant.EPOCH, Instant.now()))
        .expectNext(List.of()).verifyComplete();
  }

  @Test
  void candles403MeansNotOnThePlanNotAnOutage() {
    server.on("/api/v1/stock/candle", fixture(403, "finnhub/error-403.json"));
    failsUpstream(adapter.bars("AAPL", BarInterval.D1, Instant.EPOCH, Instant.now()), UpstreamFailure.UNSUPPORTED,
        u -> assertThat(u.getMessage()).contains("not available on this Finnhub plan"));
    assertThat(registry.get(UpstreamClient.METER).tag("provider", "finnhub").tag("outcome", "unsupported").timer().count())
        .isEqualTo(1);
  }

  @Test
  void mapsProfileWithMarketCapInUnits() {
    server.on("/api/v1/stock/profile2", fixture(200, "finnhub/profile2.json"));
    StepVerifier.create(adapter.profile("AAPL"))
        .assertNext(
            p -> {
              assertThat(p).isEqualTo(new Profile("AAPL", "Apple Inc", "NASDAQ NMS - GLOBAL MARKET", null, "Technology",
                  "USD", "US", null, null, "https://www.apple.com/", new BigDecimal("3519495500000"),
                  "https://static2.finnhub.io/file/publicdatany/finnhubimage/stock_logo/AAPL.png", "finnhub"));
            })
        .verifyComplete();
  }

  @Test
  void emptyProfileIsNotFound() {
    server.on("/api/v1/stock/profile2", json(200, "{}"));
    failsNotFound(adapter.profile("NOPE"), "NOPE");
  }

  @Test
  void mapsNewsNewestFirstWithinTheLimit() {
    server.on("/api/v1/company-news", fixture(200, "finnhub/company-news.json"));
    StepVerifier.create(adapter.news("AAPL", 2))
        .assertNext(
            items -> {
              assertThat(items).extracting(NewsItem::id).containsExactly("131478999", "131478711");
              NewsItem n = items.get(0);
              assertThat(n.symbols()).containsExactly("AAPL", "MSFT");
              assertThat(n.headline()).isEqualTo("Apple and Microsoft in AI deal");
              assertThat(n.summary()).isEqualTo("A new partnership.");
              assertThat(n.publisher()).isEqualTo("Reuters");
              assertThat(n.url()).isEqualTo("https://finnhub.io/api/news?id=def");
              assertThat(n.publishedAt()).isEqualTo(Instant.ofEpochSecond(1732294800));
              assertThat(n.source()).isEqualTo("finnhub");
            })
        .verifyComplete();
    assertThat(server.requests("/api/v1/company-news").get(0).uri())
        .isEqualTo("/api/v1/company-news?symbol=AAPL&from=2024-11-15&to=2024-11-22");
  }

  @Test
  void mapsSearchHits() {
    server.on("/api/v1/search", fixture(200, "finnhub/search.json"));
    StepVerifier.create(adapter.search("apple", 10))
        .assertNext(hits -> assertThat(hits).containsExactly(
            new SearchHit("AAPL", "APPLE INC", null, "EQUITY", null, "finnhub"),
            new SearchHit("BRK.B", "BERKSHIRE HATHAWAY INC-CL B", null, "EQUITY", null, "finnhub"),
            new SearchHit("SPY", "SPDR S&P 500 ETF TRUST", null, "ETF", null, "finnhub")))
        .verifyComplete();
  }

  @Test
  void invalidKeyIsRejectedWithoutTheKeyInTheMessage() {
    server.on("/api/v1/quote", fixture(401, "finnhub/error-401.json"));
    failsUpstream(adapter.quotes(List.of("AAPL")), UpstreamFailure.REJECTED,
        u -> assertThat(u.getMessage()).doesNotContain(KEY));
  }

  @Test
  void rateLimitHonoursRetryAfter() {
    server.on("/api/v1/quote", fixture(429, "finnhub/error-429.txt").header("Retry-After", "30"));
    failsUpstream(adapter.quotes(List.of("AAPL")), UpstreamFailure.RATE_LIMITED,
        u -> assertThat(u.retryAfter()).isEqualTo(Duration.ofSeconds(30)));
  }

  @Test
  void rateLimitWithoutRetryAfterLeavesItUnspecified() {
    server.on("/api/v1/quote", fixture(429, "finnhub/error-429.txt"));
    failsUpstream(adapter.quotes(List.of("AAPL")), UpstreamFailure.RATE_LIMITED,
        u -> assertThat(u.retryAfter()).isNull());
  }

  @Test
  void notFoundStatusIsNotFound() {
    server.on("/api/v1/stock/profile2", json(404, "{\"error\":\"not found\"}"));
    failsNotFound(adapter.profile("ZZZZ"), "ZZZZ");
  }

  @Test
  void malformedJsonIsMalformed() {
    server.on("/api/v1/quote", fixture(200, "finnhub/malformed.json"));
    failsUpstream(adapter.quotes(List.of("AAPL")), UpstreamFailure.MALFORMED, u -> {});
  }

  @Test
  void serverErrorIsUnavailable() {
    server.on("/api/v1/quote", text(502, "Bad Gateway"));
    failsUpstream(adapter.quotes(List.of("AAPL")), UpstreamFailure.UNAVAILABLE, u -> {});
  }

  @Test
  void describesItselfWithoutContactingFinnhub() {
    FinnhubAdapter quotesOnly = new FinnhubAdapter(client, props(Set.of(Capability.QUOTES)), Clock.systemUTC());
    assertThat(quotesOnly.capabilities()).containsExactly(Capability.QUOTES);
    assertThat(quotesOnly.limits().requestsPerMinute()).isEqualTo(60);
    assertThat(quotesOnly.limits().requestsPerSecond()).isEqualTo(30);
    assertThat(quotesOnly.limits().batchSize()).isEqualTo(1);
    assertThat(quotesOnly.supportsSymbol("EURUSD=X")).isFalse();
    assertThat(quotesOnly.endpoint()).doesNotContain(KEY);
    assertThat(props(Set.of()).toString()).doesNotContain(KEY);
    assertThat(server.requests()).isEmpty();
  }

  @Test
  void theFirstSessionOfARangeIsAskedForThoughCandlesAreStampedAtMidnightUtc() {
    // the range starts at the first session's open (09:30 New York); the candle of that date is
    // stamped 00:00 UTC, before it: the request must reach back to it
    server.on("/api/v1/stock/candle", fixture(200, "finnhub/candle.json"));
    Instant firstOpen = Instant.parse("2024-11-20T14:30:00Z");
    StepVerifier.create(adapter.bars("AAPL", BarInterval.D1, firstOpen, Instant.parse("2024-11-23T00:00:00Z")))
        .assertNext(bars -> assertThat(bars.get(0).ts()).as("the first session").isEqualTo(firstOpen))
        .verifyComplete();
    String uri = server.requests("/api/v1/stock/candle").get(0).uri();
    long from = Long.parseLong(uri.replaceAll(".*from=(\\d+).*", "$1"));
    assertThat(from).as("from reaches the first date's 00:00 UTC stamp")
        .isLessThanOrEqualTo(Instant.parse("2024-11-20T00:00:00Z").getEpochSecond());
  }

  @Test
  void londonCandlesAreEachSessionOnceAtTheLondonOpen() {
    server.on("/api/v1/stock/candle", json(200, """
        {"s":"ok","t":[1751241600,1751328000,1751414400],"o":[70.1,70.2,70.3],"h":[71,71,71],"l":[69,69,69],
         "c":[70.5,70.6,70.7],"v":[100,200,300]}"""));
    StepVerifier.create(adapter.bars("VOD.L", BarInterval.D1, Instant.parse("2025-06-30T07:00:00Z"),
            Instant.parse("2025-07-03T07:00:00Z")))
        .assertNext(bars -> assertThat(bars).extracting(Bar::ts)
            .containsExactly(Instant.parse("2025-06-30T07:00:00Z"), Instant.parse("2025-07-01T07:00:00Z"),
                Instant.parse("2025-07-02T07:00:00Z")))
        .verifyComplete();
  }

  // ---- the shared behaviours (AdapterConformance) ------------------------------------------

  @Override
  protected FixtureServer server() {
    return server;
  }

  @Override
  protected dev.quotegate.provider.ProviderAdapter adapter() {
    return adapter;
  }

  @Override
  protected String key() {
    return KEY;
  }

  @Override
  protected String usSymbol() {
    return "AAPL";
  }

  @Override
  protected void serveQuote() {
    server.on("/api/v1/quote", fixture(200, "finnhub/quote.json"));
  }

  @Override
  protected void serveAtQuoteRoute(Reply reply) {
    server.on("/api/v1/quote", reply);
  }

  @Override
  protected String serveLondonDaily() {
    server().on("/api/v1/stock/candle", json(200, """
        {"s":"ok","t":[1751241600,1751328000,1751414400],"o":[70.1,70.2,70.3],"h":[71,71,71],"l":[69,69,69],
         "c":[70.5,70.6,70.7],"v":[100,200,300]}"""));
    return "VOD.L";
  }
}
