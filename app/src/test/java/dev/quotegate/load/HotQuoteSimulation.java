package dev.quotegate.load;

import static io.gatling.javaapi.core.CoreDsl.atOnceUsers;
import static io.gatling.javaapi.core.CoreDsl.details;
import static io.gatling.javaapi.core.CoreDsl.global;
import static io.gatling.javaapi.core.CoreDsl.scenario;
import static io.gatling.javaapi.http.HttpDsl.http;
import static io.gatling.javaapi.http.HttpDsl.status;

import io.gatling.javaapi.core.ScenarioBuilder;
import io.gatling.javaapi.core.Simulation;
import java.time.Duration;
import java.util.Map;

/**
 * Hot single quote: {@code users} clients each asking for the same symbol back to back
 * (closed model, no think time) for {@code duration} seconds. Every answer after the first
 * comes from the cache, so this measures the cost of the request path itself.
 *
 * <p>Properties: {@code target}, {@code users} (64), {@code duration} (20), {@code symbol}
 * (AAPL), {@code p99Ms} (250), {@code maxErrorPct} (0.1), {@code facts}.
 */
public class HotQuoteSimulation extends Simulation {

  private final int users = LoadSettings.intProp("users", 64);
  private final Duration duration = LoadSettings.seconds("duration", 20);
  private final String symbol = System.getProperty("symbol", "AAPL");

  private final ScenarioBuilder scenario =
      scenario("hot quote")
          .during(duration)
          .on(http("quote").get("/api/v1/quotes/" + symbol).check(status().is(200)));

  {
    setUp(scenario.injectOpen(atOnceUsers(users)))
        .protocols(LoadSettings.protocol())
        .maxDuration(duration.plusSeconds(30))
        .assertions(
            global().failedRequests().percent().lte(LoadSettings.doubleProp("maxErrorPct", 0.1)),
            details("quote").responseTime().percentile(99.0).lte(LoadSettings.intProp("p99Ms", 250)));
  }

  @Override
  public void after() {
    LoadSettings.writeFacts(Map.of("workload", "hot", "users", users, "durationSeconds", duration.toSeconds(), "symbol", symbol));
  }
}
