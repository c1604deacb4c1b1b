package dev.quotegate.portfolio;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.quotegate.testsupport.SimulatorAdmin;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
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

/**
 * Portfolio performance against the simulator over HTTP/2 with the embedded H2 history store:
 * upstream cost cold and warm (simulator stats), figures recomputed from the answer's own series
 * by the textbook definitions, time-weighting across a trade, and bad bodies naming their field.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@AutoConfigureWebTestClient
class PerformanceIT {

  private static final JsonMapper JSON = JsonMapper.builder().build();
  private static final String URI = "/api/v1/portfolio/performance";

  @DynamicPropertySource
  static void properties(DynamicPropertyRegistry registry) {
    registry.add("quotegate.simulator.port", () -> "0");
    // 201 cold history reads on a build machine shared by parallel builds: calls slower than the
    // default 2 s must not open the breaker here (its behaviour has its own tests).
    registry.add("quotegate.resilience.defaults.slow-call-duration", () -> "20s");
    registry.add("quotegate.history.data-dir",
        () -> Path.of("target", "it-h2", UUID.randomUUID().toString()).toString());
  }

  @Autowired WebTestClient web;
  @Autowired Environment env;
  SimulatorAdmin sim;

  @BeforeEach
  void setUp() {
    web = web.mutate().responseTimeout(Duration.ofSeconds(90)).build();
    sim = new SimulatorAdmin(Integer.parseInt(env.getRequiredProperty("local.simulator.port")));
  }

  private JsonNode post(String body) {
    byte[] out = web.post().uri(URI).contentType(MediaType.APPLICATION_JSON).bodyValue(body)
        .exchange().expectStatus().isOk().expectBody().returnResult().getResponseBody();
    return JSON.readTree(out);
  }

  private long bars() {
    return sim.stats().at("/byEndpoint/bars").asLong();
  }

  @Test
  void twoHundredHoldingsForAYearCostOneHistoryReadPerSymbolColdAndNoneWarm() {
    List<String> symbols = sim.symbols(200);
    StringBuilder body = new StringBuilder("{\"range\":\"1y\",\"holdings\":[");
    for (int i = 0; i < symbols.size(); i++) {
      body.append(i == 0 ? "" : ",").append("{\"symbol\":\"").append(symbols.get(i)).append("\",\"quantity\":").append(i % 7 + 1).append('}');
    }
    body.append("]}");
    sim.reset();
    long t0 = System.nanoTime();
    JsonNode cold = post(body.toString());
    long coldMs = (System.nanoTime() - t0) / 1_000_000;
    long coldCalls = bars();
    t0 = System.nanoTime();
    JsonNode warm = post(body.toString());
    long warmMs = (System.nanoTime() - t0) / 1_000_000;
    long warmCalls = bars() - coldCalls;
    System.out.printf("performance of 200 holdings, 1y: cold %d upstream history calls (%d ms), warm %d (%d ms), %d days%n",
        coldCalls, coldMs, warmCalls, warmMs, cold.get("days").asInt());
    assertThat(cold.get("unavailable").size()).as(cold.get("unavailable").toString()).isZero();
    assertThat(cold.get("days").asInt()).as("a year of sessions").isBetween(245, 256);
    assertThat(coldCalls).as("cold: one coalesced history read per symbol and the benchmark, never one per day")
        .isLessThanOrEqualTo(symbols.size() + 1);
    assertThat(warmCalls).as("warm: every bar from the store").isZero();
    assertThat(warm.get("timeWeightedReturn").asDouble()).isEqualTo(cold.get("timeWeightedReturn").asDouble());
  }

  @Test
  void figuresAgreeWithTheTextbookDefinitionsOverTheAnswersOwnSeries() {
    JsonNode p = post("{\"range\":\"6mo\",\"benchmark\":\"SPY\",\"holdings\":[{\"symbol\":\"AAPL\",\"quantity\":10},"
        + "{\"symbol\":\"MSFT\",\"quantity\":4},{\"symbol\":\"XOM\",\"quantity\":-3}]}");
    List<Double> v = new ArrayList<>();
    List<Double> b = new ArrayList<>();
    for (JsonNode d : p.get("series")) {
      assertThat(d.has("missing")).as("no missing day from the simulator: " + d).isFalse();
      v.add(d.get("value").asDouble());
      b.add(d.get("benchmark").asDouble());
    }
    int n = v.size() - 1;
    assertThat(p.get("periods").asInt()).isEqualTo(n);
    double[] r = new double[n];
    double[] q = new double[n];
    for (int i = 0; i < n; i++) {
      r[i] = v.get(i + 1) / v.get(i) - 1;
      q[i] = b.get(i + 1) / b.get(i) - 1;
    }
    double eps = 1e-6;
    assertThat(p.get("timeWeightedReturn").asDouble()).isCloseTo(v.get(n) / v.get(0) - 1, within(eps));
    assertThat(p.get("benchmarkReturn").asDouble()).isCloseTo(b.get(n) / b.get(0) - 1, within(eps));
    assertThat(p.get("excessReturn").asDouble())
        .isCloseTo(p.get("timeWeightedReturn").asDouble() - p.get("benchmarkReturn").asDouble(), within(eps));
    double mr = mean(r);
    double mq = mean(q);
    double sr = Math.sqrt(ss(r, mr, r, mr) / (n - 1));
    double sq = Math.sqrt(ss(q, mq, q, mq) / (n - 1));
    double cov = ss(r, mr, q, mq) / (n - 1);
    assertThat(p.get("volatility").asDouble()).isCloseTo(sr * Math.sqrt(252), within(eps));
    double rf = p.get("riskFreeRate").asDouble() / 252;
    assertThat(p.get("sharpe").asDouble()).isCloseTo((mr - rf) / sr * Math.sqrt(252), within(1e-5));
    double down = 0;
    for (double x : r) {
      down += Math.pow(Math.min(0, x - rf), 2);
    }
    assertThat(p.get("sortino").asDouble()).isCloseTo((mr - rf) / Math.sqrt(down / n) * Math.sqrt(252), within(1e-5));
    assertThat(p.get("beta").asDouble()).isCloseTo(cov / (sq * sq), within(eps));
    assertThat(p.get("correlation").asDouble()).isCloseTo(cov / (sr * sq), within(eps));
    double peak = v.get(0);
    double mdd = 0;
    for (double x : v) {
      peak = Math.max(peak, x);
      mdd = Math.max(mdd, (peak - x) / peak);
    }
    assertThat(p.at("/maxDrawdown/value").asDouble()).isCloseTo(mdd, within(eps));
    if (mdd > 0) {
      assertThat(LocalDate.parse(p.at("/maxDrawdown/peak").asString()))
          .isBefore(LocalDate.parse(p.at("/maxDrawdown/trough").asString()));
    }
  }

  @Test
  void aTradeIsAFlowNotPerformance() {
    JsonNode plain = post("{\"range\":\"3mo\",\"holdings\":[{\"symbol\":\"NVDA\",\"quantity\":10}]}");
    JsonNode series = plain.get("series");
    String mid = series.get(series.size() / 2).get("date").asString();
    JsonNode traded = post("{\"range\":\"3mo\",\"holdings\":[{\"symbol\":\"NVDA\",\"quantity\":10,"
        + "\"trades\":[{\"date\":\"" + mid + "\",\"quantity\":30}]}]}");
    assertThat(traded.get("timeWeightedReturn").asDouble())
        .as("one instrument: the time-weighted return is its price return, whatever was bought when")
        .isCloseTo(plain.get("timeWeightedReturn").asDouble(), within(1e-6));
    JsonNode day = traded.get("series").get(series.size() / 2);
    assertThat(day.get("date").asString()).isEqualTo(mid);
    assertThat(day.get("flow").asDouble()).as("30 shares at the day's close").isPositive();
    assertThat(day.get("value").asDouble()).isCloseTo(4 * series.get(series.size() / 2).get("value").asDouble(), within(1e-6));
  }

  @Test
  void badBodiesNameTheirField() {
    String[][] cases = {
        {"{\"holdings\":[{\"symbol\":\"AAPL\",\"quantity\":1},{\"symbol\":\"MSFT\",\"quantity\":\"abc\"}]}", "holdings[1].quantity"},
        {"{\"holdings\":[{\"symbol\":\"AAPL\",\"trades\":[{\"date\":\"2025-13-01\",\"quantity\":1}]}]}", "holdings[0].trades[0].date"},
        {"{\"holdings\":[{\"symbol\":\"AAPL\",\"trades\":[{\"date\":\"2025-03-03\"}]}]}", "holdings[0].trades[0].quantity"},
        {"{\"range\":\"7y\",\"holdings\":[{\"symbol\":\"AAPL\",\"quantity\":1}]}", "range"},
        {"{\"benchmark\":\"$$$\",\"holdings\":[{\"symbol\":\"AAPL\",\"quantity\":1}]}", "benchmark"},
        {"{\"from\":\"2025-06-01\",\"to\":\"2025-01-01\",\"holdings\":[{\"symbol\":\"AAPL\",\"quantity\":1}]}", "from"},
        {"{\"holdings\":[]}", "holdings"},
        {"{\"holdings\":[{\"symbol\":\"AAPL\"}]}", "holdings[0].quantity"},
    };
    sim.reset();
    for (String[] c : cases) {
      web.post().uri(URI).contentType(MediaType.APPLICATION_JSON).bodyValue(c[0]).exchange()
          .expectStatus().isBadRequest()
          .expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON)
          .expectBody().jsonPath("$.invalidParams[0].name").isEqualTo(c[1]);
    }
    assertThat(sim.requests()).as("bad input never reaches a provider").isZero();
  }

  private static double mean(double[] x) {
    double s = 0;
    for (double d : x) {
      s += d;
    }
    return s / x.length;
  }

  private static double ss(double[] a, double ma, double[] b, double mb) {
    double s = 0;
    for (int i = 0; i < a.length; i++) {
      s += (a[i] - ma) * (b[i] - mb);
    }
    return s;
  }
}
