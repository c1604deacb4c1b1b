package dev.quotegate.provider.alphavantage;

import static dev.quotegate.testsupport.FixtureServer.fixture;
import static dev.quotegate.testsupport.FixtureServer.json;
import static dev.quotegate.testsupport.FixtureServer.text;
import static dev.quotegate.testsupport.TestUpstream.VERIFY;
import static dev.quotegate.testsupport.TestUpstream.failsNotFound;
import static dev.quotegate.testsupport.TestUpstream.failsUpstream;
import static org.assertj.core.api.Assertions.assertThat;

import dev.quotegate.calendar.BarInterval;
import dev.quotegate.platform.GatewayException;
import dev.quotegate.platform.GatewayException.UpstreamFailure;
import dev.quotegate.platform.UpstreamClient;
import dev.quotegate.provider.AdapterConformance;
import dev.quotegate.provider.ApiKey;
import dev.quotegate.provider.Bar;
import dev.quotegate.provider.Capability;
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

class AlphaVantageAdapterTest extends AdapterConformance {

  static final String KEY = "av-test-key-51f0";
  static final Instant NOW = Instant.parse("2024-11-23T18:00:00Z");
  static FixtureServer server;
  SimpleMeterRegistry registry;
  UpstreamClient client;
  AlphaVantageAdapter adapter;

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
    adapter = new AlphaVantageAdapter(client, new AlphaVantageProperties(true, server.baseUrl(""), ApiKey.valueOf(KEY),
        1, 0, 25, 1, Set.of(Capability.QUOTES, Capability.BARS, Capability.PROFILE, Capability.SEARCH)),
        Clock.fixed(NOW, ZoneOffset.UTC));
  }

  @AfterEach
  void tearDown() {
    TestUpstream.noSecretInMeters(registry, KEY);
    client.close();
  }

  static String query(Recorded r) {
    return URLDecoder.decode(FixtureServer.uri(r).getRawQuery(), StandardCharsets.UTF_8);
  }

  @Test
  void mapsGlobalQuoteFromStrings() {
    server.on("/query", fixture(200, "alphavantage/global-quote.json"));
    StepVerifier.create(adapter.quotes(List.of("IBM")))
        .assertNext(m -> assertThat(m.get("IBM")).isEqualTo(new Quote("IBM", new BigDecimal("222.9700"),
            new BigDecimal("0.5700"), new BigDecimal("0.2563"), new BigDecimal("222.4000"), new BigDecimal("223.0100"),
            new BigDecimal("220.9100"), new BigDecimal("222.4000"), 5099112L, null, null,
            Instant.parse("2024-11-22T21:00:00Z"), "alphavantage")))
        .verifyComplete();
    assertThat(query(server.requests("/query").get(0))).isEqualTo("function=GLOBAL_QUOTE&symbol=IBM&apikey=" + KEY);
  }

  @Test
  void classSharesAndLondonListingsUseAlphaVantageSymbols() {
    server.on("/query", fixture(200, "alphavantage/global-quote.json"));
    StepVerifier.create(adapter.quotes(List.of("BRK.B", "TSCO.L")))
        .assertNext(m -> assertThat(m).containsOnlyKeys("BRK.B", "TSCO.L"))
        .verifyComplete();
    assertThat(server.requests("/query")).extracting(AlphaVantageAdapterTest::query)
        .containsExactlyInAnyOrder("function=GLOBAL_QUOTE&symbol=BRK-B&apikey=" + KEY, "function=GLOBAL_QUOTE&symbol=TSCO.LON&apikey=" + KEY);
    assertThat(adapter.supportsSymbol("^GSPC")).isFalse();
    assertThat(adapter.supportsSymbol("VNM.VN")).isFalse();
  }

  @Test
  void emptyGlobalQuoteIsAbsent() {
    server.on("/query", fixture(200, "alphavantage/global-quote-empty.json"));
    StepVerifier.create(adapter.quotes(List.of("NOPE"))).expectNext(Map.of()).verifyComplete();
  }

  @Test
  void dailySeriesAscendingAtSessionOpenWithinRange() {
    server.on("/query", fixture(200, "alphavantage/daily.json"));
    Instant from = Instant.parse("2024-11-20T00:00:00Z");
    StepVerifier.create(adapter.bars("IBM", BarInterval.D1, from, NOW))
        .assertNext(bars -> {
          assertThat(bars).extracting(Bar::ts).containsExactly(Instant.parse("2024-11-20T14:30:00Z"),
              Instant.parse("2024-11-21T14:30:00Z"), Instant.parse("2024-11-22T14:30:00Z"));
          assertThat(bars.get(2)).isEqualTo(new Bar(Instant.parse("2024-11-22T14:30:00Z"), new BigDecimal("222.4000"),
              new BigDecimal("223.0100"), new BigDecimal("220.9100"), new BigDecimal("222.9700"), 5099112L));
        })
        .verifyComplete();
    assertThat(query(server.requests("/query").get(0))).isEqualTo("function=TIME_SERIES_DAILY&symbol=IBM&outputsize=compact&apikey=" + KEY);
  }

  @Test
  void longDailyRangesAskForTheFullSeries() {
    server.on("/query", fixture(200, "alphavantage/daily.json"));
    StepVerifier.create(adapter.bars("IBM", BarInterval.D1, NOW.minus(Duration.ofDays(400)), NOW)).expectNextCount(1).verifyComplete();
    assertThat(query(server.requests("/query").get(0))).contains("outputsize=full");
  }

  @Test
  void intradaySeriesInItsTimeZone() {
    server.on("/query", fixture(200, "alphavantage/intraday-5min.json"));
    StepVerifier.create(adapter.bars("IBM", BarInterval.M5, Instant.parse("2024-11-22T00:00:00Z"), NOW))
        .assertNext(bars -> assertThat(bars).extracting(Bar::ts)
            .containsExactly(Instant.parse("2024-11-22T20:50:00Z"), Instant.parse("2024-11-22T20:55:00Z")))
        .verifyComplete();
    assertThat(query(server.requests("/query").get(0))).contains("function=TIME_SERIES_INTRADAY").contains("interval=5min");
  }

  @Test
  void mapsOverviewToProfile() {
    server.on("/query", fixture(200, "alphavantage/overview.json"));
    StepVerifier.create(adapter.profile("IBM"))
        .assertNext(p -> assertThat(p).isEqualTo(new Profile("IBM", "International Business Machines", "NYSE", "TECHNOLOGY",
            "COMPUTER & OFFICE EQUIPMENT", "USD", "USA",
            "International Business Machines Corporation (IBM) is an American multinational technology company.", null,
            "https://www.ibm.com", new BigDecimal("206170833000"), null, "alphavantage")))
        .verifyComplete();
  }

  @Test
  void emptyOverviewIsNotFound() {
    server.on("/query", json(200, "{}"));
    failsNotFound(adapter.profile("NOPE"), "NOPE");
  }

  @Test
  void searchMapsSymbolsToGatewayForm() {
    server.on("/query", fixture(200, "alphavantage/search.json"));
    StepVerifier.create(adapter.search("tesco", 2))
        .assertNext(hits -> assertThat(hits).containsExactly(
            new SearchHit("TSCO.L", "Tesco PLC", null, "EQUITY", null, "alphavantage"),
            new SearchHit("BRK.B", "Berkshire Hathaway Inc", null, "EQUITY", null, "alphavantage")))
        .verifyComplete();
  }

  @Test
  void noteInA200BodyIsRateLimited() {
    server.on("/query", fixture(200, "alphavantage/note.json"));
    failsUpstream(adapter.quotes(List.of("IBM")), UpstreamFailure.RATE_LIMITED,
        u -> assertThat(u.retryAfter()).isEqualTo(Duration.ofMinutes(1)));
  }

  @Test
  void dailyLimitInformationIsRateLimitedUntilMidnightUtc() {
    server.on("/query", fixture(200, "alphavantage/information-daily-limit.json"));
    failsUpstream(adapter.profile("IBM"), UpstreamFailure.RATE_LIMITED, u -> {
      assertThat(u.retryAfter()).isEqualTo(Duration.ofHours(6));
      assertThat(u.getMessage()).contains("daily request limit").doesNotContain(KEY);
    });
  }

  @Test
  void premiumInformationIsUnsupported() {
    server.on("/query", fixture(200, "alphavantage/information-premium.json"));
    failsUpstream(adapter.bars("IBM", BarInterval.M1, NOW.minusSeconds(3600), NOW), UpstreamFailure.UNSUPPORTED, u -> {});
  }

  @Test
  void errorMessageIsNotFoundForASymbolAndBadRequestForASearch() {
    server.on("/query", fixture(200, "alphavantage/error-message.json"));
    failsNotFound(adapter.bars("NOPE", BarInterval.D1, NOW.minusSeconds(86400 * 5), NOW), "NOPE");
    StepVerifier.create(adapter.search("???", 5))
        .expectErrorSatisfies(e -> assertThat(e).isInstanceOf(GatewayException.InvalidRequest.class))
        .verify(VERIFY);
  }

  @Test
  void statusErrorsAreTyped() {
    server.on("/query", text(429, "Too Many Requests").header("Retry-After", "20"));
    failsUpstream(adapter.quotes(List.of("IBM")), UpstreamFailure.RATE_LIMITED, u -> assertThat(u.retryAfter()).isEqualTo(Duration.ofSeconds(20)));
    server.on("/query", text(429, "Too Many Requests"));
    failsUpstream(adapter.quotes(List.of("IBM")), UpstreamFailure.RATE_LIMITED, u -> assertThat(u.retryAfter()).isNull());
    server.on("/query", json(401, "{}"));
    failsUpstream(adapter.quotes(List.of("IBM")), UpstreamFailure.REJECTED, u -> assertThat(u.getMessage()).doesNotContain(KEY));
    server.on("/query", json(403, "{}"));
    failsUpstream(adapter.quotes(List.of("IBM")), UpstreamFailure.REJECTED, u -> {});
    server.on("/query", json(404, "{}"));
    failsNotFound(adapter.profile("IBM"), "IBM");
    server.on("/query", text(503, "down"));
    failsUpstream(adapter.quotes(List.of("IBM")), UpstreamFailure.UNAVAILABLE, u -> {});
  }

  @Test
  void malformedJsonIsMalformedWithoutTheKey() {
    server.on("/query", fixture(200, "alphavantage/malformed.json"));
    failsUpstream(adapter.quotes(List.of("IBM")), UpstreamFailure.MALFORMED, u -> assertThat(u.getMessage()).doesNotContain(KEY));
  }

  @Test
  void limitsAreTheFreePlans() {
    assertThat(adapter.limits().requestsPerDay()).isEqualTo(25);
    assertThat(adapter.limits().batchSize()).isEqualTo(1);
    assertThat(adapter.capabilities()).doesNotContain(Capability.NEWS);
  }

  @Test
  void aShortRangeThatStartsAYearBackAsksForTheFullSeries() {
    // five sessions long, but older than the latest 100: compact would hold none of it
    server.on("/query", fixture(200, "alphavantage/daily.json"));
    Instant from = NOW.minus(Duration.ofDays(365));
    adapter.bars("IBM", BarInterval.D1, from, from.plus(Duration.ofDays(7))).block(Duration.ofSeconds(10));
    assertThat(query(server.requests("/query").get(0))).contains("outputsize=full");
  }

  @Test
  void londonDailyBarsAreStampedAtTheLondonOpen() {
    server.on("/query", json(200, """
        {"Meta Data":{"2. Symbol":"TSCO.LON","5. Time Zone":"US/Eastern"},
         "Time Series (Daily)":{
          "2025-07-02":{"1. open":"390.1","2. high":"392.0","3. low":"388.0","4. close":"391.0","5. volume":"100"},
          "2025-07-01":{"1. open":"389.1","2. high":"391.0","3. low":"387.0","4. close":"390.0","5. volume":"100"},
          "2025-06-30":{"1. open":"388.1","2. high":"390.0","3. low":"386.0","4. close":"389.0","5. volume":"100"}}}"""));
    StepVerifier.create(adapter.bars("TSCO.L", BarInterval.D1, Instant.parse("2025-06-30T07:00:00Z"),
            Instant.parse("2025-07-03T07:00:00Z")))
        .assertNext(bars -> assertThat(bars).extracting(Bar::ts).as("each London session once, at 08:00 London")
            .containsExactly(Instant.parse("2025-06-30T07:00:00Z"), Instant.parse("2025-07-01T07:00:00Z"),
                Instant.parse("2025-07-02T07:00:00Z")))
        .verifyComplete();
    assertThat(query(server.requests("/query").get(0))).contains("symbol=TSCO.LON");
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
    return "IBM";
  }

  @Override
  protected void serveQuote() {
    server.on("/query", fixture(200, "alphavantage/global-quote.json"));
  }

  @Override
  protected void serveAtQuoteRoute(Reply reply) {
    server.on("/query", reply);
  }

  @Override
  protected String serveLondonDaily() {
    server().on("/query", json(200, """
        {"Meta Data":{"2. Symbol":"TSCO.LON","5. Time Zone":"US/Eastern"},
         "Time Series (Daily)":{
          "2025-07-02":{"1. open":"390.1","2. high":"392.0","3. low":"388.0","4. close":"391.0","5. volume":"100"},
          "2025-07-01":{"1. open":"389.1","2. high":"391.0","3. low":"387.0","4. close":"390.0","5. volume":"100"},
          "2025-06-30":{"1. open":"388.1","2. high":"390.0","3. low":"386.0","4. close":"389.0","5. volume":"100"}}}"""));
    return "TSCO.L";
  }
}
