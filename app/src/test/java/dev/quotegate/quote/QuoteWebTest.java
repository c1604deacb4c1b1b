package dev.quotegate.quote;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quotegate.platform.GatewayException;
import dev.quotegate.platform.GatewayException.UpstreamFailure;
import dev.quotegate.provider.ProviderRouter;
import dev.quotegate.provider.QuoteProvider;
import dev.quotegate.testsupport.FakeQuoteProvider;
import java.time.Duration;
import java.util.Collections;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.webtestclient.autoconfigure.AutoConfigureWebTestClient;
import org.springframework.context.annotation.Bean;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.WebTestClient;

/** The quote endpoints over HTTP, against a fake provider. */
@SpringBootTest(
    webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
    properties = {
      "quotegate.simulator.enabled=false",
      "quotegate.providers.sim.enabled=false",
      "quotegate.quotes.batch-window=50ms" // one window even on a busy machine
    })
@AutoConfigureWebTestClient
class QuoteWebTest {

  @TestConfiguration
  static class Config {
    @Bean
    FakeQuoteProvider fakeQuoteProvider() {
      return new FakeQuoteProvider(20, "AAPL", "MSFT", "NVDA", "BRK.B", "T1", "T2", "T3", "T4");
    }
  }

  @Autowired WebTestClient web;
  @Autowired FakeQuoteProvider provider;
  @Autowired ProviderRouter router;

  @BeforeEach
  void reset() {
    provider.reset();
    // a 429 with Retry-After in one test must not cool the provider down for the next ones
    router.reset();
  }

  @Test
  void servesOneQuoteWithFreshnessAndSource() {
    web.get().uri("/api/v1/quotes/aapl").exchange()
        .expectStatus().isOk()
        .expectHeader().contentType(MediaType.APPLICATION_JSON)
        .expectHeader().exists(HttpHeaders.ETAG)
        .expectHeader().valueMatches(HttpHeaders.CACHE_CONTROL, "public, max-age=\\d+")
        .expectHeader().valueMatches("Server-Timing", "cache;desc=(miss|hit).*total;dur=[0-9.]+")
        .expectBody()
        .jsonPath("$.symbol").isEqualTo("AAPL")
        .jsonPath("$.price").isEqualTo(100.25)
        .jsonPath("$.source").isEqualTo("fake")
        .jsonPath("$.stale").isEqualTo(false)
        .jsonPath("$.ageMs").isNumber()
        .jsonPath("$.asOf").isEqualTo("2026-11-23T15:00:00Z")
        .jsonPath("$.fetchedAt").isNotEmpty();
  }

  @Test
  void answersNotModifiedForAMatchingEtag() {
    String etag = web.get().uri("/api/v1/quotes/MSFT").exchange()
        .expectStatus().isOk().returnResult(String.class).getResponseHeaders().getETag();
    web.get().uri("/api/v1/quotes/MSFT").header(HttpHeaders.IF_NONE_MATCH, etag).exchange()
        .expectStatus().isNotModified()
        .expectHeader().valueEquals(HttpHeaders.ETAG, etag)
        .expectBody().isEmpty();
  }

  @Test
  void unknownSymbolIsA404Problem() {
    web.get().uri("/api/v1/quotes/ZZZZ").exchange()
        .expectStatus().isNotFound()
        .expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON)
        .expectBody()
        .jsonPath("$.status").isEqualTo(404)
        .jsonPath("$.type").isEqualTo("https://quotegate.dev/problems/not-found")
        .jsonPath("$.detail").isEqualTo("unknown symbol: ZZZZ");
  }

  @Test
  void anUnknownPathIsA404ProblemNamingTheEndpoint() {
    web.get().uri("/api/v1/nope").exchange()
        .expectStatus().isNotFound()
        .expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON)
        .expectBody()
        .jsonPath("$.code").isEqualTo("not-found")
        .jsonPath("$.detail").isEqualTo("No endpoint GET /api/v1/nope (endpoints: docs/api.md)");
  }

  @Test
  void actuatorEndpointsAreStillServedAfterTheApiRoutes() {
    web.get().uri("/actuator/health").exchange()
        .expectStatus().isOk()
        .expectBody().jsonPath("$.status").exists();
  }

  @Test
  void batchKeepsOrderRemovesDuplicatesAndReportsPerSymbolErrors() {
    web.get().uri("/api/v1/quotes?symbols=NVDA,ZZZZ,aapl,NVDA,BRK.B").exchange()
        .expectStatus().isOk()
        .expectHeader().valueEquals(HttpHeaders.CACHE_CONTROL, "no-cache")
        .expectBody()
        .jsonPath("$.requested").isEqualTo(4)
        .jsonPath("$.quotes[*].symbol").isEqualTo(java.util.List.of("NVDA", "AAPL", "BRK.B"))
        .jsonPath("$.errors[0].symbol").isEqualTo("ZZZZ")
        .jsonPath("$.errors[0].status").isEqualTo(404)
        .jsonPath("$.errors[0].code").isEqualTo("not-found");
    // The misses go out batched: each asked for exactly once, in at most two calls (a
    // background refresh from a test sharing this context can open a window first). Exact
    // batch counts are asserted in BatcherTest and QuotePathIT.
    assertThat(provider.calls()).as("batch calls for the misses").hasSizeLessThanOrEqualTo(2);
    assertThat(provider.calls().stream().flatMap(java.util.List::stream).filter(s -> !s.equals("AAPL")).sorted().toList())
        .as("each miss asked once").containsExactly("BRK.B", "NVDA", "ZZZZ");
  }

  @Test
  void rejectsMoreThanOneHundredSymbolsWithoutCallingTheProvider() {
    String symbols = String.join(",", Collections.nCopies(101, "AAPL"));
    web.get().uri("/api/v1/quotes?symbols=" + symbols).exchange()
        .expectStatus().isBadRequest()
        .expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON)
        .expectBody()
        .jsonPath("$.invalidParams[0].name").isEqualTo("symbols")
        .jsonPath("$.detail").value(d -> assertThat((String) d).contains("at most 100"));
    assertThat(provider.calls()).isEmpty();
  }

  @Test
  void rejectsEmptyEntriesAndInjectionAttemptsNamingTheEntry() {
    web.get().uri("/api/v1/quotes?symbols=AAPL,,MSFT").exchange()
        .expectStatus().isBadRequest()
        .expectBody().jsonPath("$.invalidParams[0].name").isEqualTo("symbols[1]");
    web.get().uri(b -> b.path("/api/v1/quotes").queryParam("symbols", "{s}").build("A;DROP")).exchange()
        .expectStatus().isBadRequest()
        .expectBody()
        .jsonPath("$.invalidParams[0].name").isEqualTo("symbols[0]")
        .jsonPath("$.type").isEqualTo("https://quotegate.dev/problems/invalid-request");
    web.get().uri("/api/v1/quotes").exchange().expectStatus().isBadRequest()
        .expectBody().jsonPath("$.invalidParams[0].name").isEqualTo("symbols");
    web.get().uri("/api/v1/quotes/A;DROP").exchange().expectStatus().isBadRequest();
    assertThat(provider.calls()).isEmpty();
  }

  @Test
  void upstreamFailureWithNothingCachedIsA503WithRetryAfter() {
    provider.failWith(new GatewayException.Upstream("fake", UpstreamFailure.RATE_LIMITED, "HTTP 429", Duration.ofSeconds(7), null));
    web.get().uri("/api/v1/quotes/T1").exchange()
        .expectStatus().isEqualTo(503)
        .expectHeader().valueEquals(HttpHeaders.RETRY_AFTER, "7")
        .expectBody().jsonPath("$.code").isEqualTo("upstream-unavailable");
  }

  @Test
  void upstreamTimeoutIsA504() {
    provider.failWith(new GatewayException.Upstream("fake", UpstreamFailure.TIMEOUT, "no answer in time"));
    web.get().uri("/api/v1/quotes?symbols=T2,T3").exchange()
        .expectStatus().isEqualTo(504)
        .expectBody().jsonPath("$.code").isEqualTo("upstream-timeout");
  }

  @Test
  void unknownRouteIsA404Problem() {
    web.get().uri("/api/v1/nope").exchange()
        .expectStatus().isNotFound()
        .expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON);
  }

  @Test
  void exposesPrometheusMetricsAndHealth() {
    web.get().uri("/api/v1/quotes/T4").exchange().expectStatus().isOk();
    web.mutate().codecs(c -> c.defaultCodecs().maxInMemorySize(16 * 1024 * 1024)).build()
        .get().uri("/actuator/prometheus").exchange()
        .expectStatus().isOk()
        .expectBody(String.class)
        .value(body -> assertThat(body)
            .contains("quotegate_cache_requests_total")
            .contains("quotegate_coalescer_requests_total")
            .contains("quotegate_batcher_batch_size")
            .contains("http_server_requests_seconds_bucket"));
    web.get().uri("/actuator/health").exchange().expectStatus().isOk()
        .expectBody().jsonPath("$.status").isEqualTo("UP");
  }
}
