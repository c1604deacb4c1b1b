package dev.quotegate.access;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.MeterRegistry;
import dev.quotegate.testsupport.RawHttp;
import dev.quotegate.testsupport.Routes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.boot.webtestclient.autoconfigure.AutoConfigureWebTestClient;
import org.springframework.context.ApplicationContext;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.FluxExchangeResult;
import org.springframework.test.web.reactive.server.WebTestClient;
import reactor.netty.http.client.HttpClient;

/**
 * CORS, API keys, rate-limit headers and 429s, concurrent-stream limits, and the security
 * headers, against the whole application (embedded simulator upstream).
 */
class ClientAccessWebTest {

  static final String ALPHA = "qg-test-key-alpha-0001";
  static final String BETA = "qg-test-key-beta-0002";
  static final String BURST = "qg-test-key-burst-0003";
  static final String ALPHA_SHA = "86a7cd5fb22e1e1abead816c61cdde213499219194f2f33ce443e8c83139cf19";
  static final String BETA_SHA = "f62ec3d2a4f4dcb2438a5cd03815b49ed1750e7bd93c3218982f5d4d4ab5fa18";
  static final String BURST_SHA = "d39b56c68ab18e090253599c6ec0cd0bd00994d8aecf810e72f1bef09ce44f4a";
  static final String PAGE = "http://dashboard.example:3000";

  @Nested
  @SpringBootTest(
      webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
      properties = {
          "quotegate.simulator.port=0",
          "quotegate.cors.allowed-origins=" + PAGE,
          "quotegate.security.api-keys[0].id=alpha",
          "quotegate.security.api-keys[0].sha256=" + ALPHA_SHA,
          "quotegate.security.api-keys[0].max-streams=1",
          "quotegate.security.api-keys[1].id=beta",
          "quotegate.security.api-keys[1].sha256=" + BETA_SHA,
          "quotegate.security.api-keys[2].id=burst",
          "quotegate.security.api-keys[2].sha256=" + BURST_SHA,
          "quotegate.security.api-keys[2].requests-per-second=0.01",
          "quotegate.security.api-keys[2].burst=3",
          "quotegate.rate-limit.anonymous.requests-per-second=0.01",
          "quotegate.rate-limit.anonymous.burst=2",
      })
  @AutoConfigureWebTestClient
  class OpenTier {
    @Autowired WebTestClient web;
    @Autowired MeterRegistry registry;
    @Autowired ClientAccess access;
    @LocalServerPort int port;

    @Test
    void preflightFromAnAllowedOriginIsAnsweredWithMethodsHeadersAndMaxAge() {
      web.options().uri("/api/v1/portfolio/valuation")
          .header(HttpHeaders.ORIGIN, PAGE)
          .header(HttpHeaders.ACCESS_CONTROL_REQUEST_METHOD, "POST")
          .header(HttpHeaders.ACCESS_CONTROL_REQUEST_HEADERS, "content-type,x-api-key,authorization")
          .exchange()
          .expectStatus().isOk()
          .expectHeader().valueEquals(HttpHeaders.ACCESS_CONTROL_ALLOW_ORIGIN, PAGE)
          .expectHeader().value(HttpHeaders.ACCESS_CONTROL_ALLOW_METHODS, v -> assertThat(v).contains("POST").contains("GET"))
          .expectHeader().value(HttpHeaders.ACCESS_CONTROL_ALLOW_HEADERS,
              v -> assertThat(v.toLowerCase()).contains("content-type").contains("x-api-key").contains("authorization"))
          .expectHeader().valueEquals(HttpHeaders.ACCESS_CONTROL_MAX_AGE, "3600")
          .expectHeader().doesNotExist(HttpHeaders.ACCESS_CONTROL_ALLOW_CREDENTIALS);
    }

    @Test
    void anAllowedOriginReadsQuotesAndTheHeadersItNeeds() {
      web.get().uri("/api/v1/quotes/AAPL")
          .header(HttpHeaders.ORIGIN, PAGE)
          .header("X-API-Key", BETA)
          .exchange()
          .expectStatus().isOk()
          .expectHeader().valueEquals(HttpHeaders.ACCESS_CONTROL_ALLOW_ORIGIN, PAGE)
          .expectHeader().value(HttpHeaders.ACCESS_CONTROL_EXPOSE_HEADERS, v -> assertThat(v)
              .contains("ETag").contains("Server-Timing").contains("RateLimit").contains("RateLimit-Policy").contains("Retry-After"))
          .expectHeader().valueEquals("RateLimit-Policy", "\"beta\";q=400;w=4");
    }

    @Test
    void aDisallowedOriginIsRefusedWithoutCorsHeadersAndCounted() {
      double before = registry.get("quotegate.cors.rejected").counter().count();
      web.get().uri("/api/v1/quotes/AAPL")
          .header(HttpHeaders.ORIGIN, "http://evil.example")
          .header("X-API-Key", BETA)
          .exchange()
          .expectStatus().isForbidden()
          .expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON)
          .expectHeader().doesNotExist(HttpHeaders.ACCESS_CONTROL_ALLOW_ORIGIN)
          .expectHeader().doesNotExist("RateLimit")
          .expectBody().jsonPath("$.status").isEqualTo(403);
      web.options().uri("/api/v1/portfolio/valuation")
          .header(HttpHeaders.ORIGIN, "http://evil.example")
          .header(HttpHeaders.ACCESS_CONTROL_REQUEST_METHOD, "POST")
          .exchange()
          .expectStatus().isForbidden()
          .expectHeader().doesNotExist(HttpHeaders.ACCESS_CONTROL_ALLOW_ORIGIN);
      assertThat(registry.get("quotegate.cors.rejected").counter().count() - before).isEqualTo(2);
    }

    @Test
    void aSameOriginRequestWithAnOriginHeaderIsServed() {
      web.get().uri("/api/v1/quotes/AAPL")
          .header(HttpHeaders.ORIGIN, "http://localhost:" + port)
          .header(HttpHeaders.AUTHORIZATION, "Bearer " + BETA)
          .exchange()
          .expectStatus().isOk()
          .expectHeader().doesNotExist(HttpHeaders.ACCESS_CONTROL_ALLOW_ORIGIN);
    }

    @Test
    void aBearerKeyAndAnXApiKeyAreBothAccepted() {
      web.get().uri("/api/v1/quotes/MSFT").header(HttpHeaders.AUTHORIZATION, "Bearer " + BETA).exchange()
          .expectStatus().isOk()
          .expectHeader().value("RateLimit", v -> assertThat(v).startsWith("\"beta\";r="));
      web.get().uri("/api/v1/quotes/MSFT").header("X-API-Key", BETA).exchange()
          .expectStatus().isOk()
          .expectHeader().value("RateLimit-Policy", v -> assertThat(v).startsWith("\"beta\";"));
    }

    @Test
    void anUnknownKeyIsRefusedWith401EvenWhereAnonymousCallersAreServed() {
      web.get().uri("/api/v1/quotes/MSFT").header("X-API-Key", "not-a-key-of-ours").exchange()
          .expectStatus().isUnauthorized()
          .expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON)
          .expectHeader().value(HttpHeaders.WWW_AUTHENTICATE, v -> assertThat(v).startsWith("Bearer realm=\"quotegate\""))
          .expectBody().jsonPath("$.detail").isEqualTo("the API key is not valid");
      web.get().uri("/api/v1/quotes/MSFT").header(HttpHeaders.AUTHORIZATION, "Basic " + BETA).exchange()
          .expectStatus().isUnauthorized();
    }

    @Test
    void aKeyInTheQueryIsAcceptedOnlyOnTheSseStream() {
      web.get().uri("/api/v1/quotes/MSFT?api_key=" + BETA).exchange()
          .expectStatus().isUnauthorized()
          .expectBody().jsonPath("$.detail").value(d -> assertThat((String) d)
              .startsWith("api_key: a key in the query is accepted only on GET /api/v1/stream/quotes")
              .doesNotContain(BETA));
      FluxExchangeResult<String> stream = web.get().uri("/api/v1/stream/quotes?symbols=AAPL&api_key=" + BETA)
          .accept(MediaType.TEXT_EVENT_STREAM)
          .exchange()
          .expectStatus().isOk()
          .expectHeader().value("RateLimit-Policy", v -> assertThat(v).startsWith("\"beta\";"))
          .returnResult(String.class);
      assertThat(stream.getResponseBody().take(1).blockLast(Duration.ofSeconds(20))).isNotNull();
    }

    @Test
    void aClientOverItsStreamLimitIsRefusedUntilAStreamCloses() {
      FluxExchangeResult<String> first = web.get().uri("/api/v1/stream/quotes?symbols=AAPL")
          .header("X-API-Key", ALPHA).accept(MediaType.TEXT_EVENT_STREAM)
          .exchange().expectStatus().isOk().returnResult(String.class);
      assertThat(access.streams("key:alpha")).isEqualTo(1);
      web.get().uri("/api/v1/stream/quotes?symbols=AAPL")
          .header("X-API-Key", ALPHA).accept(MediaType.TEXT_EVENT_STREAM)
          .exchange()
          .expectStatus().isEqualTo(429)
          .expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON)
          .expectHeader().valueEquals(HttpHeaders.RETRY_AFTER, "5");
      first.getResponseBody().take(1).blockLast(Duration.ofSeconds(20));
      Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> access.streams("key:alpha") == 0);
      assertThat(registry.get("quotegate.ratelimit.streams.refused").tag("client", "alpha").counter().count()).isEqualTo(1);
    }

    @Test
    void aWebSocketHoldsItsClientsStreamSlotWhileOpen() {
      AtomicInteger heldWhileOpen = new AtomicInteger(-1);
      HttpClient.create().headers(h -> h.set("X-API-Key", ALPHA)).websocket()
          .uri("ws://127.0.0.1:" + port + "/api/v1/stream/ws?symbols=AAPL")
          .handle((in, out) -> in.receive().asString().take(1)
              .doOnNext(m -> heldWhileOpen.set(access.streams("key:alpha"))))
          .then()
          .block(Duration.ofSeconds(30));
      assertThat(heldWhileOpen.get()).as("slots of key alpha while its WebSocket was open").isEqualTo(1);
      Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> access.streams("key:alpha") == 0);
    }

    @Test
    void aClientOverItsBucketGets429WithRetryAfterAndRateLimitHeaders() {
      // burst 3, refilled at 0.01 token/s: three one-symbol requests, then nothing for 100 s
      for (int i = 0; i < 3; i++) {
        web.get().uri("/api/v1/quotes/IBM").header("X-API-Key", BURST).exchange()
            .expectStatus().isOk()
            .expectHeader().valueEquals("RateLimit-Policy", "\"burst\";q=3;w=300")
            .expectHeader().value("RateLimit", v -> assertThat(v).startsWith("\"burst\";r="));
      }
      web.get().uri("/api/v1/quotes/IBM").header("X-API-Key", BURST).exchange()
          .expectStatus().isEqualTo(429)
          .expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON)
          .expectHeader().value(HttpHeaders.RETRY_AFTER, v -> assertThat(Long.parseLong(v)).isBetween(90L, 100L))
          .expectHeader().valueEquals("RateLimit-Policy", "\"burst\";q=3;w=300")
          .expectHeader().value("RateLimit", v -> assertThat(v).startsWith("\"burst\";r=0;t="))
          .expectBody()
          .jsonPath("$.status").isEqualTo(429)
          .jsonPath("$.code").isEqualTo("too-many-requests");
      assertThat(registry.get("quotegate.ratelimit.requests").tag("client", "burst").tag("outcome", "rejected")
          .counter().count()).isEqualTo(1);
      assertThat(registry.get("quotegate.ratelimit.tokens").tag("client", "burst").counter().count()).isEqualTo(3);
    }

    @Test
    void anonymousCallersShareOneBucketPerAddressAndABatchCostsMore() {
      // burst 2: a batch of 10 symbols costs 1 + 10/10 = 2 tokens, then the next request is refused
      web.get().uri("/api/v1/quotes?symbols=A,B,C,D,E,F,G,H,IBM,AAPL").exchange()
          .expectStatus().isOk()
          .expectHeader().valueEquals("RateLimit", "\"anonymous\";r=0;t=200");
      web.get().uri("/api/v1/quotes/AAPL").exchange()
          .expectStatus().isEqualTo(429)
          .expectHeader().exists(HttpHeaders.RETRY_AFTER);
    }

    @Test
    void everyAnswerCarriesTheSecurityHeaders() {
      for (String uri : new String[] {"/api/v1/quotes/AAPL?api_key=x", "/actuator/health", "/no/such/path", "/"}) {
        web.get().uri(uri).exchange()
            .expectHeader().valueEquals("X-Content-Type-Options", "nosniff")
            .expectHeader().valueEquals("Referrer-Policy", "no-referrer");
      }
      web.get().uri("/").exchange().expectHeader().exists("Content-Security-Policy");
    }
  }

  @Nested
  @SpringBootTest(
      webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
      properties = {
          "quotegate.simulator.port=0",
          "quotegate.admin.token=0perat0r",
          "quotegate.security.require-api-key=true",
          "quotegate.security.api-keys[0].id=alpha",
          "quotegate.security.api-keys[0].sha256=" + ALPHA_SHA,
      })
  @AutoConfigureWebTestClient
  class KeysRequired {
    @Autowired WebTestClient web;
    @Autowired ApplicationContext context;
    @LocalServerPort int port;

    @Test
    void noSpellingOfAnApiPathIsServedWithoutAKey() {
      List<String> served = new ArrayList<>();
      int routes = 0;
      for (Routes.Route route : Routes.all(context)) {
        if (!route.pattern().startsWith("/api/") || route.pattern().startsWith("/api/v1/admin")) {
          continue;
        }
        routes++;
        RawHttp.Reply plain = RawHttp.send(port, route.method(), route.concretePath(), null, "{}");
        if (plain.status() != 401) {
          served.add(route + " -> " + plain.status() + " (expected 401)");
        }
        for (String path : Routes.variants(route.concretePath())) {
          RawHttp.Reply reply = RawHttp.send(port, route.method(), path, null, "{}");
          if (reply.status() < 400 || reply.status() >= 500) {
            served.add(route.method() + " " + path + " -> " + reply.status());
          }
        }
      }
      assertThat(routes).as("API routes tried").isGreaterThan(10);
      assertThat(served).as("API paths answered without a key").isEmpty();
    }

    @Test
    void aRequestWithoutAKeyIsRefusedWith401AndAChallenge() {
      web.get().uri("/api/v1/quotes/AAPL").exchange()
          .expectStatus().isUnauthorized()
          .expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON)
          .expectHeader().valueEquals(HttpHeaders.WWW_AUTHENTICATE, "Bearer realm=\"quotegate\"")
          .expectBody().jsonPath("$.detail")
          .isEqualTo("an API key is required: send Authorization: Bearer <key> or X-API-Key: <key>");
      // admitted (the quote itself may be slow on a busy build machine: only admission is checked)
      web.get().uri("/api/v1/quotes/AAPL").header("X-API-Key", ALPHA).exchange()
          .expectStatus().value(s -> assertThat(s).as("status with a valid key").isNotIn(401, 403, 429))
          .expectHeader().valueEquals("RateLimit-Policy", "\"alpha\";q=400;w=4");
    }

    @Test
    void theOperatorsAdminTokenIsAcceptedAsTheKeyAdmin() {
      web.get().uri("/api/v1/quotes/AAPL").header(HttpHeaders.AUTHORIZATION, "Bearer 0perat0r").exchange()
          .expectStatus().value(s -> assertThat(s).as("status with the admin token").isNotIn(401, 403, 429))
          .expectHeader().valueEquals("RateLimit-Policy", "\"admin\";q=400;w=4");
      web.get().uri("/api/v1/quotes/AAPL").header(HttpHeaders.AUTHORIZATION, "Bearer 0perat0r-not").exchange()
          .expectStatus().isUnauthorized();
    }

    @Test
    void theDashboardPageAndHealthNeedNoKey() {
      web.get().uri("/").exchange().expectStatus().isOk();
      web.get().uri("/actuator/health").exchange().expectStatus().isOk()
          .expectBody().jsonPath("$.status").isEqualTo("UP").jsonPath("$.components").doesNotExist();
      for (String closed : new String[] {"/actuator/env", "/actuator/info", "/actuator/metrics", "/actuator/configprops",
          "/actuator/beans"}) {
        web.get().uri(closed).exchange().expectStatus().isNotFound();
      }
    }
  }
}
