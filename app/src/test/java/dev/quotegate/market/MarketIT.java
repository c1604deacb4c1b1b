package dev.quotegate.market;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quotegate.testsupport.SimulatorAdmin;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.webtestclient.autoconfigure.AutoConfigureWebTestClient;
import org.springframework.core.env.Environment;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.WebTestClient;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** Profiles, news, search, movers, sectors and portfolio valuation against the simulator. */
@SpringBootTest(
    webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
    properties = {"quotegate.simulator.port=0"})
@AutoConfigureWebTestClient
class MarketIT {

  private static final JsonMapper JSON = JsonMapper.builder().build();

  @Autowired WebTestClient web;
  @Autowired Environment env;
  SimulatorAdmin sim;

  @BeforeEach
  void setUp() {
    sim = new SimulatorAdmin(Integer.parseInt(env.getRequiredProperty("local.simulator.port")));
    sim.reset();
  }

  private JsonNode getJson(String uri) {
    byte[] body = web.get().uri(uri).exchange().expectStatus().isOk().expectBody().returnResult().getResponseBody();
    return JSON.readTree(body);
  }

  @Test
  void servesACompanyProfileOnceFromUpstreamThenFromCache() {
    JsonNode p = getJson("/api/v1/profiles/aapl");
    assertThat(p.get("symbol").asString()).isEqualTo("AAPL");
    assertThat(p.get("name").asString()).isEqualTo("Apple Inc.");
    assertThat(p.get("source").asString()).isEqualTo("sim");
    getJson("/api/v1/profiles/AAPL");
    assertThat(sim.stats().at("/byEndpoint/profile").asLong()).isEqualTo(1);
  }

  @Test
  void unknownProfileIsA404Problem() {
    web.get().uri("/api/v1/profiles/QQQQQQ").exchange().expectStatus().isNotFound()
        .expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON);
  }

  @Test
  void newsIsNewestFirstAndLimited() {
    JsonNode n = getJson("/api/v1/news/MSFT?limit=5").get("news");
    assertThat(n.size()).isEqualTo(5);
    List<Long> times = new ArrayList<>();
    for (JsonNode item : n) {
      times.add(java.time.Instant.parse(item.get("publishedAt").asString()).toEpochMilli());
    }
    assertThat(times).isSortedAccordingTo(java.util.Comparator.reverseOrder());
  }

  @Test
  void searchFindsBySymbolPrefixAndValidatesQuery() {
    JsonNode r = getJson("/api/v1/search?q=app&limit=5").get("results");
    assertThat(r.get(0).get("symbol").asString()).isEqualTo("AAPL");
    web.get().uri("/api/v1/search").exchange().expectStatus().isBadRequest()
        .expectBody().jsonPath("$.invalidParams[0].name").isEqualTo("q");
    web.get().uri("/api/v1/search?q=a&limit=0").exchange().expectStatus().isBadRequest()
        .expectBody().jsonPath("$.invalidParams[0].name").isEqualTo("limit");
  }

  @Test
  void searchRanksWithTyposWordsAndIndustriesAndPagesByCursor() {
    assertThat(getJson("/api/v1/search?q=appel").at("/results/0/symbol").asString()).isEqualTo("AAPL");
    assertThat(getJson("/api/v1/search?q=micro soft").at("/results/0/symbol").asString()).isEqualTo("MSFT");
    List<String> semis = new ArrayList<>();
    for (JsonNode h : getJson("/api/v1/search?q=semiconductor&limit=10").get("results")) {
      semis.add(h.get("symbol").asString());
    }
    assertThat(semis).contains("NVDA", "AMD", "INTC");
    JsonNode first = getJson("/api/v1/search?q=technologies&limit=5");
    assertThat(first.get("results").size()).isEqualTo(5);
    String next = first.get("next").asString();
    assertThat(next).startsWith("/api/v1/search?").contains("cursor=");
    JsonNode second = getJson(next);
    assertThat(second.get("results").size()).isPositive();
    assertThat(second.at("/results/0/symbol").asString()).isNotEqualTo(first.at("/results/0/symbol").asString());
    web.get().uri("/api/v1/search?q=apple&cursor=" + first.get("nextCursor").asString()).exchange()
        .expectStatus().isBadRequest().expectBody().jsonPath("$.invalidParams[0].name").isEqualTo("cursor");
    web.get().uri("/api/v1/search?q=apple&cursor=!!").exchange()
        .expectStatus().isBadRequest().expectBody().jsonPath("$.invalidParams[0].name").isEqualTo("cursor");
  }

  @Test
  void moversAreSortedAndTheSnapshotIsSharedWhileFresh() {
    JsonNode gainers = getJson("/api/v1/movers?type=gainers&limit=10");
    assertThat(gainers.at("/coverage/universe").asInt()).isEqualTo(500);
    assertThat(gainers.at("/coverage/quoted").asInt() + gainers.at("/coverage/missing").asInt())
        .as("every listed instrument is either quoted or counted missing").isEqualTo(500);
    assertThat(gainers.at("/coverage/quoted").asInt()).isPositive();
    List<BigDecimal> pct = new ArrayList<>();
    for (JsonNode m : gainers.get("movers")) {
      pct.add(new BigDecimal(m.get("changePercent").asString()));
    }
    assertThat(pct).hasSize(10).isSortedAccordingTo(java.util.Comparator.reverseOrder());
    long afterFirst = sim.requests();
    // 500 symbols in batches of 20: about 25 calls plus the universe (fewer when another
    // test already warmed the cache or snapshot), never one per symbol.
    assertThat(afterFirst).as("upstream calls for a 500-symbol snapshot").isLessThanOrEqualTo(30);
    JsonNode losers = getJson("/api/v1/movers?type=losers&limit=3");
    assertThat(new BigDecimal(losers.at("/movers/0/changePercent").asString()))
        .isLessThanOrEqualTo(pct.get(pct.size() - 1));
    getJson("/api/v1/sectors");
    assertThat(sim.requests()).as("no upstream calls while the snapshot is fresh").isEqualTo(afterFirst);
    web.get().uri("/api/v1/movers?type=sideways").exchange().expectStatus().isBadRequest()
        .expectBody().jsonPath("$.invalidParams[0].name").isEqualTo("type");
  }

  @Test
  void sectorStatisticsAddUpToTheQuotedUniverse() {
    JsonNode s = getJson("/api/v1/sectors");
    int sum = 0;
    for (JsonNode sector : s.get("sectors")) {
      int n = sector.get("instruments").asInt();
      assertThat(sector.get("advancers").asInt() + sector.get("decliners").asInt() + sector.get("unchanged").asInt())
          .isEqualTo(n);
      assertThat(new BigDecimal(sector.at("/best/changePercent").asString()))
          .isGreaterThanOrEqualTo(new BigDecimal(sector.at("/worst/changePercent").asString()));
      sum += n;
    }
    assertThat(sum).isEqualTo(s.at("/coverage/quoted").asInt());
    assertThat(s.get("sectors").size()).isGreaterThanOrEqualTo(5);
  }

  @Test
  void valuesAPortfolioAtSimulatorPrices() {
    JsonNode quote = getJson("/api/v1/quotes/NVDA");
    BigDecimal price = new BigDecimal(quote.get("price").asString());
    byte[] body = web.post().uri("/api/v1/portfolio/valuation").contentType(MediaType.APPLICATION_JSON)
        .bodyValue("{\"holdings\":[{\"symbol\":\"NVDA\",\"quantity\":3,\"costBasis\":100}]}")
        .exchange().expectStatus().isOk().expectBody().returnResult().getResponseBody();
    JsonNode v = JSON.readTree(body);
    assertThat(v.get("complete").asBoolean()).isTrue();
    assertThat(new BigDecimal(v.at("/positions/0/marketValue").asString())).isEqualByComparingTo(price.multiply(BigDecimal.valueOf(3)));
    assertThat(v.at("/positions/0/source").asString()).isEqualTo("sim");
    web.post().uri("/api/v1/portfolio/valuation").contentType(MediaType.APPLICATION_JSON)
        .bodyValue("{\"holdings\":[{\"symbol\":\"NVDA\",\"quantity\":0}]}")
        .exchange().expectStatus().isBadRequest()
        .expectBody().jsonPath("$.invalidParams[0].name").isEqualTo("holdings[0].quantity");
    web.post().uri("/api/v1/portfolio/valuation").contentType(MediaType.APPLICATION_JSON)
        .bodyValue("{not json").exchange().expectStatus().isBadRequest()
        .expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON);
  }
}
