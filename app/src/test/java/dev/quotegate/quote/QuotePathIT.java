package dev.quotegate.quote;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quotegate.provider.ProviderRouter;
import dev.quotegate.testsupport.SimulatorAdmin;
import java.time.Duration;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.core.env.Environment;
import reactor.core.publisher.Flux;
import reactor.netty.http.HttpProtocol;
import reactor.netty.http.client.HttpClient;
import reactor.netty.resources.ConnectionProvider;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The whole gateway against the embedded simulator over real HTTP/2: the call counts the
 * simulator sees are the proof of coalescing, batching and validation.
 */
@SpringBootTest(
    webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
    properties = {
      "quotegate.simulator.port=0",
      // Generous on a loaded CI machine: a timed-out fetch is retried by the next request
      // and would make the exact call counts below meaningless.
      "quotegate.resilience.providers.sim.timeout=20s",
      "quotegate.resilience.providers.sim.max-attempts=1",
      "quotegate.http-client.response-timeout=20s",
      // All 50 misses of one request must land in the same window even when a GC pause
      // or a busy core stretches the enqueueing loop past the default 5 ms.
      "quotegate.quotes.batch-window=50ms"
    })
class QuotePathIT {

  private static final Duration TIMEOUT = Duration.ofSeconds(30);
  private static final JsonMapper JSON = JsonMapper.builder().build();

  @LocalServerPort int port;
  @Autowired Environment env;
  @Autowired ProviderRouter router;

  SimulatorAdmin sim;
  HttpClient gateway;

  @BeforeEach
  void setUp() {
    sim = new SimulatorAdmin(Integer.parseInt(env.getRequiredProperty("local.simulator.port")));
    sim.reset();
    // the outage test's 503 + Retry-After cools the provider down: not into the next test
    router.reset();
    gateway = HttpClient.create(ConnectionProvider.builder("it").maxConnections(600).pendingAcquireMaxCount(-1).build())
        .baseUrl("http://127.0.0.1:" + port);
  }

  private Map.Entry<Integer, String> get(String uri) {
    return gateway.get().uri(uri)
        .responseSingle((res, body) -> body.asString().defaultIfEmpty("").map(b -> Map.entry(res.status().code(), b)))
        .block(TIMEOUT);
  }

  @Test
  void upstreamCallsGoOverHttp2() {
    String symbol = sim.symbols(421).get(420);
    sim.reset();
    assertThat(get("/api/v1/quotes/" + symbol).getKey()).isEqualTo(200);
    JsonNode byProtocol = sim.stats().get("byProtocol");
    assertThat(byProtocol.path("HTTP/2.0").asLong()).as("HTTP/2 requests seen by the simulator").isEqualTo(1);
    assertThat(byProtocol.path("HTTP/1.1").asLong()).as("HTTP/1.1 requests").isZero();
  }

  @Test
  void fiveHundredConcurrentRequestsForOneColdSymbolMakeOneUpstreamRequest() {
    String cold = sim.symbols(401).get(400);
    sim.reset();
    sim.faults("{\"latencyMs\":100}");
    List<Integer> statuses = Flux.range(0, 500)
        .flatMap(i -> gateway.get().uri("/api/v1/quotes/" + cold)
            .responseSingle((res, body) -> body.then(reactor.core.publisher.Mono.just(res.status().code()))), 500)
        .collectList()
        .block(TIMEOUT);
    assertThat(statuses).hasSize(500).containsOnly(200);
    assertThat(sim.requests()).as("upstream requests for 500 concurrent cold requests").isEqualTo(1);
  }

  @Test
  void fiftyColdSymbolsInOneRequestMakeThreeParallelBatchCalls() {
    List<String> symbols = sim.symbols(200).subList(100, 150);
    // warm the path (JIT, connections) on other symbols first
    get("/api/v1/quotes?symbols=" + String.join(",", sim.symbols(250).subList(200, 250)));
    sim.reset();
    sim.faults("{\"latencyMs\":100}");
    Map.Entry<Integer, String> res = get("/api/v1/quotes?symbols=" + String.join(",", symbols));
    assertThat(res.getKey()).isEqualTo(200);
    JsonNode body = JSON.readTree(res.getValue());
    assertThat(body.get("quotes").size()).isEqualTo(50);
    assertThat(body.get("errors").size()).isZero();
    assertThat(sim.requests()).as("batch calls for 50 symbols at batch limit 20").isEqualTo(3);
    // Latency (the three calls run in parallel, < 2x upstream latency) is measured by the
    // benchmark runner, not asserted in a timed test.
  }

  @Test
  void badInputIsA400ThatNeverReachesTheProvider() {
    String hundredAndOne = String.join(",", Collections.nCopies(101, "AAPL"));
    assertThat(get("/api/v1/quotes?symbols=" + hundredAndOne).getKey()).isEqualTo(400);
    assertThat(get("/api/v1/quotes?symbols=AAPL,,MSFT").getKey()).isEqualTo(400);
    Map.Entry<Integer, String> injection = get("/api/v1/quotes?symbols=A%3BDROP");
    assertThat(injection.getKey()).isEqualTo(400);
    assertThat(injection.getValue()).contains("symbols[0]");
    assertThat(get("/api/v1/quotes/A;DROP").getKey()).isEqualTo(400);
    assertThat(sim.requests()).as("upstream requests for invalid input").isZero();
  }

  @Test
  void unknownSymbolIs404AndPerSymbolErrorInABatch() {
    assertThat(get("/api/v1/quotes/QQQQQQ").getKey()).isEqualTo(404);
    Map.Entry<Integer, String> batch = get("/api/v1/quotes?symbols=AAPL,QQQQQQ");
    assertThat(batch.getKey()).isEqualTo(200);
    JsonNode body = JSON.readTree(batch.getValue());
    assertThat(body.at("/quotes/0/symbol").asString()).isEqualTo("AAPL");
    assertThat(body.at("/quotes/0/source").asString()).isEqualTo("sim");
    assertThat(body.at("/errors/0/symbol").asString()).isEqualTo("QQQQQQ");
    assertThat(body.at("/errors/0/status").asInt()).isEqualTo(404);
  }

  @Test
  void outageGivesA503WithRetryAfterForColdSymbolsWhileCachedOnesAreStillServed() {
    List<String> symbols = sim.symbols(412).subList(410, 412);
    sim.reset();
    assertThat(get("/api/v1/quotes/" + symbols.get(0)).getKey()).isEqualTo(200);
    sim.faults("{\"outage\":true}");
    Map.Entry<Integer, String> cold = get("/api/v1/quotes/" + symbols.get(1));
    assertThat(cold.getKey()).isEqualTo(503);
    assertThat(cold.getValue()).contains("upstream-unavailable");
    assertThat(get("/api/v1/quotes/" + symbols.get(0)).getKey()).as("fresh cached quote still served").isEqualTo(200);
  }
}
