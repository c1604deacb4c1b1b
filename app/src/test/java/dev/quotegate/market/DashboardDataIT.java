package dev.quotegate.market;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quotegate.testsupport.SimulatorAdmin;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.webtestclient.autoconfigure.AutoConfigureWebTestClient;
import org.springframework.core.env.Environment;
import org.springframework.http.MediaType;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.reactive.server.WebTestClient;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** Merged news, signals, the one-call summary, pagination and field selection against the simulator. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@AutoConfigureWebTestClient
class DashboardDataIT {

  private static final JsonMapper JSON = JsonMapper.builder().build();

  @DynamicPropertySource
  static void properties(DynamicPropertyRegistry registry) {
    registry.add("quotegate.simulator.port", () -> "0");
    // A 500-symbol movers snapshot and cold history on a build machine shared by parallel
    // builds: calls slower than the default 2 s must not open the breaker here (its behaviour
    // has its own tests).
    registry.add("quotegate.resilience.defaults.slow-call-duration", () -> "20s");
    registry.add("quotegate.history.data-dir",
        () -> Path.of("target", "it-h2", UUID.randomUUID().toString()).toString());
  }

  @Autowired WebTestClient web;
  @Autowired Environment env;
  SimulatorAdmin sim;

  @BeforeEach
  void setUp() {
    web = web.mutate().responseTimeout(Duration.ofSeconds(60)).build();
    sim = new SimulatorAdmin(Integer.parseInt(env.getRequiredProperty("local.simulator.port")));
  }

  private JsonNode get(String uri) {
    return JSON.readTree(web.get().uri(uri).exchange().expectStatus().isOk().expectBody().returnResult().getResponseBody());
  }

  private void badRequestNaming(String uri, String field) {
    web.get().uri(uri).exchange().expectStatus().isBadRequest()
        .expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON)
        .expectBody().jsonPath("$.invalidParams[0].name").isEqualTo(field);
  }

  @Test
  void newsOfManySymbolsIsMergedDeduplicatedNewestFirstAndPaged() {
    List<String> ids = new ArrayList<>();
    List<Instant> times = new ArrayList<>();
    Set<String> symbols = new HashSet<>();
    String uri = "/api/v1/news?symbols=AAPL,MSFT,NVDA&limit=25";
    int pages = 0;
    while (uri != null && pages < 40) {
      JsonNode page = get(uri);
      for (JsonNode n : page.get("news")) {
        ids.add(n.get("id").asString());
        times.add(Instant.parse(n.get("publishedAt").asString()));
        n.get("symbols").forEach(s -> symbols.add(s.asString()));
      }
      uri = page.has("next") ? page.get("next").asString() : null;
      pages++;
    }
    assertThat(pages).as("more than one page").isGreaterThan(1);
    assertThat(ids).as("no article twice, across pages").doesNotHaveDuplicates();
    assertThat(times).as("newest first across pages").isSortedAccordingTo(java.util.Comparator.reverseOrder());
    assertThat(symbols).contains("AAPL", "MSFT", "NVDA");
    JsonNode one = get("/api/v1/news/AAPL?limit=50");
    for (JsonNode n : one.get("news")) {
      assertThat(ids).as("every AAPL article is in the merged answer").contains(n.get("id").asString());
    }
    badRequestNaming("/api/v1/news?symbols=AAPL,MSFT&cursor=" + get("/api/v1/news?symbols=AAPL&limit=1").get("nextCursor").asString(), "cursor");
    badRequestNaming("/api/v1/news?symbols=AAPL,$$", "symbols[1]");
  }

  @Test
  void signalsForAWatchlistInOneCall() {
    JsonNode s = get("/api/v1/signals?symbols=AAPL,MSFT,NVDA,QQQQQQ");
    assertThat(s.get("symbols").size()).isEqualTo(4);
    for (int i = 0; i < 3; i++) {
      JsonNode one = s.get("symbols").get(i);
      assertThat(one.at("/latest/rsi").isNumber()).as(one.toString()).isTrue();
      assertThat(one.at("/latest/sma200").isNumber()).as("200 bars of history: " + one).isTrue();
      for (JsonNode sig : one.get("signals")) {
        assertThat(sig.get("date").asString()).isNotEmpty();
        assertThat(sig.get("value").isNumber()).isTrue();
        assertThat(sig.get("barsAgo").asInt()).isBetween(0, 4);
      }
    }
    assertThat(s.at("/symbols/3/status").asInt()).as("unknown symbol").isEqualTo(404);
    long before = sim.stats().at("/byEndpoint/bars").asLong();
    get("/api/v1/signals?symbols=AAPL,MSFT,NVDA");
    assertThat(sim.stats().at("/byEndpoint/bars").asLong()).as("history stored: no bars fetched again").isEqualTo(before);
    badRequestNaming("/api/v1/signals", "symbols");
  }

  @Test
  void theDashboardSummaryHasMarketStatusIndicesQuotesAndMovers() {
    JsonNode cold = get("/api/v1/dashboard?symbols=AAPL,MSFT");
    assertThat(cold.has("market")).isTrue();
    get("/api/v1/movers?limit=1"); // the market snapshot: the summary only reads it, never computes it
    JsonNode d = get("/api/v1/dashboard?symbols=AAPL,MSFT");
    assertThat(d.at("/market/calendar").asString()).isEqualTo("XNYS");
    assertThat(d.at("/market/open").isBoolean()).isTrue();
    assertThat(Instant.parse(d.at("/market/nextOpen").asString())).isAfter(Instant.parse(d.get("asOf").asString()));
    assertThat(d.get("indices").size()).isEqualTo(4);
    assertThat(d.at("/indices/0/symbol").asString()).isEqualTo("SPY");
    assertThat(d.get("quotes").size()).isEqualTo(2);
    assertThat(d.at("/movers/gainers").size()).isEqualTo(5);
    long calls = sim.requests();
    get("/api/v1/dashboard?symbols=AAPL,MSFT");
    assertThat(sim.requests()).as("a second summary right after is answered from cache").isEqualTo(calls);
  }

  @Test
  void fieldSelectionOnQuotesBatchesMoversAndValuation() {
    JsonNode q = get("/api/v1/quotes/AAPL?fields=price,changePercent");
    assertThat(names(q)).containsExactlyInAnyOrder("symbol", "price", "changePercent");
    JsonNode b = get("/api/v1/quotes?symbols=AAPL,MSFT&fields=symbol,price");
    assertThat(b.get("quotes").size()).isEqualTo(2);
    assertThat(names(b.get("quotes").get(0))).containsExactlyInAnyOrder("symbol", "price");
    JsonNode m = get("/api/v1/movers?type=gainers&limit=3&fields=changePercent");
    assertThat(names(m.get("movers").get(0))).containsExactlyInAnyOrder("symbol", "changePercent");
    byte[] v = web.post().uri("/api/v1/portfolio/valuation?fields=marketValue").contentType(MediaType.APPLICATION_JSON)
        .bodyValue("{\"holdings\":[{\"symbol\":\"AAPL\",\"quantity\":2}]}").exchange()
        .expectStatus().isOk().expectBody().returnResult().getResponseBody();
    assertThat(names(JSON.readTree(v).get("positions").get(0))).containsExactlyInAnyOrder("symbol", "marketValue");
    long calls = sim.requests();
    badRequestNaming("/api/v1/quotes?symbols=AAPL&fields=price,bogus", "fields");
    badRequestNaming("/api/v1/quotes/ZZZZ?fields=bogus", "fields");
    badRequestNaming("/api/v1/movers?fields=nope", "fields");
    assertThat(sim.requests()).as("an unknown field never reaches a provider").isEqualTo(calls);
  }

  @Test
  void moversArePagedByCursor() {
    JsonNode first = get("/api/v1/movers?type=losers&limit=4");
    JsonNode second = get(first.get("next").asString());
    List<String> a = symbolsOf(first.get("movers"));
    List<String> b = symbolsOf(second.get("movers"));
    assertThat(b).hasSize(4).doesNotContainAnyElementsOf(a);
    JsonNode eight = get("/api/v1/movers?type=losers&limit=8");
    List<String> both = new ArrayList<>(a);
    both.addAll(b);
    assertThat(symbolsOf(eight.get("movers"))).as("two pages of 4 are the first 8").isEqualTo(both);
  }

  private static List<String> symbolsOf(JsonNode arr) {
    List<String> out = new ArrayList<>();
    arr.forEach(n -> out.add(n.get("symbol").asString()));
    return out;
  }

  private static List<String> names(JsonNode n) {
    List<String> out = new ArrayList<>();
    n.propertyNames().forEach(out::add);
    return out;
  }
}
