package dev.quotegate.testsupport;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import reactor.core.publisher.Mono;
import reactor.netty.ByteBufFlux;
import reactor.netty.http.client.HttpClient;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** Test-side client of the simulator's admin API (stats, reset, faults) and universe. */
public final class SimulatorAdmin {

  private static final Duration TIMEOUT = Duration.ofSeconds(10);
  private static final JsonMapper JSON = JsonMapper.builder().build();

  private final HttpClient http;

  public SimulatorAdmin(int port) {
    this.http = HttpClient.create().baseUrl("http://127.0.0.1:" + port);
  }

  /** {@code GET /admin/stats}. */
  public JsonNode stats() {
    return JSON.readTree(http.get().uri("/admin/stats").responseContent().aggregate().asString().block(TIMEOUT));
  }

  /** Upstream requests received since the last reset. */
  public long requests() {
    return stats().get("requests").asLong();
  }

  /** Zeroes stats and clears every fault. */
  public void reset() {
    http.post().uri("/admin/reset?faults=true").response().block(TIMEOUT);
  }

  /** {@code PUT /admin/faults} with a JSON body. */
  public void faults(String json) {
    int status = http.headers(h -> h.set("content-type", "application/json"))
        .put().uri("/admin/faults").send(ByteBufFlux.fromString(Mono.just(json)))
        .response().map(r -> r.status().code()).block(TIMEOUT);
    if (status != 200 && status != 204) {
      throw new IllegalStateException("PUT /admin/faults answered " + status);
    }
  }

  /** The first {@code n} symbols of the universe (then resets stats: this call counts). */
  public List<String> symbols(int n) {
    JsonNode body = JSON.readTree(http.get().uri("/v1/symbols").responseContent().aggregate().asString().block(TIMEOUT));
    List<String> out = new ArrayList<>();
    for (JsonNode s : body.get("symbols")) {
      if (out.size() == n) {
        break;
      }
      out.add(s.get("symbol").asString());
    }
    return out;
  }
}
