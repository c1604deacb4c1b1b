package dev.quotegate.history;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quotegate.QuotegateApplication;
import dev.quotegate.testsupport.SimulatorAdmin;
import java.time.Duration;
import java.util.Map;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.env.Environment;
import reactor.core.publisher.Mono;
import reactor.netty.ByteBufFlux;
import reactor.netty.http.client.HttpClient;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The history path end to end: the whole gateway against the embedded simulator and a real
 * database. The same tests run on PostgreSQL ({@link HistoryPostgresIT}) and embedded H2
 * ({@link HistoryH2IT}); the simulator's request counts prove what reached upstream.
 */
abstract class AbstractHistoryIT {

  static final Duration TIMEOUT = Duration.ofSeconds(60);
  static final JsonMapper JSON = JsonMapper.builder().build();
  static final String TOKEN = "it-admin-token";

  @LocalServerPort int port;
  @Autowired Environment env;

  SimulatorAdmin sim;

  /** Properties pointing a second gateway at the same database (the "restart"). */
  abstract Map<String, Object> databaseProperties();

  @BeforeEach
  void setUp() {
    sim = new SimulatorAdmin(Integer.parseInt(env.getRequiredProperty("local.simulator.port")));
    sim.reset();
  }

  static Map.Entry<Integer, JsonNode> get(int port, String uri) {
    return HttpClient.create().baseUrl("http://127.0.0.1:" + port).get().uri(uri)
        .responseSingle((res, body) -> body.asString().defaultIfEmpty("{}")
            .map(b -> Map.entry(res.status().code(), JSON.readTree(b))))
        .block(TIMEOUT);
  }

  /** As {@link #get(int, String)} with the admin token (health details are the operator's). */
  static Map.Entry<Integer, JsonNode> adminGet(int port, String uri) {
    return HttpClient.create().baseUrl("http://127.0.0.1:" + port)
        .headers(h -> h.set("authorization", "Bearer " + TOKEN)).get().uri(uri)
        .responseSingle((res, body) -> body.asString().defaultIfEmpty("{}")
            .map(b -> Map.entry(res.status().code(), JSON.readTree(b))))
        .block(TIMEOUT);
  }

  Map.Entry<Integer, JsonNode> get(String uri) {
    return get(port, uri);
  }

  Map.Entry<Integer, JsonNode> admin(String method, String uri, String body) {
    HttpClient c = HttpClient.create().baseUrl("http://127.0.0.1:" + port)
        .headers(h -> h.set("authorization", "Bearer " + TOKEN).set("content-type", "application/json"));
    HttpClient.ResponseReceiver<?> r = "POST".equals(method)
        ? c.post().uri(uri).send(ByteBufFlux.fromString(Mono.just(body)))
        : c.get().uri(uri);
    return r.responseSingle((res, b) -> b.asString().defaultIfEmpty("{}").map(s -> Map.entry(res.status().code(), JSON.readTree(s))))
        .block(TIMEOUT);
  }

  @Test
  void oneYearOfDailyBarsForAColdSymbolTakesOneUpstreamRequestThenNoneEvenAfterARestart() {
    String uri = "/api/v1/history/AAPL?interval=1d&range=1y";
    Map.Entry<Integer, JsonNode> cold = get(uri);
    assertThat(cold.getKey()).isEqualTo(200);
    assertThat(cold.getValue().get("count").asInt()).as("sessions in a year").isBetween(245, 256);
    assertThat(cold.getValue().get("stored").asBoolean()).isTrue();
    assertThat(cold.getValue().get("source").asString()).isEqualTo("sim");
    assertThat(sim.requests()).as("upstream requests for a cold year of daily bars").isEqualTo(1);

    Map.Entry<Integer, JsonNode> warm = get(uri);
    assertThat(warm.getKey()).isEqualTo(200);
    assertThat(warm.getValue().get("count").asInt()).isEqualTo(cold.getValue().get("count").asInt());
    assertThat(sim.requests()).as("upstream requests after the same request again").isLessThanOrEqualTo(1);
    long settledBefore = sim.requests();

    // A second gateway on the same database: a restart.
    Map<String, Object> props = new java.util.HashMap<>(databaseProperties());
    props.put("server.port", "0");
    props.put("quotegate.simulator.port", "0");
    String[] args = props.entrySet().stream().map(e -> "--" + e.getKey() + "=" + e.getValue()).toArray(String[]::new);
    try (ConfigurableApplicationContext restarted =
        new SpringApplicationBuilder(QuotegateApplication.class).run(args)) {
      int restartedPort = Integer.parseInt(restarted.getEnvironment().getRequiredProperty("local.server.port"));
      SimulatorAdmin sim2 = new SimulatorAdmin(Integer.parseInt(restarted.getEnvironment().getRequiredProperty("local.simulator.port")));
      sim2.reset();
      Map.Entry<Integer, JsonNode> after = get(restartedPort, "/api/v1/history/AAPL?interval=1d&from="
          + cold.getValue().get("from").asString() + "&to=" + cold.getValue().get("bars").get(cold.getValue().get("count").asInt() - 1).get("t").asString());
      assertThat(after.getKey()).isEqualTo(200);
      assertThat(after.getValue().get("served").asString()).isEqualTo("store");
      assertThat(after.getValue().get("count").asInt()).isEqualTo(cold.getValue().get("count").asInt() - 1);
      assertThat(sim2.requests()).as("upstream requests after a restart").isZero();
    }
    assertThat(settledBefore).isLessThanOrEqualTo(1);
  }

  @Test
  void closedDaysAreNotGapsAndOnlyTheMissingRangeIsFetched() {
    // Christmas 2025 and New Year's Day 2026, plus weekends: all settled, long ago.
    String inner = "/api/v1/history/MSFT?interval=1d&from=2025-12-22&to=2026-01-09";
    Map.Entry<Integer, JsonNode> first = get(inner);
    assertThat(first.getKey()).isEqualTo(200);
    // 22,23,24(early close),26,29,30,31 Dec, 2,5,6,7,8,9 Jan: 13 sessions
    assertThat(first.getValue().get("count").asInt()).isEqualTo(13);
    assertThat(first.getValue().get("freshness").get("settled").asBoolean()).isTrue();
    assertThat(sim.requests()).isEqualTo(1);

    assertThat(get(inner).getValue().get("served").asString()).isEqualTo("store");
    assertThat(sim.requests()).as("settled bars are never fetched twice").isEqualTo(1);

    Map.Entry<Integer, JsonNode> wider = get("/api/v1/history/MSFT?interval=1d&from=2025-12-01&to=2026-01-09");
    assertThat(wider.getValue().get("served").asString()).isEqualTo("store+upstream");
    assertThat(wider.getValue().get("count").asInt()).isEqualTo(28);
    assertThat(sim.requests()).as("only the missing December prefix is fetched").isEqualTo(2);
  }

  @Test
  void bulkIngestLoadsSymbolsInTheBackgroundAndTheyAreServedFromTheStore() {
    Map.Entry<Integer, JsonNode> job = admin("POST", "/api/v1/admin/history/ingest",
        "{\"symbols\":[\"NVDA\",\"AMZN\"],\"interval\":\"1d\",\"from\":\"2024-01-01\",\"to\":\"2025-12-31\"}");
    assertThat(job.getKey()).isEqualTo(202);
    String id = job.getValue().get("id").asString();
    Awaitility.await().atMost(TIMEOUT).pollInterval(Duration.ofMillis(200)).untilAsserted(() ->
        assertThat(admin("GET", "/api/v1/admin/history/ingest/" + id, null).getValue().get("state").asString()).isEqualTo("done"));
    JsonNode status = admin("GET", "/api/v1/admin/history/ingest/" + id, null).getValue();
    assertThat(status.get("done").asInt()).isEqualTo(2);
    assertThat(status.get("barsWritten").asLong()).as("two years of sessions for two symbols").isBetween(990L, 1010L);
    long before = sim.requests();
    Map.Entry<Integer, JsonNode> read = get("/api/v1/history/NVDA?interval=1d&from=2024-01-01&to=2025-12-31");
    assertThat(read.getValue().get("served").asString()).isEqualTo("store");
    assertThat(sim.requests()).as("ingested bars are served without upstream").isEqualTo(before);
  }

  @Test
  void chartsServeEveryPeriodInOneCall() {
    Map.Entry<Integer, JsonNode> res = get("/api/v1/charts/GOOGL?periods=1D,5D,1M,6M,1Y,5Y");
    assertThat(res.getKey()).isEqualTo(200);
    JsonNode periods = res.getValue().get("periods");
    assertThat(periods.size()).isEqualTo(6);
    assertThat(periods.get(0).get("interval").asString()).isEqualTo("5m");
    assertThat(periods.get(4).get("interval").asString()).isEqualTo("1d");
    assertThat(periods.get(5).get("interval").asString()).isEqualTo("1wk");
    for (JsonNode p : periods) {
      assertThat(p.get("error")).as("period %s", p.get("period")).isNull();
      assertThat(p.get("count").asInt()).as("bars of %s", p.get("period")).isPositive();
    }
  }

  @Test
  void indicatorsAreComputedOnTheStoredSeriesWithWarmUp() {
    Map.Entry<Integer, JsonNode> res = get("/api/v1/indicators/META?interval=1d&range=1mo&sma=20,50&ema=12&rsi=14&macd=12,26,9&bollinger=20,2&vwap");
    assertThat(res.getKey()).isEqualTo(200);
    JsonNode ind = res.getValue().get("indicators");
    int count = res.getValue().get("count").asInt();
    assertThat(ind.get("sma(50)").size()).as("SMA(50) defined from the first bar thanks to warm-up").isEqualTo(count);
    assertThat(ind.get("rsi(14)").size()).isEqualTo(count);
    assertThat(ind.get("macd(12,26,9)").size()).isEqualTo(count);
    assertThat(ind.get("bollinger(20,2)").get(0).get("upper").asDouble())
        .isGreaterThan(ind.get("bollinger(20,2)").get(0).get("lower").asDouble());
    for (JsonNode p : ind.get("rsi(14)")) {
      assertThat(p.get("value").asDouble()).isBetween(0.0, 100.0);
    }
  }

  @Test
  void badParametersAreA400NamingTheFieldAndNeverReachTheProvider() {
    assertThat(field(get("/api/v1/history/AAPL?interval=2m"))).isEqualTo("interval");
    assertThat(field(get("/api/v1/history/AAPL?range=3w"))).isEqualTo("range");
    assertThat(field(get("/api/v1/history/AAPL?range=1y&from=2025-01-01"))).isEqualTo("range");
    assertThat(field(get("/api/v1/history/AAPL?from=yesterday"))).isEqualTo("from");
    assertThat(field(get("/api/v1/history/AAPL?from=1735689600000"))).isEqualTo("from");
    assertThat(field(get("/api/v1/history/AAPL?from=2025-02-01&to=2025-01-01"))).isEqualTo("from");
    assertThat(field(get("/api/v1/history/AAPL?interval=1m&range=1y"))).isEqualTo("range");
    // a ";" in the path is refused before routing (web.RequestGuard), naming the path
    assertThat(field(get("/api/v1/history/A;DROP"))).isEqualTo("path");
    assertThat(field(get("/api/v1/history/A%3CB"))).isEqualTo("symbol");
    assertThat(field(get("/api/v1/charts/AAPL?periods=1D,2W"))).isEqualTo("periods[1]");
    assertThat(field(get("/api/v1/indicators/AAPL?sma=0"))).isEqualTo("sma[0]");
    assertThat(field(get("/api/v1/indicators/AAPL?macd=26,12,9"))).isEqualTo("macd");
    assertThat(field(get("/api/v1/indicators/AAPL?bollinger=20,x"))).isEqualTo("bollinger");
    assertThat(field(get("/api/v1/indicators/AAPL"))).isEqualTo("indicators");
    assertThat(sim.requests()).as("upstream requests for invalid input").isZero();
  }

  @Test
  void unknownSymbolIsA404() {
    assertThat(get("/api/v1/history/QQQQQQ?range=5d").getKey()).isEqualTo(404);
  }

  private static String field(Map.Entry<Integer, JsonNode> res) {
    assertThat(res.getKey()).as("status of %s", res.getValue()).isEqualTo(400);
    return res.getValue().get("invalidParams").get(0).get("name").asString();
  }
}
