package dev.quotegate.provider.polygon;

import static dev.quotegate.testsupport.FixtureServer.fixture;
import static dev.quotegate.testsupport.FixtureServer.json;
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

class PolygonAdapterTest extends AdapterConformance {

  /** Every capability a real adapter offers (the universe is the simulator\'s alone). */
  private static final java.util.Set<Capability> ALL = java.util.EnumSet.of(
      Capability.QUOTES, Capability.BARS, Capability.PROFILE, Capability.NEWS, Capability.SEARCH);

  static final String KEY = "pg-test-key-7d22";
  static final String AGGS = "/v2/aggs/ticker/AAPL/range/1/day/";
  static FixtureServer server;
  SimpleMeterRegistry registry;
  UpstreamClient client;
  PolygonAdapter adapter;

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
    adapter = adapter(10);
  }

  PolygonAdapter adapter(int maxPages) {
    return new PolygonAdapter(client, new PolygonProperties(true, server.baseUrl("/massive"), ApiKey.valueOf(KEY),
        0, 5, 0, 100, maxPages, ALL));
  }

  @AfterEach
  void tearDown() {
    TestUpstream.noSecretInMeters(registry, KEY);
    client.close();
  }

  static String query(Recorded r) {
    String q = FixtureServer.uri(r).getRawQuery();
    return q == null ? "" : URLDecoder.decode(q, StandardCharsets.UTF_8);
  }

  @Test
  void mapsBatchSnapshotFieldByFieldWithBearerAuth() {
    server.on("/massive/v2/snapshot/locale/us/markets/stocks/tickers", fixture(200, "polygon/snapshot.json"));
    StepVerifier.create(adapter.quotes(List.of("AAPL", "BRK-B", "VOD.L")))
        .assertNext(
            m -> {
              assertThat(m).as("VOD.L is not a US listing: never asked").containsOnlyKeys("AAPL", "BRK-B");
              assertThat(m.get("AAPL")).isEqualTo(new Quote("AAPL", new BigDecimal("229.88"), new BigDecimal("1.36"),
                  new BigDecimal("0.5952"), new BigDecimal("228.06"), new BigDecimal("230.72"), new BigDecimal("228.06"),
                  new BigDecimal("228.51"), 38168252L, "USD", null, Instant.ofEpochSecond(1732309200), "polygon"));
              Quote brk = m.get("BRK-B");
              assertThat(brk.price()).as("before the open: previous close").isEqualByComparingTo("478.17");
              assertThat(brk.open()).as("zeros are 'no value yet'").isNull();
              assertThat(brk.volume()).isZero();
            })
        .verifyComplete();
    Recorded req = server.requests().get(0);
    assertThat(query(req)).isEqualTo("tickers=AAPL,BRK.B");
    assertThat(req.uri()).doesNotContain(KEY);
    assertThat(req.header("Authorization")).isEqualTo("Bearer " + KEY);
  }

  @Test
  void aggregatesFollowNextUrlOnTheConfiguredHost() {
    server.on("/massive" + AGGS + "1732165200000/1732319999999", fixture(200, "polygon/aggs-page2.json"));
    server.on("/massive" + AGGS + "2024-11-18/2024-11-23", fixture(200, "polygon/aggs-page1.json"));
    Instant from = Instant.parse("2024-11-20T00:00:00Z");
    Instant to = Instant.parse("2024-11-23T00:00:00Z");
    StepVerifier.create(adapter.bars("AAPL", BarInterval.D1, from, to))
        .assertNext(
            bars -> {
              assertThat(bars).extracting(Bar::ts).as("the 19th starts before from; the rest at 09:30 New York")
                  .containsExactly(Instant.parse("2024-11-20T14:30:00Z"), Instant.parse("2024-11-21T14:30:00Z"),
                      Instant.parse("2024-11-22T14:30:00Z"));
              assertThat(bars.get(2)).isEqualTo(new Bar(Instant.parse("2024-11-22T14:30:00Z"), new BigDecimal("228.06"),
                  new BigDecimal("230.72"), new BigDecimal("228.06"), new BigDecimal("229.87"), 38168252L));
            })
        .verifyComplete();
    List<Recorded> reqs = server.requests();
    assertThat(reqs).extracting(Recorded::path).containsExactly(
        "/massive" + AGGS + "2024-11-18/2024-11-23", "/massive" + AGGS + "1732165200000/1732319999999");
    assertThat(query(reqs.get(0))).isEqualTo("adjusted=true&sort=asc&limit=50000");
    assertThat(query(reqs.get(1))).isEqualTo("cursor=bGltaXQ9MiZzb3J0PWFzYw");
    assertThat(reqs.get(1).header("Authorization")).isEqualTo("Bearer " + KEY);
  }

  @Test
  void aggregatePagesAreBounded() {
    // A provider that always says "there is more" gets asked maxPages times, no more.
    server.on("/massive" + AGGS + "2024-11-18/2024-11-23", fixture(200, "polygon/aggs-page1.json"));
    server.on("/massive" + AGGS + "1732165200000/1732319999999", fixture(200, "polygon/aggs-page1.json"));
    StepVerifier.create(adapter(3).bars("AAPL", BarInterval.D1, Instant.parse("2024-11-20T00:00:00Z"), Instant.parse("2024-11-23T00:00:00Z")))
        .expectNextCount(1)
        .verifyComplete();
    assertThat(server.requests()).hasSize(3);
  }

  @Test
  void mapsTickerDetailsToProfile() {
    server.on("/massive/v3/reference/tickers/AAPL", fixture(200, "polygon/ticker-details.json"));
    StepVerifier.create(adapter.profile("AAPL"))
        .assertNext(p -> assertThat(p).isEqualTo(new Profile("AAPL", "Apple Inc.", "XNAS", null, "ELECTRONIC COMPUTERS", "USD",
            null, "Apple designs a wide variety of consumer electronic devices.", 164000L, "https://www.apple.com",
            new BigDecimal("3474623004672.5"),
            "https://api.polygon.io/v1/reference/company-branding/YXBwbGUuY29t/images/2024-11-01_logo.svg", "polygon")))
        .verifyComplete();
  }

  @Test
  void unknownTickerIsNotFound() {
    server.on("/massive/v3/reference/tickers/NOPE", fixture(404, "polygon/ticker-details-404.json"));
    failsNotFound(adapter.profile("NOPE"), "NOPE");
  }

  @Test
  void mapsSearchAndNews() {
    server.on("/massive/v3/reference/tickers", fixture(200, "polygon/tickers-search.json"));
    server.on("/massive/v2/reference/news", fixture(200, "polygon/news.json"));
    StepVerifier.create(adapter.search("apple", 5))
        .assertNext(h -> assertThat(h).containsExactly(
            new SearchHit("AAPL", "Apple Inc.", "XNAS", "EQUITY", null, "polygon"),
            new SearchHit("APLE", "Apple Hospitality REIT, Inc.", "XNYS", "EQUITY", null, "polygon")))
        .verifyComplete();
    StepVerifier.create(adapter.news("AAPL", 5))
        .assertNext(items -> {
          assertThat(items).extracting(NewsItem::id).containsExactly("a1b2", "8ec638777ca03b553ae516761c2a22ba2fdd2f37befae3ab6fdab74e9e5193eb");
          assertThat(items.get(0)).isEqualTo(new NewsItem("a1b2", List.of("AAPL", "BRK.B"), "Two Tech Stocks", null,
              "The Motley Fool", "https://www.fool.com/x", Instant.parse("2024-11-22T17:00:00Z"), "polygon"));
        })
        .verifyComplete();
    assertThat(query(server.requests("/massive/v3/reference/tickers").get(0))).isEqualTo("search=apple&market=stocks&active=true&limit=5");
    assertThat(query(server.requests("/massive/v2/reference/news").get(0))).isEqualTo("ticker=AAPL&order=desc&sort=published_utc&limit=5");
  }

  @Test
  void errorStatusesAreTyped() {
    String snap = "/massive/v2/snapshot/locale/us/markets/stocks/tickers";
    server.on(snap, fixture(429, "polygon/error-429.json").header("Retry-After", "12"));
    failsUpstream(adapter.quotes(List.of("AAPL")), UpstreamFailure.RATE_LIMITED, u -> assertThat(u.retryAfter()).isEqualTo(Duration.ofSeconds(12)));
    server.on(snap, new FixtureServer.Reply(429, Map.of(), new byte[0]));
    failsUpstream(adapter.quotes(List.of("AAPL")), UpstreamFailure.RATE_LIMITED, u -> assertThat(u.retryAfter()).isNull());
    server.on(snap, fixture(401, "polygon/error-401.json"));
    failsUpstream(adapter.quotes(List.of("AAPL")), UpstreamFailure.REJECTED, u -> assertThat(u.getMessage()).doesNotContain(KEY));
    server.on(snap, fixture(403, "polygon/error-403.json"));
    failsUpstream(adapter.quotes(List.of("AAPL")), UpstreamFailure.UNSUPPORTED, u -> assertThat(u.getMessage()).contains("quotes"));
    server.on(snap, fixture(200, "polygon/malformed.json"));
    failsUpstream(adapter.quotes(List.of("AAPL")), UpstreamFailure.MALFORMED, u -> {});
    server.on(snap, fixture(200, "polygon/error-429.json"));
    failsUpstream(adapter.quotes(List.of("AAPL")), UpstreamFailure.UNAVAILABLE, u -> {});
  }

  @Test
  void dailyAggregatesAreAskedByDatesADayMoreOnEachSide() {
    server.on("/massive" + AGGS + "2024-11-19/2024-11-23", fixture(200, "polygon/aggs-page1.json"));
    server.on("/massive" + AGGS + "1732165200000/1732319999999", fixture(200, "polygon/aggs-page2.json"));
    adapter.bars("AAPL", BarInterval.D1, Instant.parse("2024-11-20T14:30:00Z"), Instant.parse("2024-11-22T14:30:00.001Z"))
        .block(Duration.ofSeconds(10));
    assertThat(server.requests("/massive" + AGGS + "2024-11-19/2024-11-23")).as("dates, both inclusive").hasSize(1);
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
    server.on("/massive/v2/snapshot/locale/us/markets/stocks/tickers", fixture(200, "polygon/snapshot.json"));
  }

  @Override
  protected void serveAtQuoteRoute(Reply reply) {
    server.on("/massive/v2/snapshot/locale/us/markets/stocks/tickers", reply);
  }

  @Override
  protected String serveLondonDaily() {
    return null; // Polygon lists US equities only
  }
}
