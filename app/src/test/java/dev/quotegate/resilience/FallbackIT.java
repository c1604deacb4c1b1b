package dev.quotegate.resilience;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quotegate.platform.UpstreamClient;
import dev.quotegate.provider.ProviderRouter;
import dev.quotegate.provider.QuoteProvider;
import dev.quotegate.provider.sim.SimProviderProperties;
import dev.quotegate.provider.sim.SimQuoteProvider;
import dev.quotegate.simulator.Simulator;
import dev.quotegate.simulator.SimulatorProperties;
import dev.quotegate.testsupport.SimulatorAdmin;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Bean;
import org.springframework.core.env.Environment;
import reactor.core.publisher.Mono;
import reactor.netty.http.client.HttpClient;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Two providers: the embedded simulator ({@code sim}) first, a second standalone simulator
 * ({@code sim2}) behind it. An outage of the primary is answered by the secondary; an outage of
 * both by stale values, then 503 with Retry-After.
 */
@SpringBootTest(
    webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
    properties = {
      "quotegate.simulator.port=0",
      "quotegate.quotes.ttl-market-open=300ms",
      "quotegate.quotes.ttl-market-closed=300ms",
      "quotegate.routing.quotes=sim,sim2",
      // one request's symbols form one batch even on a loaded machine
      "quotegate.quotes.batch-window=50ms",
      "quotegate.resilience.defaults.timeout=3s"
    })
class FallbackIT {

  private static final Duration TIMEOUT = Duration.ofSeconds(30);
  private static final JsonMapper JSON = JsonMapper.builder().build();

  @TestConfiguration
  static class SecondProvider {
    @Bean(destroyMethod = "stop")
    Simulator secondSimulator() {
      return Simulator.create(SimulatorProperties.defaults().withPort(0)).start();
    }

    @Bean
    QuoteProvider sim2(UpstreamClient client, Simulator secondSimulator) {
      return SimQuoteProvider.named("sim2", client,
          new SimProviderProperties(true, URI.create(secondSimulator.baseUrl()), 20, 0, 0, 0, 5000),
          URI.create(secondSimulator.baseUrl()));
    }
  }

  @LocalServerPort int port;
  @Autowired Environment env;
  @Autowired ProviderRouter router;
  @Autowired Simulator secondSimulator;

  SimulatorAdmin primary;
  SimulatorAdmin secondary;
  HttpClient gateway;

  @BeforeEach
  void setUp() {
    primary = new SimulatorAdmin(Integer.parseInt(env.getRequiredProperty("local.simulator.port")));
    secondary = new SimulatorAdmin(secondSimulator.port());
    primary.reset();
    secondary.reset();
    router.reset();
    gateway = HttpClient.create().baseUrl("http://127.0.0.1:" + port);
  }

  private record Answer(int status, String retryAfter, JsonNode json) {}

  private Answer get(String uri) {
    return gateway.get().uri(uri)
        .responseSingle((res, body) -> body.asString().defaultIfEmpty("{}")
            .map(b -> new Answer(res.status().code(), res.responseHeaders().get("retry-after"), JSON.readTree(b))))
        .block(TIMEOUT);
  }

  @Test
  void anOutageOfThePrimaryIsAnsweredByTheSecondaryNamedAsSource() {
    List<String> universe = primary.symbols(61);
    List<String> symbols = universe.subList(50, 53);
    primary.reset();
    primary.faults("{\"outage\":true}");
    Answer batch = get("/api/v1/quotes?symbols=" + String.join(",", symbols));
    assertThat(batch.status()).as(batch.json().toString()).isEqualTo(200);
    assertThat(batch.json().get("quotes").size()).isEqualTo(3);
    for (JsonNode q : batch.json().get("quotes")) {
      assertThat(q.get("source").asString()).as("source of %s", q.get("symbol")).isEqualTo("sim2");
      assertThat(q.get("stale").asBoolean()).isFalse();
    }
    assertThat(primary.requests()).as("calls to the primary (then it cools down for its Retry-After)").isEqualTo(1);
    assertThat(secondary.requests()).as("one batch call to the secondary").isEqualTo(1);

    // the primary is cooling down (Retry-After: 5): the next symbols skip it without a call
    Answer next = get("/api/v1/quotes/" + universe.get(60));
    assertThat(next.status()).isEqualTo(200);
    assertThat(next.json().get("source").asString()).isEqualTo("sim2");
    assertThat(primary.requests()).as("calls to the primary during its cool-down").isEqualTo(1);
  }

  @Test
  void withBothProvidersOutCachedSymbolsAreServedStaleAndColdOnesGet503WithRetryAfter() {
    List<String> symbols = primary.symbols(72).subList(70, 72);
    assertThat(get("/api/v1/quotes/" + symbols.get(0)).json().get("source").asString()).isEqualTo("sim");
    Mono.delay(Duration.ofMillis(350)).block(TIMEOUT);
    primary.faults("{\"outage\":true}");
    secondary.faults("{\"outage\":true}");

    Answer stale = get("/api/v1/quotes/" + symbols.get(0));
    assertThat(stale.status()).isEqualTo(200);
    assertThat(stale.json().get("stale").asBoolean()).isTrue();
    assertThat(stale.json().get("source").asString()).isEqualTo("sim");
    assertThat(stale.json().get("ageMs").asLong()).isGreaterThanOrEqualTo(300);

    Answer cold = get("/api/v1/quotes/" + symbols.get(1));
    assertThat(cold.status()).isEqualTo(503);
    assertThat(cold.retryAfter()).as("Retry-After from the providers' outage answers").isEqualTo("5");
    assertThat(cold.json().get("detail").asString()).contains("sim").contains("sim2");
  }
}
