package dev.quotegate.provider.yahoo;

import static dev.quotegate.testsupport.FixtureServer.fixture;
import static dev.quotegate.testsupport.FixtureServer.json;
import static dev.quotegate.testsupport.TestUpstream.failsNotFound;
import static dev.quotegate.testsupport.TestUpstream.failsUpstream;
import static org.assertj.core.api.Assertions.assertThat;

import dev.quotegate.calendar.BarInterval;
import dev.quotegate.platform.GatewayException.UpstreamFailure;
import dev.quotegate.platform.UpstreamClient;
import dev.quotegate.provider.AdapterConformance;
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
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.test.StepVerifier;

class YahooAdapterTest extends AdapterConformance {

  /** Every capability a real adapter offers (the universe is the simulator\'s alone). */
  private static final java.util.Set<Capability> ALL = java.util.EnumSet.of(
      Capability.QUOTES, Capability.BARS, Capability.PROFILE, Capability.NEWS, Capability.SEARCH);

  static final String COOKIE = "A3=d=AQABBKx1234&S=AQAAAtest";
  static FixtureServer server;
  SimpleMeterRegistry registry;
  UpstreamClient client;
  YahooAdapter adapter;

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
    server.on("/cookie", json(404, "{}").header("Set-Cookie", COOKIE + "; Expires=Sat, 22 Nov 2025 20:00:00 GMT; Domain=.yahoo.com; Path=/; Secure; HttpOnly"));
    server.on("/v1/test/getcrumb", fixture(200, "yahoo/crumb.txt"));
    registry = new SimpleMeterRegistry();
    client = TestUpstream.client(registry);
    adapter = new YahooAdapter(client, props(50));
  }

  @AfterEach
  void tearDown() {
    client.close();
  }

  static YahooProperties props(int batchSize) {
    return new YahooProperties(true, server.baseUrl(""), server.baseUrl("/cookie"), "Mozilla/5.0 QuotegateTest",
        5, 120, 0, batchSize, 2, ALL);
  }

  static String query(Recorded r) {
    return URLDecoder.decode(FixtureServer.uri(r).getRawQuery(), StandardCharsets.UTF_8);
  }

  @Test
  void mapsBatchQuotesFieldByFieldKeyedAsAsked() {
    server.on("/v7/finance/quote", fixture(200, "yahoo/quote.json"));
    StepVerifier.create(adapter.quotes(List.of("AAPL", "BRK.B", "VOD.L")))
        .assertNext(
            m -> {
              assertThat(m).as("VOD.L has no price yet: absent").containsOnlyKeys("AAPL", "BRK.B");
              Quote q = m.get("AAPL");
              assertThat(q.symbol()).isEqualTo("AAPL");
              assertThat(q.price()).isEqualByComparingTo("229.87");
              assertThat(q.change()).isEqualByComparingTo("1.39");
              assertThat(q.changePercent()).isEqualByComparingTo("0.608368");
              assertThat(q.open()).isEqualByComparingTo("228.06");
              assertThat(q.high()).isEqualByComparingTo("230.72");
              assertThat(q.low()).isEqualByComparingTo("228.06");
              assertThat(q.previousClose()).isEqualByComparingTo("228.48");
              assertThat(q.volume()).isEqualTo(38168252L);
              assertThat(q.currency()).isEqualTo("USD");
              assertThat(q.marketOpen()).isTrue();
              assertThat(q.asOf()).isEqualTo(Instant.ofEpochSecond(1732309200));
              assertThat(q.source()).isEqualTo("yahoo");
              Quote brk = m.get("BRK.B");
              assertThat(brk.symbol()).as("gateway form kept").isEqualTo("BRK.B");
              assertThat(brk.marketOpen()).isFalse();
              assertThat(brk.price()).isEqualByComparingTo("477.31");
            })
        .verifyComplete();
    Recorded req = server.requests("/v7/finance/quote").get(0);
    assertThat(query(req)).isEqualTo("symbols=AAPL,BRK-B,VOD.L&crumb=Xk3pQ9vB.2a");
    assertThat(req.header("Cookie")).isEqualTo(COOKIE);
    assertThat(req.header("User-Agent")).isEqualTo("Mozilla/5.0 QuotegateTest");
    assertThat(server.requests("/cookie").get(0).header("User-Agent")).isEqualTo("Mozilla/5.0 QuotegateTest");
  }

  @Test
  void concurrentCallsShareOneSessionFetch() {
    server.on("/v7/finance/quote", fixture(200, "yahoo/quote.json"));
    StepVerifier.create(Flux.range(0, 20).flatMap(i -> adapter.quotes(List.of("AAPL")), 20).count())
        .expectNext(20L)
        .verifyComplete();
    StepVerifier.create(adapter.profile("AAPL").onErrorComplete()).verifyComplete();
    assertThat(server.requests("/cookie")).as("cookie fetches").hasSize(1);
    assertThat(server.requests("/v1/test/getcrumb")).as("crumb fetches").hasSize(1);
    assertThat(adapter.session().fetches()).isEqualTo(1);
  }

  @Test
  void invalidCrumbRefreshesTheSessionOnceAndRetries() {
    server.onSequence("/v1/test/getcrumb", FixtureServer.text(200, "crumbOne1"), FixtureServer.text(200, "crumbTwo2"));
    server.onSequence("/v7/finance/quote", fixture(401, "yahoo/invalid-crumb.json"), fixture(200, "yahoo/quote.json"));
    StepVerifier.create(adapter.quotes(List.of("AAPL")))
        .assertNext(m -> assertThat(m).containsKey("AAPL"))
        .verifyComplete();
    List<Recorded> quotes = server.requests("/v7/finance/quote");
    assertThat(quotes).hasSize(2);
    assertThat(query(quotes.get(0))).endsWith("crumb=crumbOne1");
    assertThat(query(quotes.get(1))).endsWith("crumb=crumbTwo2");
    assertThat(server.requests("/v1/test/getcrumb")).hasSize(2);
    // the refreshed session is kept for later calls
    StepVerifier.create(adapter.quotes(List.of("AAPL"))).expectNextCount(1).verifyComplete();
    assertThat(server.requests("/v1/test/getcrumb")).hasSize(2);
  }

  @Test
  void invalidCrumbTwiceIsRejected() {
    server.on("/v7/finance/quote", fixture(401, "yahoo/invalid-crumb.json"));
    failsUpstream(adapter.quotes(List.of("AAPL")), UpstreamFailure.REJECTED, u -> {});
    assertThat(server.requests("/v7/finance/quote")).hasSize(2);
  }

  @Test
  void htmlCrumbIsRejectedAndNotKept() {
    server.onSequence("/v1/test/getcrumb", fixture(200, "yahoo/crumb.html"), fixture(200, "yahoo/crumb.txt"));
    server.on("/v7/finance/quote", fixture(200, "yahoo/quote.json"));
    failsUpstream(adapter.quotes(List.of("AAPL")), UpstreamFailure.MALFORMED,
        u -> assertThat(u.getMessage()).contains("not a crumb").contains("HTML"));
    assertThat(server.requests("/v7/finance/quote")).as("no quote call without a crumb").isEmpty();
    StepVerifier.create(adapter.quotes(List.of("AAPL"))).expectNextCount(1).verifyComplete();
    assertThat(server.requests("/v1/test/getcrumb")).hasSize(2);
  }

  @Test
  void tooManyRequestsCrumbIsRateLimited() {
    server.on("/v1/test/getcrumb", fixture(200, "yahoo/too-many-requests.txt"));
    failsUpstream(adapter.quotes(List.of("AAPL")), UpstreamFailure.RATE_LIMITED, u -> {});
    server.on("/v1/test/getcrumb", fixture(429, "yahoo/too-many-requests.txt").header("Retry-After", "60"));
    failsUpstream(adapter.quotes(List.of("AAPL")), UpstreamFailure.RATE_LIMITED,
        u -> assertThat(u.retryAfter()).isEqualTo(Duration.ofSeconds(60)));
  }

  @Test
  void splitsLongSymbolListsIntoChunks() {
    adapter = new YahooAdapter(client, props(2));
    server.on("/v7/finance/quote", fixture(200, "yahoo/quote.json"));
    StepVerifier.create(adapter.quotes(List.of("AAPL", "BRK.B", "VOD.L", "MSFT", "NVDA")))
        .assertNext(m -> assertThat(m).containsOnlyKeys("AAPL", "BRK.B"))
        .verifyComplete();
    assertThat(server.requests("/v7/finance/quote")).extracting(r -> query(r).replaceAll("&crumb=.*", ""))
        .containsExactlyInAnyOrder("symbols=AAPL,BRK-B", "symbols=VOD.L,MSFT", "symbols=NVDA");
  }

  @Test
  void chartSkipsBarsWithNullsAndStartsDailyBarsAtTheOpen() {
    server.on("/v8/finance/chart/AAPL", fixture(200, "yahoo/chart-1d.json"));
    Instant from = Instant.parse("2024-11-18T00:00:00Z");
    Instant to = Instant.parse("2024-11-23T00:00:00Z");
    StepVerifier.create(adapter.bars("AAPL", BarInterval.D1, from, to))
        .assertNext(
            bars -> {
              assertThat(bars).extracting(Bar::ts).containsExactly(
                  Instant.parse("2024-11-18T14:30:00Z"), Instant.parse("2024-11-19T14:30:00Z"), Instant.parse("2024-11-21T14:30:00Z"));
              assertThat(bars.get(2)).isEqualTo(new Bar(Instant.parse("2024-11-21T14:30:00Z"), new BigDecimal("229.74"),
                  new BigDecimal("230.72"), new BigDecimal("225.71"), new BigDecimal("228.52"), 42108300L));
            })
        .verifyComplete();
    // daily ranges are asked by whole UTC days, one more on each side of the range's trading
    // dates (New York dates 2024-11-17 to 11-22): 11-16 00:00 to 11-24 00:00 UTC, period2 exclusive
    assertThat(query(server.requests("/v8/finance/chart/AAPL").get(0)))
        .isEqualTo("period1=1731715200&period2=1732406400&interval=1d&includePrePost=false");
    assertThat(server.requests("/v1/test/getcrumb")).as("charts need no session").isEmpty();
  }

  @Test
  void chartOfUnknownSymbolIsNotFound() {
    server.on("/v8/finance/chart/NOPE", fixture(404, "yahoo/chart-404.json"));
    failsNotFound(adapter.bars("NOPE", BarInterval.D1, Instant.EPOCH, Instant.now()), "NOPE");
  }

  @Test
  void searchDropsEntriesWithoutSymbolAndUsesGatewayForm() {
    server.on("/v1/finance/search", fixture(200, "yahoo/search.json"));
    StepVerifier.create(adapter.search("apple", 10))
        .assertNext(hits -> assertThat(hits).containsExactly(
            new SearchHit("AAPL", "Apple Inc.", "NASDAQ", "EQUITY", "Technology", "yahoo"),
            new SearchHit("BRK.B", "Berkshire Hathaway Inc. New", "NYSE", "EQUITY", "Financial Services", "yahoo"),
            new SearchHit("QQQ", "Invesco QQQ", "NYSEArca", "ETF", null, "yahoo")))
        .verifyComplete();
    assertThat(query(server.requests("/v1/finance/search").get(0))).isEqualTo("q=apple&quotesCount=10&newsCount=0");
  }

  @Test
  void newsNewestFirstSkippingUndatedItems() {
    server.on("/v1/finance/search", fixture(200, "yahoo/search.json"));
    StepVerifier.create(adapter.news("BRK.B", 5))
        .assertNext(
            items -> {
              assertThat(items).extracting(NewsItem::id)
                  .containsExactly("1f2e3d4c-2222-3b2a-8c7d-6e5f4a3b2c1d", "9a6b1c3e-1111-3c2d-9d4e-0a1b2c3d4e5f");
              assertThat(items.get(0)).isEqualTo(new NewsItem("1f2e3d4c-2222-3b2a-8c7d-6e5f4a3b2c1d", List.of("BRK.B"),
                  "Berkshire adds to cash pile", null, "Bloomberg", "https://finance.yahoo.com/news/berkshire.html",
                  Instant.ofEpochSecond(1732300000), "yahoo"));
              assertThat(items.get(1).symbols()).containsExactly("AAPL", "MSFT");
            })
        .verifyComplete();
    assertThat(query(server.requests("/v1/finance/search").get(0))).isEqualTo("q=BRK-B&quotesCount=0&newsCount=5");
  }

  @Test
  void profileReadsRawFmtNumbers() {
    server.on("/v10/finance/quoteSummary/AAPL", fixture(200, "yahoo/quote-summary.json"));
    StepVerifier.create(adapter.profile("AAPL"))
        .assertNext(p -> assertThat(p).isEqualTo(new Profile("AAPL", "Apple Inc.", "NasdaqGS", "Technology",
            "Consumer Electronics", "USD", "United States", "Apple Inc. designs, manufactures, and markets smartphones.",
            164000L, "https://www.apple.com", new BigDecimal("3474623004672"), null, "yahoo")))
        .verifyComplete();
    Recorded req = server.requests("/v10/finance/quoteSummary/AAPL").get(0);
    assertThat(query(req)).isEqualTo("modules=assetProfile,price&crumb=Xk3pQ9vB.2a");
    assertThat(req.header("Cookie")).isEqualTo(COOKIE);
  }

  @Test
  void profileOfUnknownSymbolIsNotFound() {
    server.on("/v10/finance/quoteSummary/NOPE", fixture(404, "yahoo/quote-summary-404.json"));
    failsNotFound(adapter.profile("NOPE"), "NOPE");
  }

  @Test
  void rateLimitWithAndWithoutRetryAfter() {
    server.on("/v7/finance/quote", fixture(429, "yahoo/too-many-requests.txt").header("Retry-After", "15"));
    failsUpstream(adapter.quotes(List.of("AAPL")), UpstreamFailure.RATE_LIMITED,
        u -> assertThat(u.retryAfter()).isEqualTo(Duration.ofSeconds(15)));
    server.on("/v7/finance/quote", fixture(429, "yahoo/too-many-requests.txt"));
    failsUpstream(adapter.quotes(List.of("AAPL")), UpstreamFailure.RATE_LIMITED, u -> assertThat(u.retryAfter()).isNull());
  }

  @Test
  void forbiddenIsRejected() {
    server.on("/v8/finance/chart/AAPL", json(403, "{}"));
    failsUpstream(adapter.bars("AAPL", BarInterval.D1, Instant.EPOCH, Instant.now()), UpstreamFailure.REJECTED, u -> {});
  }

  @Test
  void malformedJsonIsMalformed() {
    server.on("/v7/finance/quote", fixture(200, "yahoo/malformed.json"));
    failsUpstream(adapter.quotes(List.of("AAPL")), UpstreamFailure.MALFORMED, u -> {});
  }

  @Test
  void yahooSessionCookieParsing() {
    assertThat(YahooSession.cookies(List.of("A3=abc; Path=/; Secure", "B=x=y; HttpOnly", "junk"))).isEqualTo("A3=abc; B=x=y");
  }

  @Test
  void londonDailyBarsAreEachSessionOnceAtTheLondonOpenInPounds() {
    server.on("/v8/finance/chart/VOD.L", json(200, """
        {"chart":{"result":[{"meta":{"currency":"GBp","symbol":"VOD.L","exchangeTimezoneName":"Europe/London"},
          "timestamp":[1751266800,1751353200,1751439600],
          "indicators":{"quote":[{"open":[70.10,70.20,70.30],"high":[71.00,71.00,71.00],"low":[69.00,69.00,69.00],
            "close":[70.50,70.60,70.70],"volume":[100,200,300]}]}}],"error":null}}"""));
    Instant from = Instant.parse("2025-06-30T07:00:00Z");
    Instant to = Instant.parse("2025-07-03T07:00:00Z");
    StepVerifier.create(adapter.bars("VOD.L", BarInterval.D1, from, to))
        .assertNext(bars -> {
          assertThat(bars).extracting(Bar::ts).as("every session once, at 08:00 London")
              .containsExactly(Instant.parse("2025-06-30T07:00:00Z"), Instant.parse("2025-07-01T07:00:00Z"),
                  Instant.parse("2025-07-02T07:00:00Z"));
          assertThat(bars.get(0).open()).as("pence answered as pounds").isEqualByComparingTo("0.7010");
        })
        .verifyComplete();
    // a day more on each side of the London dates the range covers (06-30 .. 07-03, the range
    // ends at 08:00 London on the 3rd), whole UTC days, period2 exclusive
    assertThat(query(server.requests("/v8/finance/chart/VOD.L").get(0)))
        .startsWith("period1=" + Instant.parse("2025-06-29T00:00:00Z").getEpochSecond()
            + "&period2=" + Instant.parse("2025-07-05T00:00:00Z").getEpochSecond());
  }

  @Test
  void aOneSessionRangeNeverAsksForAnEmptyWindow() {
    server.on("/v8/finance/chart/AAPL", fixture(200, "yahoo/chart-1d.json"));
    Instant open = Instant.parse("2024-11-21T14:30:00Z");
    adapter.bars("AAPL", BarInterval.D1, open, open.plusMillis(1)).block(Duration.ofSeconds(10));
    String q = query(server.requests("/v8/finance/chart/AAPL").get(0));
    long p1 = Long.parseLong(q.replaceAll(".*period1=(\\d+).*", "$1"));
    long p2 = Long.parseLong(q.replaceAll(".*period2=(\\d+).*", "$1"));
    assertThat(p2).as("period2 after period1").isGreaterThan(p1);
  }

  @Test
  void pricesInPenceAreAnsweredInPoundsWithTheUnitKept() {
    server.on("/v7/finance/quote", json(200, """
        {"quoteResponse":{"result":[{"symbol":"VOD.L","currency":"GBp","regularMarketPrice":70.52,
          "regularMarketChange":-0.48,"regularMarketOpen":71.0,"regularMarketDayHigh":71.2,"regularMarketDayLow":70.1,
          "regularMarketPreviousClose":71.0,"regularMarketTime":1751446800,"marketState":"CLOSED"},
         {"symbol":"^FTSE","currency":"GBP","regularMarketPrice":8760.96,"regularMarketOpen":0,"regularMarketDayHigh":0,
          "regularMarketDayLow":0,"regularMarketTime":1751446800}],"error":null}}"""));
    StepVerifier.create(adapter.quotes(List.of("VOD.L", "^FTSE")))
        .assertNext(m -> {
          Quote vod = m.get("VOD.L");
          assertThat(vod.price()).isEqualByComparingTo("0.7052");
          assertThat(vod.change()).isEqualByComparingTo("-0.0048");
          assertThat(vod.currency()).isEqualTo("GBP");
          assertThat(vod.quotedIn()).isEqualTo("GBp");
          Quote ftse = m.get("^FTSE");
          assertThat(ftse.open()).as("an index's zero open is unknown, not zero").isNull();
          assertThat(ftse.high()).isNull();
          assertThat(ftse.low()).isNull();
          assertThat(ftse.quotedIn()).isNull();
        })
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
    return null;
  }

  @Override
  protected String usSymbol() {
    return "AAPL";
  }

  @Override
  protected void serveQuote() {
    server.on("/v7/finance/quote", fixture(200, "yahoo/quote.json"));
  }

  @Override
  protected void serveAtQuoteRoute(Reply reply) {
    server.on("/v7/finance/quote", reply);
  }

  @Override
  protected String serveLondonDaily() {
    server().on("/v8/finance/chart/VOD.L", json(200, """
        {"chart":{"result":[{"meta":{"currency":"GBp","symbol":"VOD.L","exchangeTimezoneName":"Europe/London"},
          "timestamp":[1751266800,1751353200,1751439600],
          "indicators":{"quote":[{"open":[70.10,70.20,70.30],"high":[71,71,71],"low":[69,69,69],
            "close":[70.5,70.6,70.7],"volume":[100,200,300]}]}}],"error":null}}"""));
    return "VOD.L";
  }
}
