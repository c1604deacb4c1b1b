package dev.quotegate.load;

import static io.gatling.javaapi.core.CoreDsl.details;
import static io.gatling.javaapi.core.CoreDsl.exec;
import static io.gatling.javaapi.core.CoreDsl.global;
import static io.gatling.javaapi.core.CoreDsl.pace;
import static io.gatling.javaapi.core.CoreDsl.rampUsers;
import static io.gatling.javaapi.core.CoreDsl.scenario;
import static io.gatling.javaapi.http.HttpDsl.http;
import static io.gatling.javaapi.http.HttpDsl.status;

import io.gatling.javaapi.core.ChainBuilder;
import io.gatling.javaapi.core.ScenarioBuilder;
import io.gatling.javaapi.core.Simulation;
import java.time.Duration;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Dashboards: {@code users} users, each with its own watchlist of {@code minSymbols} to
 * {@code maxSymbols} symbols (Zipf-skewed popularity over the first {@code pool} symbols of the
 * simulator's universe, see {@link Watchlists}), polling their batch of quotes once a second;
 * after {@code chartPct} percent of the polls the user opens a chart and the history of one of
 * the symbols. Users arrive over {@code ramp} seconds and each polls for {@code duration}
 * seconds.
 *
 * <p>Per-user symbol sets are where per-URL caching falls short: almost no two watchlist URLs
 * are equal, while most of their symbols are shared. The symbols followed are written as
 * {@code distinctSymbols} to the facts file, so the runner can compare upstream traffic with
 * the ideal minimum (distinct symbols x refreshes the TTL implies).
 *
 * <p>Properties: {@code target}, {@code users} (200), {@code duration} (60), {@code ramp}
 * (10), {@code minSymbols} (10), {@code maxSymbols} (50), {@code pool} (400),
 * {@code zipf} (1.0), {@code chartPct} (2; 0 turns charts off), {@code p99Ms} (500),
 * {@code maxErrorPct} (0.5), {@code seed}, {@code universe}, {@code facts}.
 */
public class DashboardSimulation extends Simulation {

  private final int users = LoadSettings.intProp("users", 200);
  private final Duration duration = LoadSettings.seconds("duration", 60);
  private final Duration ramp = LoadSettings.seconds("ramp", 10);
  private final double chartPct = LoadSettings.doubleProp("chartPct", 2);
  private final Watchlists watchlists =
      new Watchlists(
          Watchlists.universe(LoadSettings.seed(), LoadSettings.universe())
              .subList(0, LoadSettings.intProp("pool", 400)),
          LoadSettings.doubleProp("zipf", 1.0),
          LoadSettings.intProp("minSymbols", 10),
          LoadSettings.intProp("maxSymbols", 50),
          LoadSettings.seed());
  private final AtomicInteger nextUser = new AtomicInteger();
  private long startedAt;

  private final Iterator<Map<String, Object>> userFeeder =
      new Iterator<>() {
        @Override
        public boolean hasNext() {
          return true;
        }

        @Override
        public Map<String, Object> next() {
          int user = nextUser.getAndIncrement();
          List<String> list = watchlists.forUser(user);
          Map<String, Object> m = new HashMap<>();
          m.put("user", user);
          m.put("watchlist", list);
          m.put("symbols", String.join(",", list));
          return m;
        }
      };

  private final ChainBuilder openChart =
      exec(session -> {
            List<String> list = session.getList("watchlist");
            return session.set("chartSymbol", list.get(ThreadLocalRandom.current().nextInt(list.size())));
          })
          .exec(http("chart").get("/api/v1/charts/#{chartSymbol}?periods=1D,5D,1M,1Y").check(status().is(200)))
          .exec(http("history").get("/api/v1/history/#{chartSymbol}?interval=1d&range=1y").check(status().is(200)));

  private final ScenarioBuilder scenario =
      scenario("dashboard")
          .feed(userFeeder)
          .during(duration)
          .on(
              pace(Duration.ofSeconds(1))
                  .exec(http("watchlist").get("/api/v1/quotes?symbols=#{symbols}").check(status().is(200)))
                  .doIf(session -> chartPct > 0 && ThreadLocalRandom.current().nextDouble(100) < chartPct)
                  .then(openChart));

  {
    setUp(scenario.injectOpen(rampUsers(users).during(ramp)))
        .protocols(LoadSettings.protocol())
        .maxDuration(duration.plus(ramp).plusSeconds(30))
        .assertions(
            global().failedRequests().percent().lte(LoadSettings.doubleProp("maxErrorPct", 0.5)),
            details("watchlist").responseTime().percentile(99.0).lte(LoadSettings.intProp("p99Ms", 500)));
  }

  @Override
  public void before() {
    startedAt = System.currentTimeMillis();
  }

  @Override
  public void after() {
    Map<String, Object> facts = new HashMap<>();
    facts.put("workload", "dashboard");
    facts.put("users", users);
    facts.put("distinctSymbols", watchlists.distinct(users).size());
    facts.put("windowSeconds", (System.currentTimeMillis() - startedAt) / 1000.0);
    facts.put("chartPct", chartPct);
    LoadSettings.writeFacts(facts);
  }
}
