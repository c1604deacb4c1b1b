package dev.quotegate.history;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quotegate.testsupport.FaultMatrixRow;

import dev.quotegate.QuotegateApplication;
import dev.quotegate.testsupport.RequiresServices;
import dev.quotegate.testsupport.RequiresServices.Service;
import dev.quotegate.testsupport.SimulatorAdmin;
import dev.quotegate.testsupport.TcpProxy;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import tools.jackson.databind.JsonNode;

/**
 * PostgreSQL cut off (a TCP proxy in front of the shared server, closed and reopened) under
 * repeated reads: each series costs at most one upstream call during the outage, later reads
 * are served from the bars held in memory, and once the database is back those bars land in
 * the store.
 */
@RequiresServices(Service.POSTGRES)
class HistoryOutageIT {

  static final String PG = "jdbc:postgresql://127.0.0.1:5432/test";

  final String schema = "history_out_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
  TcpProxy proxy;
  ConfigurableApplicationContext context;

  @AfterEach
  void tearDown() throws Exception {
    if (context != null) {
      context.close();
    }
    if (proxy != null) {
      proxy.close();
    }
    try (var c = DriverManager.getConnection(PG, "postgres", ""); var s = c.createStatement()) {
      s.execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
    }
  }

  @Test
  void anOutageCostsEachSeriesAtMostOneUpstreamCallAndTheBarsAreStoredWhenTheDatabaseIsBack() throws Exception {
    proxy = TcpProxy.start("127.0.0.1", 5432);
    Map<String, Object> props = new HashMap<>();
    props.put("server.port", "0");
    props.put("quotegate.simulator.port", "0");
    props.put("quotegate.history.db-url", "r2dbc:postgresql://127.0.0.1:" + proxy.port() + "/test");
    props.put("quotegate.history.db-username", "postgres");
    props.put("quotegate.history.db-schema", schema);
    props.put("quotegate.history.unavailable-backoff", "300ms");
    props.put("quotegate.history.connect-timeout", "1s");
    props.put("quotegate.history.pool-acquire-timeout", "1s");
    props.put("quotegate.history.cache.unstored-flush-interval", "200ms");
    // The series cache would answer repeated reads by itself: this test is about the store path.
    props.put("quotegate.history.cache.series-max-size", "0");
    context = new SpringApplicationBuilder(QuotegateApplication.class)
        .run(props.entrySet().stream().map(e -> "--" + e.getKey() + "=" + e.getValue()).toArray(String[]::new));
    int port = Integer.parseInt(context.getEnvironment().getRequiredProperty("local.server.port"));
    SimulatorAdmin sim = new SimulatorAdmin(Integer.parseInt(context.getEnvironment().getRequiredProperty("local.simulator.port")));
    List<String> symbols = sim.symbols(10);
    sim.reset();

    // Five series stored before the outage, five never read.
    Map<String, Integer> counts = new HashMap<>();
    for (String s : symbols.subList(0, 5)) {
      // On a loaded machine the first queries through the proxy may time out: read until stored.
      Awaitility.await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
        Map.Entry<Integer, JsonNode> r = AbstractHistoryIT.get(port, uri(s));
        assertThat(r.getKey()).isEqualTo(200);
        assertThat(r.getValue().get("stored").asBoolean()).as("%s stored before the outage", s).isTrue();
      });
    }
    sim.reset();

    proxy.cut();
    List<String> served = new ArrayList<>();
    List<Long> latencies = new ArrayList<>();
    for (int round = 0; round < 8; round++) {
      for (String s : symbols) {
        long t0 = System.nanoTime();
        Map.Entry<Integer, JsonNode> r = AbstractHistoryIT.get(port, uri(s));
        latencies.add(System.nanoTime() - t0);
        assertThat(r.getKey()).as("%s in round %d of the outage", s, round).isEqualTo(200);
        assertThat(r.getValue().get("stored").asBoolean()).as("stored during the outage").isFalse();
        assertThat(r.getValue().get("count").asInt()).as("bars of %s", s).isBetween(245, 256);
        counts.put(s, r.getValue().get("count").asInt());
        if (round > 0) {
          served.add(r.getValue().get("served").asString());
        }
      }
    }
    long barCalls = sim.stats().get("byEndpoint").path("bars").asLong();
    assertThat(barCalls).as("upstream bar calls for 10 series read 8 times each during the outage").isLessThanOrEqualTo(10);
    assertThat(served).as("reads after the first, during the outage").containsOnly("memory");

    proxy.reopen();
    Awaitility.await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200)).untilAsserted(() -> {
      for (String s : symbols) {
        assertThat(storedRows(s)).as("rows of %s in the store after the outage", s).isEqualTo(counts.get(s));
      }
    });
    sim.reset();
    for (String s : symbols.subList(5, 10)) {
      Map.Entry<Integer, JsonNode> r = AbstractHistoryIT.get(port, uri(s));
      assertThat(r.getValue().get("served").asString()).as("%s after the outage", s).isEqualTo("store");
      assertThat(r.getValue().get("stored").asBoolean()).isTrue();
    }
    assertThat(sim.requests()).as("upstream calls after the outage").isZero();
    long[] sorted = latencies.stream().mapToLong(Long::longValue).sorted().toArray();
    // every assertion above held: all 200, every bar stored once the database was back
    new FaultMatrixRow("PostgreSQL cut (TCP proxy), 10 series x 8 reads", sorted.length, 0,
        FaultMatrixRow.quantileMs(sorted, 0.5), FaultMatrixRow.quantileMs(sorted, 0.99), barCalls,
        "not watched", "upstream bar calls <= 1 per series; later reads served from memory; "
            + "every bar in the store within 30 s of the database's return: 0 lost").write("postgres-outage");
  }

  static String uri(String symbol) {
    return "/api/v1/history/" + symbol + "?interval=1d&range=1y";
  }

  int storedRows(String symbol) throws Exception {
    try (var c = DriverManager.getConnection(PG, "postgres", "");
        PreparedStatement ps = c.prepareStatement("SELECT count(*) FROM " + schema + ".bars WHERE symbol = ? AND bar_interval = '1d'")) {
      ps.setString(1, symbol);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return rs.getInt(1);
      }
    }
  }
}
