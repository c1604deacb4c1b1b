package dev.quotegate.stream;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quotegate.testsupport.FakeQuoteProvider;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.webtestclient.autoconfigure.AutoConfigureWebTestClient;
import org.springframework.context.annotation.Bean;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.http.codec.ServerSentEvent;
import org.springframework.test.web.reactive.server.FluxExchangeResult;
import org.springframework.test.web.reactive.server.WebTestClient;

/** Limits and heartbeats of the stream endpoints over HTTP, against a fake provider. */
@SpringBootTest(
    webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
    properties = {
      "quotegate.simulator.enabled=false",
      "quotegate.providers.sim.enabled=false",
      "quotegate.streams.max-connections=1",
      "quotegate.streams.max-symbols=3",
      "quotegate.streams.heartbeat-interval=1s"
    })
@AutoConfigureWebTestClient(timeout = "30s") // a cold first request on a shared, loaded build machine
class StreamWebTest {

  @TestConfiguration
  static class Config {
    @Bean
    FakeQuoteProvider fakeQuoteProvider() {
      return new FakeQuoteProvider(20, "AAPL", "MSFT", "NVDA", "AMZN");
    }
  }

  @Autowired WebTestClient web;
  @Autowired StreamMeters meters;

  @Test
  void beyondTheConnectionLimitIsA503ProblemWithRetryAfter() {
    FluxExchangeResult<String> open = web.get().uri("/api/v1/stream/quotes?symbols=AAPL")
        .accept(MediaType.TEXT_EVENT_STREAM)
        .exchange()
        .expectStatus().isOk()
        .expectHeader().valueEquals("X-Accel-Buffering", "no")
        .expectHeader().valueEquals(HttpHeaders.CACHE_CONTROL, "no-cache")
        .returnResult(String.class);
    try {
      web.get().uri("/api/v1/stream/quotes?symbols=MSFT").accept(MediaType.TEXT_EVENT_STREAM).exchange()
          .expectStatus().isEqualTo(503)
          .expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON)
          .expectHeader().valueEquals(HttpHeaders.RETRY_AFTER, "5")
          .expectBody().jsonPath("$.code").isEqualTo("overloaded");
      web.get().uri("/api/v1/stream/ws").exchange()
          .expectStatus().isEqualTo(503); // the limit counts WebSocket connections too
    } finally {
      open.getResponseBody().take(Duration.ofMillis(1)).blockLast(Duration.ofSeconds(5));
    }
  }

  @Test
  void anOpenStreamGetsItsHeartbeatFromTheInstancesSweep() {
    ServerSentEvent<String> heartbeat = web.get().uri("/api/v1/stream/quotes?symbols=AAPL")
        .accept(MediaType.TEXT_EVENT_STREAM)
        .exchange()
        .expectStatus().isOk()
        .returnResult(new ParameterizedTypeReference<ServerSentEvent<String>>() {})
        .getResponseBody()
        .filter(e -> e.comment() != null && e.comment().contains("heartbeat"))
        .blockFirst(Duration.ofSeconds(20)); // a heartbeat-interval of 1 s, no timer per stream
    assertThat(heartbeat).as("a heartbeat comment").isNotNull();
    org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> meters.open() == 0);
  }

  @Test
  void moreSymbolsThanTheConnectionLimitIsA400NamingTheField() {
    web.get().uri("/api/v1/stream/quotes?symbols=AAPL,MSFT,NVDA,AMZN").exchange()
        .expectStatus().isBadRequest()
        .expectBody().jsonPath("$.invalidParams[0].name").isEqualTo("symbols");
    org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> meters.open() == 0);
    assertThat(meters.open()).as("a refused request holds no connection slot").isZero();
  }
}
