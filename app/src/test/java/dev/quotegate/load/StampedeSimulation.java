package dev.quotegate.load;

import static io.gatling.javaapi.core.CoreDsl.atOnceUsers;
import static io.gatling.javaapi.core.CoreDsl.details;
import static io.gatling.javaapi.core.CoreDsl.exec;
import static io.gatling.javaapi.core.CoreDsl.global;
import static io.gatling.javaapi.core.CoreDsl.pause;
import static io.gatling.javaapi.core.CoreDsl.scenario;
import static io.gatling.javaapi.http.HttpDsl.http;
import static io.gatling.javaapi.http.HttpDsl.status;

import io.gatling.javaapi.core.ChainBuilder;
import io.gatling.javaapi.core.ScenarioBuilder;
import io.gatling.javaapi.core.Simulation;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Cold stampede: {@code users} clients (thousands) ask for a few symbols nobody asked for
 * before, all in the same instant, in {@code rounds} rounds of {@code symbols} fresh cold
 * symbols each. Only one upstream fetch per symbol should go out; everyone else waits for it,
 * so each request's latency is one upstream fetch plus what the proxy adds (queueing, waking
 * the waiters, writing thousands of responses).
 *
 * <p>Each user first opens its keep-alive connection with one request to {@code warmPath}
 * (answered without upstream). At {@code warmup} after the start every user asks for the
 * cached symbol {@code cachedSymbol} at once ({@code warm-burst}, fetched by {@link #before()}
 * so that no upstream call is involved; not read: it warms the burst path). Then, {@code gap}
 * apart, every user fires cold round {@code r} ({@code cold}), followed by the same burst for
 * the cached symbol ({@code cached-burst}): the time a burst of this size takes on this
 * machine when nothing waits for upstream, the floor the cold rounds are read against,
 * measured as often and as late as they are. Cold symbols are taken from the simulator's
 * universe from index {@code coldFrom} on (past the dashboard's pool); pass a different
 * {@code coldFrom} for each run against the same process.
 *
 * <p>Properties: {@code target}, {@code users} (2000), {@code symbols} (4), {@code rounds}
 * (3), {@code coldFrom} (400), {@code warmup} (ms, 6000), {@code gap} (ms, 3000),
 * {@code warmPath} (/actuator/health), {@code cachedSymbol} (AAPL), {@code p99Ms} (1000),
 * {@code maxErrorPct} (0.1), {@code seed}, {@code universe}, {@code facts}.
 */
public class StampedeSimulation extends Simulation {

  private final int users = LoadSettings.intProp("users", 2000);
  private final int symbolsPerRound = Math.max(1, LoadSettings.intProp("symbols", 4));
  private final int rounds = Math.max(1, LoadSettings.intProp("rounds", 3));
  private final int coldFrom = LoadSettings.intProp("coldFrom", 400);
  private final long warmupMs = LoadSettings.intProp("warmup", 6000);
  private final long gapMs = LoadSettings.intProp("gap", 3000);
  private final String warmPath = System.getProperty("warmPath", "/actuator/health");
  private final String cachedSymbol = System.getProperty("cachedSymbol", "AAPL");
  private final List<String> cold;
  private volatile long startedAt = System.currentTimeMillis();

  {
    List<String> universe = Watchlists.universe(LoadSettings.seed(), LoadSettings.universe());
    int needed = symbolsPerRound * rounds;
    if (coldFrom + needed > universe.size()) {
      throw new IllegalArgumentException(
          "not enough cold symbols: coldFrom " + coldFrom + " + " + needed + " > universe " + universe.size());
    }
    cold = universe.subList(coldFrom, coldFrom + needed);
  }

  /** All users at {@code warmup + slot x gap} after the start. */
  private ChainBuilder at(int slot) {
    return pause(session -> Duration.ofMillis(Math.max(0, startedAt + warmupMs + slot * gapMs - System.currentTimeMillis())));
  }

  private ChainBuilder round(int r) {
    return exec(session -> session.set("cold", cold.get(r * symbolsPerRound + session.getInt("slot") % symbolsPerRound)))
        .exec(at(2 * r + 1))
        .exec(http("cold").get("/api/v1/quotes/#{cold}").check(status().is(200)))
        .exec(at(2 * r + 2))
        .exec(http("cached-burst").get("/api/v1/quotes/" + cachedSymbol).check(status().is(200)));
  }

  private final ScenarioBuilder scenario;

  {
    ChainBuilder chain =
        exec(session -> session.set("slot", (int) (session.userId() % Integer.MAX_VALUE)))
            .exec(http("connect").get(warmPath).check(status().is(200)))
            .exec(at(0))
            .exec(http("warm-burst").get("/api/v1/quotes/" + cachedSymbol).check(status().is(200)));
    for (int r = 0; r < rounds; r++) {
      chain = chain.exec(round(r));
    }
    scenario = scenario("stampede").exec(chain);
    setUp(scenario.injectOpen(atOnceUsers(users)))
        .protocols(LoadSettings.protocol())
        .maxDuration(Duration.ofMillis(warmupMs + (2L * rounds + 1) * gapMs).plusSeconds(60))
        .assertions(
            global().failedRequests().percent().lte(LoadSettings.doubleProp("maxErrorPct", 0.1)),
            details("cold").responseTime().percentile(99.0).lte(LoadSettings.intProp("p99Ms", 1000)));
  }

  @Override
  public void before() {
    // The cached symbol must be in the target's cache before the burst: one request now.
    HttpClient client = HttpClient.newBuilder()
        .version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(Duration.ofSeconds(5))
        .build();
    HttpRequest get = HttpRequest.newBuilder(
            URI.create(LoadSettings.target() + "/api/v1/quotes/" + cachedSymbol))
        .timeout(Duration.ofSeconds(10))
        .build();
    try {
      int status = client.send(get, HttpResponse.BodyHandlers.discarding()).statusCode();
      if (status != 200) {
        throw new IllegalStateException("GET /api/v1/quotes/" + cachedSymbol + " answered " + status);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
    startedAt = System.currentTimeMillis();
  }

  @Override
  public void after() {
    Map<String, Object> facts = new HashMap<>();
    facts.put("workload", "stampede");
    facts.put("users", users);
    facts.put("rounds", rounds);
    facts.put("coldSymbols", String.join(",", cold));
    facts.put("coldRequests", (long) users * rounds);
    facts.put("cachedSymbol", cachedSymbol);
    LoadSettings.writeFacts(facts);
  }
}
