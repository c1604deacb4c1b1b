package dev.quotegate.stream;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quotegate.testsupport.FakeQuoteProvider;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.webtestclient.autoconfigure.AutoConfigureWebTestClient;
import org.springframework.context.annotation.Bean;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.FluxExchangeResult;
import org.springframework.test.web.reactive.server.WebTestClient;

/** The per-client stream limit over HTTP, against a fake provider. */
@SpringBootTest(
    webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
    properties = {
      "quotegate.simulator.enabled=false",
      "quotegate.providers.sim.enabled=false",
      "quotegate.streams.max-connections=10",
      "quotegate.streams.max-connections-per-client=1"
    })
@AutoConfigureWebTestClient(timeout = "30s") // a cold first request on a shared, loaded build machine
class StreamClientLimitWebTest {

  @TestConfiguration
  static class Config {
    @Bean
    FakeQuoteProvider fakeQuoteProvider() {
      return new FakeQuoteProvider(20, "AAPL", "MSFT");
    }
  }

  @Autowired WebTestClient web;
  @Autowired StreamMeters meters;
  @Autowired MeterRegistry registry;

  @Test
  void aClientBeyondItsConcurrentStreamLimitGetsA429ProblemWithRetryAfterAndItsSlotBackWhenOneCloses() {
    FluxExchangeResult<String> open = web.get().uri("/api/v1/stream/quotes?symbols=AAPL")
        .accept(MediaType.TEXT_EVENT_STREAM)
        .exchange()
        .expectStatus().isOk()
        .returnResult(String.class);
    try {
      web.get().uri("/api/v1/stream/quotes?symbols=MSFT").accept(MediaType.TEXT_EVENT_STREAM).exchange()
          .expectStatus().isEqualTo(429)
          .expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON)
          .expectHeader().valueEquals(HttpHeaders.RETRY_AFTER, "5")
          .expectBody()
          .jsonPath("$.code").isEqualTo("too-many-requests")
          .jsonPath("$.status").isEqualTo(429)
          .jsonPath("$.detail").value(d -> assertThat((String) d).contains("1 concurrent streams"));
      web.get().uri("/api/v1/stream/ws").exchange()
          .expectStatus().isEqualTo(429); // WebSocket streams count against the same client
      assertThat(registry.get("quotegate.stream.connections.rejected").tags("limit", "client", "transport", "sse")
          .counter().count()).isEqualTo(1);
      assertThat(meters.open()).as("the refused streams hold no instance slot").isEqualTo(1);
    } finally {
      open.getResponseBody().take(Duration.ofMillis(1)).blockLast(Duration.ofSeconds(5));
    }
    org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> meters.open() == 0);
    web.get().uri("/api/v1/stream/quotes?symbols=MSFT").accept(MediaType.TEXT_EVENT_STREAM).exchange()
        .expectStatus().isOk()
        .returnResult(String.class)
        .getResponseBody().take(Duration.ofMillis(1)).blockLast(Duration.ofSeconds(5));
  }
}
