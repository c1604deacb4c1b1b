package dev.quotegate.history;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quotegate.QuotegateApplication;
import dev.quotegate.testsupport.FaultMatrixRow;
import dev.quotegate.testsupport.SimulatorAdmin;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import reactor.core.publisher.Mono;
import reactor.netty.ByteBufFlux;
import reactor.netty.http.client.HttpClient;
import tools.jackson.databind.JsonNode;

/**
 * A bulk-ingest job outlives its gateway: the application context is closed mid-job, a new
 * one on the same (embedded) database lists the job as interrupted with the counts of what was
 * done, and the job resumes through the admin API, loading only the symbols left, with counts
 * that match the upstream requests the simulator saw.
 */
class IngestRestartIT {

  static final Duration TIMEOUT = Duration.ofSeconds(90);
  final String dataDir = Path.of("target", "it-h2", "ingest-" + UUID.randomUUID()).toString();

  ConfigurableApplicationContext start() {
    Map<String, String> props = Map.of(
        "server.port", "0",
        "quotegate.simulator.port", "0",
        "quotegate.admin.token", AbstractHistoryIT.TOKEN,
        "quotegate.history.data-dir", dataDir,
        "quotegate.history.ingest-concurrency", "1",
        "quotegate.history.ingest.heartbeat-interval", "500ms");
    return new SpringApplicationBuilder(QuotegateApplication.class)
        .run(props.entrySet().stream().map(e -> "--" + e.getKey() + "=" + e.getValue()).toArray(String[]::new));
  }

  static int port(ConfigurableApplicationContext c, String name) {
    return Integer.parseInt(c.getEnvironment().getRequiredProperty(name));
  }

  @Test
  void aJobInterruptedByAStopIsListedWithItsCountsAfterARestartAndResumes() {
    List<String> symbols;
    String id;
    int doneBefore;
    long barsBefore;
    long upstreamBefore;
    try (ConfigurableApplicationContext first = start()) {
      int port = port(first, "local.server.port");
      SimulatorAdmin sim = new SimulatorAdmin(port(first, "local.simulator.port"));
      symbols = sim.symbols(12);
      sim.reset();
      sim.faults("{\"latencyMs\":150}"); // slow enough to stop it mid-job
      String body = symbols.stream().map(s -> "\"" + s + "\"").collect(Collectors.joining(",", "{\"symbols\":[", "]"))
          + ",\"interval\":\"1d\",\"from\":\"2021-01-01\",\"to\":\"2025-12-31\"}";
      Map.Entry<Integer, JsonNode> job = call(port, "POST", "/api/v1/admin/history/ingest", body);
      assertThat(job.getKey()).isEqualTo(202);
      id = job.getValue().get("id").asString();
      Awaitility.await().atMost(TIMEOUT).pollInterval(Duration.ofMillis(50)).until(() ->
          call(port, "GET", "/api/v1/admin/history/ingest/" + id, null).getValue().get("done").asInt() >= 3);
      // closed mid-job: the context stops while a symbol is being fetched
    }

    try (ConfigurableApplicationContext second = start()) {
      int port = port(second, "local.server.port");
      SimulatorAdmin sim = new SimulatorAdmin(port(second, "local.simulator.port"));
      sim.reset();
      Map.Entry<Integer, JsonNode> list = call(port, "GET", "/api/v1/admin/history/ingest", null);
      assertThat(list.getKey()).isEqualTo(200);
      JsonNode listed = list.getValue().get("jobs").get(0);
      assertThat(listed.get("id").asString()).as("the job is listed after the restart").isEqualTo(id);
      assertThat(listed.get("state").asString()).isEqualTo("interrupted");
      assertThat(listed.get("note").asString()).contains("stopped");
      doneBefore = listed.get("done").asInt();
      barsBefore = listed.get("barsWritten").asLong();
      upstreamBefore = listed.get("upstreamRequests").asLong();
      assertThat(doneBefore).as("symbols done before the stop").isBetween(3, symbols.size() - 1);
      // five years of NYSE sessions per symbol done, every one of them in the store
      assertThat(barsBefore).as("bars written by %d symbols", doneBefore).isBetween(doneBefore * 1250L, doneBefore * 1260L);
      assertThat(upstreamBefore).as("upstream requests of the symbols done").isGreaterThanOrEqualTo(doneBefore);
      for (int i = 0; i < doneBefore; i++) {
        Map.Entry<Integer, JsonNode> read = AbstractHistoryIT.get(port,
            "/api/v1/history/" + symbols.get(i) + "?interval=1d&from=2021-01-01&to=2025-12-31");
        assertThat(read.getValue().get("served").asString()).as("%s, done before the stop", symbols.get(i)).isEqualTo("store");
      }
      assertThat(sim.requests()).as("upstream requests to read the symbols done").isZero();

      Map.Entry<Integer, JsonNode> resumed = call(port, "POST", "/api/v1/admin/history/ingest/" + id + "/resume", "");
      assertThat(resumed.getKey()).isEqualTo(202);
      Awaitility.await().atMost(TIMEOUT).pollInterval(Duration.ofMillis(200)).until(() ->
          call(port, "GET", "/api/v1/admin/history/ingest/" + id, null).getValue().get("state").asString().equals("done"));
      JsonNode done = call(port, "GET", "/api/v1/admin/history/ingest/" + id, null).getValue();
      assertThat(done.get("done").asInt()).isEqualTo(symbols.size());
      assertThat(done.get("failed").asInt()).isZero();
      assertThat(done.get("resumes").asInt()).isEqualTo(1);
      assertThat(done.get("barsWritten").asLong()).isBetween(symbols.size() * 1250L, symbols.size() * 1260L);
      long barCalls = sim.stats().get("byEndpoint").path("bars").asLong();
      assertThat(done.get("upstreamRequests").asLong() - upstreamBefore)
          .as("upstream requests the resumed run counted vs the simulator's count").isEqualTo(barCalls);
      assertThat(barCalls).as("only the symbols left are fetched").isGreaterThanOrEqualTo(symbols.size() - doneBefore);

      new FaultMatrixRow("gateway stopped mid bulk ingest, restarted", symbols.size(), 0, 0, 0, barCalls,
          "job listed interrupted", "done before the stop: " + doneBefore + " symbols, " + barsBefore
              + " bars, all in the store; resumed: only the " + (symbols.size() - doneBefore)
              + " left fetched, counts match the simulator's: 0 lost").write("ingest-restart");
      Map.Entry<Integer, JsonNode> again = call(port, "POST", "/api/v1/admin/history/ingest/" + id + "/resume", "");
      assertThat(again.getKey()).as("a done job does not resume").isEqualTo(400);
      assertThat(call(port, "POST", "/api/v1/admin/history/ingest/nope/resume", "").getKey()).isEqualTo(404);
    }
  }

  static Map.Entry<Integer, JsonNode> call(int port, String method, String uri, String body) {
    HttpClient c = HttpClient.create().baseUrl("http://127.0.0.1:" + port)
        .headers(h -> h.set("authorization", "Bearer " + AbstractHistoryIT.TOKEN).set("content-type", "application/json"));
    HttpClient.ResponseReceiver<?> r = "POST".equals(method)
        ? c.post().uri(uri).send(ByteBufFlux.fromString(Mono.just(body)))
        : c.get().uri(uri);
    return r.responseSingle((res, b) -> b.asString().defaultIfEmpty("{}")
            .map(s -> Map.entry(res.status().code(), AbstractHistoryIT.JSON.readTree(s))))
        .block(TIMEOUT);
  }
}
