package dev.quotegate.resilience;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quotegate.provider.ProviderRouter;
import dev.quotegate.testsupport.SimulatorAdmin;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.core.env.Environment;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.netty.http.client.HttpClient;
import reactor.netty.resources.ConnectionProvider;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The gateway against the embedded simulator's fault injection: errors, hangs, 429 storms,
 * garbage bodies, and recovery. Quotes turn stale after 300 ms, so the tests wait that long
 * (on a timer) where they need stale values.
 */
@SpringBootTest(
    webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
    properties = {
      "quotegate.simulator.port=0",
      "quotegate.admin.token=t0ken", // health details are the operator's
      "quotegate.quotes.ttl-market-open=300ms",
      "quotegate.quotes.ttl-market-closed=300ms",
      "quotegate.quotes.batch-window=2ms",
      "quotegate.http-client.response-timeout=10s",
      "quotegate.resilience.providers.sim.timeout=1500ms",
      "quotegate.resilience.providers.sim.max-attempts=2",
      "quotegate.resilience.providers.sim.retry-backoff=20ms",
      "quotegate.resilience.providers.sim.sliding-window-size=10",
      "quotegate.resilience.providers.sim.minimum-calls=10",
      "quotegate.resilience.providers.sim.failure-rate-threshold=30",
      "quotegate.resilience.providers.sim.open-duration=4s",
      "quotegate.resilience.providers.sim.half-open-calls=1",
      "quotegate.providers.sim.requests-per-second=20",
      "quotegate.resilience.providers.sim.rate-limit-wait=50ms"
    })
class ResilienceIT {

  private static final Duration TIMEOUT = Duration.ofSeconds(30);
  private static final JsonMapper JSON = JsonMapper.builder().build();

  @LocalServerPort int port;
  @Autowired Environment env;
  @Autowired ProviderRouter router;
  @Autowired MeterRegistry registry;

  SimulatorAdmin sim;
  HttpClient gateway;

  @BeforeEach
  void setUp() {
    sim = new SimulatorAdmin(Integer.parseInt(env.getRequiredProperty("local.simulator.port")));
    sim.reset();
    gateway = HttpClient.create(ConnectionProvider.builder("it").maxConnections(200).pendingAcquireMaxCount(-1).build())
        .baseUrl("http://127.0.0.1:" + port);
    // warm the path (JIT, the upstream HTTP/2 connection) so a cold JVM does not look like a slow provider
    get("/api/v1/quotes?symbols=" + String.join(",", sim.symbols(499).subList(480, 499)));
    sim.reset();
    router.reset();
  }

  record Answer(int status, String body, Map<String, String> headers, long elapsedMs) {
    JsonNode json() {
      return JSON.readTree(body);
    }
  }

  private Mono<Answer> call(String uri) {
    return Mono.defer(() -> {
      long start = System.nanoTime();
      return gateway.get().uri(uri)
          .responseSingle((res, body) -> body.asString().defaultIfEmpty("").map(b -> new Answer(
              res.status().code(), b,
              Map.of("retry-after", String.valueOf(res.responseHeaders().get("retry-after")),
                  "content-type", String.valueOf(res.responseHeaders().get("content-type"))),
              (System.nanoTime() - start) / 1_000_000)));
    });
  }

  private Answer get(String uri) {
    return call(uri).block(TIMEOUT);
  }

  private static void waitFor(Duration d) {
    Mono.delay(d).block(TIMEOUT); // on a timer: lets cached quotes turn stale
  }

  private double counter(String name, String... tags) {
    Counter c = registry.find(name).tags(tags).counter();
    return c == null ? 0 : c.count();
  }

  private String circuit() {
    return health().json().at("/components/upstream/details/sim/circuit").asString();
  }

  private int status(String path) {
    return gateway.get().uri(path).responseSingle((res, body) -> body.then(Mono.just(res.status().code())))
        .block(TIMEOUT);
  }

  /** {@code /actuator/health} with the admin token: every component and its details. */
  private Answer health() {
    return gateway.headers(h -> h.set("authorization", "Bearer t0ken")).get().uri("/actuator/health")
        .responseSingle((res, body) -> body.asString().defaultIfEmpty("")
            .map(b -> new Answer(res.status().code(), b, Map.of(), 0)))
        .block(TIMEOUT);
  }

  @Test
  void fiftyPercentUpstreamErrorsFailNoRequestForCachedSymbolsAndOpenTheCircuit() {
    List<String> symbols = sim.symbols(110).subList(100, 110);
    String uri = "/api/v1/quotes?symbols=" + String.join(",", symbols);
    assertThat(get(uri).status()).isEqualTo(200);
    double opened = counter("quotegate.provider.circuit.transitions", "provider", "sim", "to", "open");
    sim.faults("{\"errorRate\":0.5}");
    List<Answer> answers = Flux.range(0, 75).delayElements(Duration.ofMillis(40))
        .concatMap(i -> call(uri))
        .collectList().block(TIMEOUT);
    assertThat(answers).allSatisfy(a -> {
      assertThat(a.status()).as("status").isEqualTo(200);
      assertThat(a.json().get("quotes").size()).as("quotes in the answer").isEqualTo(10);
      assertThat(a.json().get("errors").size()).as("per-symbol errors").isZero();
    });
    assertThat(answers).as("some answers served stale").anySatisfy(a -> assertThat(a.body()).contains("\"stale\":true"));
    assertThat(counter("quotegate.provider.circuit.transitions", "provider", "sim", "to", "open") - opened)
        .as("times the circuit opened").isGreaterThanOrEqualTo(1);
    assertThat(counter("quotegate.provider.rejections", "provider", "sim", "reason", "circuit_open"))
        .as("calls not sent while open").isPositive();
  }

  @Test
  void upstreamHangAnswers504WithinTheTimeoutOrStaleAndReleasesTheHeldRequests() {
    List<String> symbols = sim.symbols(115).subList(112, 115);
    assertThat(get("/api/v1/quotes/" + symbols.get(0)).status()).isEqualTo(200);
    waitFor(Duration.ofMillis(350));
    sim.faults("{\"hangRate\":1.0}");

    Answer cold = get("/api/v1/quotes/" + symbols.get(1));
    assertThat(cold.status()).isEqualTo(504);
    assertThat(cold.json().get("code").asString()).isEqualTo("upstream-timeout");
    // 1.5 s timeout; the adapter's own timeout is 10 s and the client's 5 s: only ours can end it this soon
    assertThat(cold.elapsedMs()).as("ms to the 504").isLessThan(4500);

    Answer cached = get("/api/v1/quotes/" + symbols.get(0));
    assertThat(cached.status()).isEqualTo(200);
    assertThat(cached.json().get("stale").asBoolean()).isTrue();
    assertThat(cached.elapsedMs()).as("ms to the stale answer").isLessThan(4500);

    int held = sim.stats().get("hanging").asInt();
    for (int i = 0; i < 100 && held > 0; i++) {
      waitFor(Duration.ofMillis(50));
      held = sim.stats().get("hanging").asInt();
    }
    assertThat(held).as("upstream requests still held by the simulator").isZero();
  }

  @Test
  void a429StormIsKeptAtTheConfiguredCallRateAndClientsGetStaleQuotes() {
    List<String> symbols = sim.symbols(130).subList(120, 130);
    assertThat(get("/api/v1/quotes?symbols=" + String.join(",", symbols)).status()).isEqualTo(200);
    waitFor(Duration.ofMillis(350));
    sim.reset();
    sim.faults("{\"rateLimitPerSecond\":5}");
    long start = System.nanoTime();
    List<Answer> answers = Flux.range(0, 600).delayElements(Duration.ofMillis(5))
        .flatMap(i -> call("/api/v1/quotes/" + symbols.get(i % symbols.size())), 64)
        .collectList().block(TIMEOUT);
    double seconds = (System.nanoTime() - start) / 1e9;
    long upstream = sim.requests();
    assertThat(answers).as("answers").hasSize(600).allSatisfy(a -> assertThat(a.status()).isEqualTo(200));
    assertThat(answers).as("stale answers").anySatisfy(a -> assertThat(a.json().get("stale").asBoolean()).isTrue());
    assertThat((double) upstream).as("upstream calls in %.1f s at a limit of 20/s", seconds).isLessThanOrEqualTo(20 * seconds + 2);
    assertThat(counter("quotegate.provider.cooldowns", "provider", "sim", "reason", "rate_limited"))
        .as("cool-downs opened by 429s").isPositive();
  }

  @Test
  void theGatewaysOwnRateLimiterHoldsTheConfiguredRateWithoutAny429() {
    List<String> cold = sim.symbols(260).subList(140, 260);
    sim.reset();
    long start = System.nanoTime();
    List<Answer> answers = Flux.range(0, cold.size())
        .delayElements(Duration.ofMillis(8))
        .flatMap(i -> call("/api/v1/quotes/" + cold.get(i)), 64)
        .collectList().block(TIMEOUT);
    double seconds = (System.nanoTime() - start) / 1e9;
    assertThat((double) sim.requests()).as("upstream calls in %.1f s at a limit of 20/s", seconds)
        .isLessThanOrEqualTo(20 * seconds + 2);
    assertThat(answers).as("some calls refused by our limiter: 503 with Retry-After")
        .anySatisfy(a -> {
          assertThat(a.status()).isEqualTo(503);
          assertThat(a.headers().get("retry-after")).isEqualTo("1");
        });
  }

  @Test
  void aMalformedBodyIsATypedErrorThatIsNeverCached() {
    String symbol = sim.symbols(301).get(300);
    sim.reset();
    sim.faults("{\"malformedRate\":1.0}");
    Answer garbage = get("/api/v1/quotes/" + symbol);
    assertThat(garbage.status()).as(garbage.body()).isEqualTo(503);
    assertThat(garbage.headers().get("content-type")).startsWith("application/problem+json");
    assertThat(garbage.json().get("detail").asString()).contains("undecodable");
    assertThat(garbage.body()).doesNotContain("Exception").doesNotContain("\tat ");
    assertThat(sim.requests()).as("malformed answers are not retried").isEqualTo(1);
    assertThat(counter("quotegate.provider.calls", "provider", "sim", "outcome", "malformed")).isPositive();

    sim.reset();
    Answer fresh = get("/api/v1/quotes/" + symbol);
    assertThat(fresh.status()).isEqualTo(200);
    assertThat(fresh.json().get("stale").asBoolean()).isFalse();
    assertThat(sim.requests()).as("the next request goes upstream: nothing was cached").isEqualTo(1);
  }

  @Test
  void afterRecoveryTheCircuitClosesAndFreshQuotesFlowAgain() {
    List<String> cold = sim.symbols(340).subList(310, 340);
    sim.faults("{\"errorRate\":1.0}");
    Flux.fromIterable(cold.subList(0, 12)).concatMap(s -> call("/api/v1/quotes/" + s)).blockLast(TIMEOUT);
    assertThat(circuit()).isEqualTo("OPEN");
    assertThat(health().json().at("/components/upstream/status").asString())
        .as("the only quote provider cannot be called: nothing new can be served").isEqualTo("DOWN");
    assertThat(health().json().at("/components/upstream/details/chains/quotes").toString()).contains("sim");
    assertThat(health().status()).isEqualTo(503);
    assertThat(status("/actuator/health/readiness"))
        .as("readiness is the instance's own state: a shared upstream outage keeps it serving stale")
        .isEqualTo(200);

    sim.reset();
    Answer whileOpen = get("/api/v1/quotes/" + cold.get(20));
    assertThat(whileOpen.status()).isEqualTo(503);
    assertThat(sim.requests()).as("calls while open").isZero();

    waitFor(Duration.ofMillis(4100)); // open-duration 4 s
    Answer recovered = get("/api/v1/quotes/" + cold.get(21));
    assertThat(recovered.status()).isEqualTo(200);
    assertThat(recovered.json().get("stale").asBoolean()).isFalse();
    assertThat(recovered.json().get("source").asString()).isEqualTo("sim");
    assertThat(circuit()).isEqualTo("CLOSED");
  }
}
