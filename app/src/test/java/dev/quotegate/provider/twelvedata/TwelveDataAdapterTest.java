package dev.quotegate.provider.twelvedata;

import static dev.quotegate.testsupport.FixtureServer.fixture;
import static dev.quotegate.testsupport.FixtureServer.json;
import static dev.quotegate.testsupport.FixtureServer.text;
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
import reactor.test.StepVerifier;

class TwelveDataAdapterTest extends AdapterConformance {

  static final String KEY = "td-test-key-93ab";
  static FixtureServer server;
  SimpleMeterRegistry registry;
  UpstreamClient client;
  TwelveDataAdapter adapter;

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
    adapter = new TwelveDataAdapter(client, new TwelveDataProperties(true, server.baseUrl(""), ApiKey.valueOf(KEY),
        0, 8, 800, 8, Set.of(Capability.QUOTES, Capability.BARS, Capability.SEARCH)));
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
  void mapsSingleQuoteFieldByFieldWithHeaderAuth() {
    server.on("/quote", fixture(200, "twelvedata/quote.json"));
    StepVerifier.create(adapter.quotes(List.of("AAPL")))
        .assertNext(m -> assertThat(m.get("AAPL")).isEqualTo(new Quote("AAPL", new BigDecimal("229.87000"),
            new BigDecimal("1.35000"), new BigDecimal("0.59075"), new BigDecimal("228.06000"), new BigDecimal("230.72000"),
            new BigDecimal("228.06000"), new BigDecimal("228.52000"), 38168252L, "USD", false,
            Instant.ofEpochSecond(1732309200), "twelvedata")))
        .verifyComplete();
    Recorded req = server.requests().get(0);
    assertThat(query(req)).isEqualTo("symbol=AAPL");
    assertThat(req.header("Authorization")).isEqualTo("apikey " + KEY);
  }

  @Test
  void batchQuoteIsKeyedBySymbolAndDropsPerSymbolErrors() {
    server.on("/quote", fixture(200, "twelvedata/quote-batch.json"));
    StepVerifier.create(adapter.quotes(List.of("AAPL", "VOD.L", "NOPE")))
        .assertNext(m -> {
          assertThat(m).containsOnlyKeys("AAPL", "VOD.L");
          Quote vod = m.get("VOD.L");
          assertThat(vod.symbol()).isEqualTo("VOD.L");
          assertThat(vod.price()).as("pence answered as pounds").isEqualByComparingTo("0.7050");
          assertThat(vod.currency()).isEqualTo("GBP");
          assertThat(vod.quotedIn()).isEqualTo("GBp");
          assertThat(vod.asOf()).as("timestamp when last_quote_at is absent").isEqualTo(Instant.ofEpochSecond(1732262400));
          assertThat(m.get("AAPL").marketOpen()).isTrue();
        })
        .verifyComplete();
    assertThat(query(server.requests().get(0))).isEqualTo("symbol=AAPL,VOD:LSE,NOPE");
    assertThat(adapter.limits().cost(3)).as("one credit per symbol").isEqualTo(3);
  }

  @Test
  void singleUnknownSymbolIsAbsent() {
    server.on("/quote", fixture(200, "twelvedata/error-400.json"));
    StepVerifier.create(adapter.quotes(List.of("NOPE"))).expectNext(Map.of()).verifyComplete();
  }

  @Test
  void dailyTimeSeriesAscendingAtSessionOpen() {
    server.on("/time_series", fixture(200, "twelvedata/time-series.json"));
    Instant from = Instant.parse("2024-11-21T00:00:00Z");
    Instant to = Instant.parse("2024-11-23T00:00:00Z");
    StepVerifier.create(adapter.bars("AAPL", BarInterval.D1, from, to))
        .assertNext(bars -> assertThat(bars).containsExactly(
            new Bar(Instant.parse("2024-11-21T14:30:00Z"), new BigDecimal("229.74001"), new BigDecimal("230.72000"),
                new BigDecimal("225.71001"), new BigDecimal("228.52000"), 42108300L),
            new Bar(Instant.parse("2024-11-22T14:30:00Z"), new BigDecimal("228.06000"), new BigDecimal("230.72000"),
                new BigDecimal("228.06000"), new BigDecimal("229.87000"), 38168252L)))
        .verifyComplete();
    assertThat(query(server.requests().get(0))).isEqualTo(
        // daily ranges by dates on the exchange, a day more on each side of 2024-11-20 .. 11-22
        "symbol=AAPL&interval=1day&start_date=2024-11-19&end_date=2024-11-23&outputsize=5000");
  }

  @Test
  void intradayTimeSeriesInUtc() {
    server.on("/time_series", fixture(200, "twelvedata/time-series-5min.json"));
    StepVerifier.create(adapter.bars("AAPL", BarInterval.M5, Instant.parse("2024-11-22T20:00:00Z"), Instant.parse("2024-11-22T21:00:00Z")))
        .assertNext(bars -> assertThat(bars).extracting(Bar::ts)
            .containsExactly(Instant.parse("2024-11-22T20:50:00Z"), Instant.parse("2024-11-22T20:55:00Z")))
        .verifyComplete();
  }

  @Test
  void searchGivesGatewaySymbolsWithExchangeSuffixes() {
    server.on("/symbol_search", fixture(200, "twelvedata/symbol-search.json"));
    StepVerifier.create(adapter.search("vod", 10))
        .assertNext(h -> assertThat(h).containsExactly(
            new SearchHit("AAPL", "Apple Inc", "NASDAQ", "EQUITY", null, "twelvedata", "XNGS"),
            new SearchHit("VOD.L", "Vodafone Group Plc", "LSE", "EQUITY", null, "twelvedata", "XLON"),
            new SearchHit("SPY", "SPDR S&P 500 ETF Trust", "NYSE", "ETF", null, "twelvedata", "ARCX")))
        .verifyComplete();
  }

  @Test
  void errorBodiesAreErrorsWhateverTheHttpStatus() {
    server.on("/quote", fixture(200, "twelvedata/error-429.json"));
    failsUpstream(adapter.quotes(List.of("AAPL", "MSFT")), UpstreamFailure.RATE_LIMITED, u -> assertThat(u.retryAfter()).isNull());
    server.on("/quote", fixture(429, "twelvedata/error-429.json").header("Retry-After", "40"));
    failsUpstream(adapter.quotes(List.of("AAPL")), UpstreamFailure.RATE_LIMITED, u -> assertThat(u.retryAfter()).isEqualTo(Duration.ofSeconds(40)));
    server.on("/quote", fixture(200, "twelvedata/error-401.json"));
    failsUpstream(adapter.quotes(List.of("AAPL")), UpstreamFailure.REJECTED, u -> assertThat(u.getMessage()).doesNotContain(KEY));
    server.on("/quote", fixture(401, "twelvedata/error-401.json"));
    failsUpstream(adapter.quotes(List.of("AAPL")), UpstreamFailure.REJECTED, u -> {});
    server.on("/time_series", fixture(200, "twelvedata/error-403.json"));
    failsUpstream(adapter.bars("AAPL", BarInterval.M1, Instant.EPOCH, Instant.now()), UpstreamFailure.UNSUPPORTED, u -> {});
    server.on("/time_series", fixture(200, "twelvedata/error-400.json"));
    failsNotFound(adapter.bars("NOPE", BarInterval.D1, Instant.EPOCH, Instant.now()), "NOPE");
    server.on("/time_series", fixture(404, "twelvedata/error-404.json"));
    failsNotFound(adapter.bars("NOPE", BarInterval.D1, Instant.EPOCH, Instant.now()), "NOPE");
    server.on("/quote", text(429, "Too Many Requests"));
    failsUpstream(adapter.quotes(List.of("AAPL")), UpstreamFailure.RATE_LIMITED, u -> assertThat(u.retryAfter()).isNull());
    server.on("/quote", text(502, "bad gateway"));
    failsUpstream(adapter.quotes(List.of("AAPL")), UpstreamFailure.UNAVAILABLE, u -> {});
  }

  @Test
  void malformedJsonIsMalformed() {
    server.on("/quote", fixture(200, "twelvedata/malformed.json"));
    failsUpstream(adapter.quotes(List.of("AAPL")), UpstreamFailure.MALFORMED, u -> {});
  }

  @Test
  void londonTimeSeriesAreEachSessionOnceAtTheLondonOpenInPounds() {
    server.on("/time_series", json(200, """
        {"meta":{"symbol":"VOD","interval":"1day","currency":"GBp","exchange_timezone":"Europe/London","exchange":"LSE"},
         "values":[
          {"datetime":"2025-07-02","open":"70.3","high":"71","low":"69","close":"70.7","volume":"300"},
          {"datetime":"2025-07-01","open":"70.2","high":"71","low":"69","close":"70.6","volume":"200"},
          {"datetime":"2025-06-30","open":"70.1","high":"71","low":"69","close":"70.5","volume":"100"}],"status":"ok"}"""));
    StepVerifier.create(adapter.bars("VOD.L", BarInterval.D1, Instant.parse("2025-06-30T07:00:00Z"),
            Instant.parse("2025-07-03T07:00:00Z")))
        .assertNext(bars -> {
          assertThat(bars).extracting(Bar::ts).containsExactly(Instant.parse("2025-06-30T07:00:00Z"),
              Instant.parse("2025-07-01T07:00:00Z"), Instant.parse("2025-07-02T07:00:00Z"));
          assertThat(bars.get(0).open()).isEqualByComparingTo("0.701");
        })
        .verifyComplete();
    assertThat(query(server.requests().get(0))).contains("symbol=VOD:LSE").contains("start_date=2025-06-29")
        .contains("end_date=2025-07-04");
  }

  @Test
  void aQuoteWithOnlyADatetimeIsAQuoteNotAnUnknownSymbol() {
    server.on("/quote", json(200, """
        {"symbol":"AAPL","name":"Apple Inc","exchange":"NASDAQ","currency":"USD","datetime":"2024-11-22",
         "open":"228.06","high":"230.72","low":"228.06","close":"229.87","volume":"38168252","previous_close":"228.52",
         "change":"1.35","percent_change":"0.59","is_market_open":false}"""));
    StepVerifier.create(adapter.quotes(List.of("AAPL")))
        .assertNext(m -> {
          assertThat(m).containsKey("AAPL");
          assertThat(m.get("AAPL").asOf()).as("the session's close").isEqualTo(Instant.parse("2024-11-22T21:00:00Z"));
        })
        .verifyComplete();
  }

  @Test
  void searchKeepsTheExchangeOfNonUsListings() {
    server.on("/symbol_search", json(200, """
        {"data":[
          {"symbol":"AIR","instrument_name":"Airbus SE","exchange":"Euronext","mic_code":"XPAR","instrument_type":"Common Stock","country":"France","currency":"EUR"},
          {"symbol":"AIR","instrument_name":"Airbus SE","exchange":"XETR","mic_code":"XETR","instrument_type":"Common Stock","country":"Germany","currency":"EUR"},
          {"symbol":"AIR","instrument_name":"AAR Corp","exchange":"NYSE","mic_code":"XNYS","instrument_type":"Common Stock","country":"United States","currency":"USD"}],
         "status":"ok"}"""));
    StepVerifier.create(adapter.search("air", 10))
        .assertNext(hits -> {
          assertThat(hits).extracting(SearchHit::symbol).containsExactly("AIR.PA", "AIR.DE", "AIR");
          assertThat(hits).extracting(SearchHit::mic).containsExactly("XPAR", "XETR", "XNYS");
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
    return KEY;
  }

  @Override
  protected String usSymbol() {
    return "AAPL";
  }

  @Override
  protected void serveQuote() {
    server.on("/quote", fixture(200, "twelvedata/quote.json"));
  }

  @Override
  protected void serveAtQuoteRoute(Reply reply) {
    server.on("/quote", reply);
  }

  @Override
  protected String serveLondonDaily() {
    server().on("/time_series", json(200, """
        {"meta":{"symbol":"VOD","interval":"1day","currency":"GBp","exchange_timezone":"Europe/London","exchange":"LSE"},
         "values":[
          {"datetime":"2025-07-02","open":"70.3","high":"71","low":"69","close":"70.7","volume":"300"},
          {"datetime":"2025-07-01","open":"70.2","high":"71","low":"69","close":"70.6","volume":"200"},
          {"datetime":"2025-06-30","open":"70.1","high":"71","low":"69","close":"70.5","volume":"100"}],"status":"ok"}"""));
    return "VOD.L";
  }
}
