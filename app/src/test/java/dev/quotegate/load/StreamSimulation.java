package dev.quotegate.load;

import static io.gatling.javaapi.core.CoreDsl.details;
import static io.gatling.javaapi.core.CoreDsl.exec;
import static io.gatling.javaapi.core.CoreDsl.jsonPath;
import static io.gatling.javaapi.core.CoreDsl.rampUsers;
import static io.gatling.javaapi.core.CoreDsl.scenario;
import static io.gatling.javaapi.http.HttpDsl.sse;

import io.gatling.javaapi.core.ScenarioBuilder;
import io.gatling.javaapi.core.Simulation;
import java.time.Duration;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Live streams: {@code users} SSE subscribers arrive over {@code ramp} seconds, each on
 * {@code GET /api/v1/stream/quotes?symbols=...} with its own watchlist of {@code minSymbols}
 * to {@code maxSymbols} symbols, wait for the initial snapshot, then hold the connection for
 * {@code hold} seconds counting the {@code quote} events (conflated updates) it receives.
 * Heartbeat comments are not events and are not counted.
 *
 * <p>In the report: {@code subscribe} is the connection (answer headers), {@code snapshot} the
 * wait for the first event, {@code quote} one entry per {@code quote} event received (its time
 * being the wait for it; one that times out after {@code updateTimeout} seconds, e.g. in a
 * quiet market, is a KO of that wait only), {@code close} the disconnection. The error
 * assertion covers {@code subscribe} and {@code snapshot}; the time assertion, the time to
 * the snapshot.
 *
 * <p>Properties: {@code target}, {@code users} (200), {@code ramp} (20), {@code hold} (30),
 * {@code minSymbols} (5), {@code maxSymbols} (20), {@code pool} (400), {@code updateTimeout}
 * (15), {@code p99Ms} (1000, time to snapshot), {@code maxErrorPct} (1), {@code seed},
 * {@code universe}, {@code facts}.
 */
public class StreamSimulation extends Simulation {

  private final int users = LoadSettings.intProp("users", 200);
  private final Duration ramp = LoadSettings.seconds("ramp", 20);
  private final Duration hold = LoadSettings.seconds("hold", 30);
  private final Duration updateTimeout = LoadSettings.seconds("updateTimeout", 15);
  private final Watchlists watchlists =
      new Watchlists(
          Watchlists.universe(LoadSettings.seed(), LoadSettings.universe())
              .subList(0, LoadSettings.intProp("pool", 400)),
          LoadSettings.doubleProp("zipf", 1.0),
          LoadSettings.intProp("minSymbols", 5),
          LoadSettings.intProp("maxSymbols", 20),
          LoadSettings.seed() + 1);
  private final AtomicInteger nextUser = new AtomicInteger();

  private final Iterator<Map<String, Object>> feeder =
      new Iterator<>() {
        @Override
        public boolean hasNext() {
          return true;
        }

        @Override
        public Map<String, Object> next() {
          List<String> list = watchlists.forUser(nextUser.getAndIncrement());
          return Map.of("symbols", String.join(",", list));
        }
      };

  private final ScenarioBuilder scenario =
      scenario("stream")
          .feed(feeder)
          .exec(
              sse("subscribe")
                  .get("/api/v1/stream/quotes?symbols=#{symbols}")
                  .header("accept", "text/event-stream")
                  .await(Duration.ofSeconds(10))
                  // The first message is the "retry:" hint (no data): wait for the first quote event.
                  .on(sse.checkMessage("snapshot")
                      .matching(jsonPath("$.event").is("quote"))
                      .check(jsonPath("$.data").exists())))
          .exitHereIfFailed()
          .during(hold)
          .on(
              exec(sse("update")
                      .setCheck()
                      .await(updateTimeout)
                      .on(sse.checkMessage("quote").matching(jsonPath("$.event").is("quote"))))
                  .exec(session -> session.markAsSucceeded()))
          .exec(sse("close").close());

  {
    setUp(scenario.injectOpen(rampUsers(users).during(ramp)))
        .protocols(LoadSettings.protocol())
        .maxDuration(ramp.plus(hold).plus(updateTimeout).plusSeconds(30))
        .assertions(
            details("subscribe").failedRequests().percent().lte(LoadSettings.doubleProp("maxErrorPct", 1)),
            details("snapshot").failedRequests().percent().lte(LoadSettings.doubleProp("maxErrorPct", 1)),
            details("snapshot").responseTime().percentile(99.0).lte(LoadSettings.intProp("p99Ms", 1000)));
  }

  @Override
  public void after() {
    Map<String, Object> facts = new HashMap<>();
    facts.put("workload", "stream");
    facts.put("users", users);
    facts.put("holdSeconds", hold.toSeconds());
    LoadSettings.writeFacts(facts);
  }
}
