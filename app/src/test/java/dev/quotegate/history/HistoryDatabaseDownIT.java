package dev.quotegate.history;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quotegate.testsupport.SimulatorAdmin;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.core.env.Environment;
import tools.jackson.databind.JsonNode;

/**
 * The database is unreachable from start-up on (nothing listens on its port): the gateway
 * starts, serves history straight from the provider marked {@code stored: false}, and its
 * health shows the database DOWN while the instance stays in service (HTTP 200, DEGRADED).
 */
@SpringBootTest(
    webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
    properties = {
      "quotegate.simulator.port=0",
      "quotegate.admin.token=" + AbstractHistoryIT.TOKEN,
      "quotegate.history.db-url=r2dbc:postgresql://127.0.0.1:1/test",
      "quotegate.history.db-username=postgres",
      "quotegate.history.migration-retry-interval=1h"
    })
class HistoryDatabaseDownIT {

  @LocalServerPort int port;
  @Autowired Environment env;
  @Autowired io.micrometer.core.instrument.MeterRegistry registry;

  @Test
  void historyIsServedFromTheProviderNotStoredAndHealthShowsTheDatabaseDown() {
    SimulatorAdmin sim = new SimulatorAdmin(Integer.parseInt(env.getRequiredProperty("local.simulator.port")));
    sim.reset();
    Map.Entry<Integer, JsonNode> res = AbstractHistoryIT.get(port, "/api/v1/history/AAPL?interval=1d&range=1mo");
    assertThat(res.getKey()).isEqualTo(200);
    assertThat(res.getValue().get("stored").asBoolean()).as("stored").isFalse();
    assertThat(res.getValue().get("served").asString()).isEqualTo("upstream");
    assertThat(res.getValue().get("count").asInt()).isBetween(19, 24);
    assertThat(sim.requests()).isEqualTo(1);

    Map.Entry<Integer, JsonNode> charts = AbstractHistoryIT.get(port, "/api/v1/charts/AAPL?periods=1D,1Y");
    assertThat(charts.getKey()).isEqualTo(200);
    assertThat(charts.getValue().get("periods").get(1).get("stored").asBoolean()).isFalse();

    Map.Entry<Integer, JsonNode> health = AbstractHistoryIT.adminGet(port, "/actuator/health");
    assertThat(health.getKey()).as("the instance stays in service").isEqualTo(200);
    assertThat(health.getValue().get("status").asString()).isEqualTo("DEGRADED");
    JsonNode history = health.getValue().get("components").get("history");
    assertThat(history.get("status").asString()).isEqualTo("DEGRADED");
    assertThat(history.get("details").get("database").asString()).isEqualTo("DOWN");

    // /actuator/metrics is not exposed: the meter itself
    assertThat(registry.get("quotegate.history.db.migration.failures").counter().count()).isGreaterThanOrEqualTo(1.0);
  }
}
