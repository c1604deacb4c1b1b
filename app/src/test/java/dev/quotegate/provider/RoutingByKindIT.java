package dev.quotegate.provider;

import static dev.quotegate.testsupport.FixtureServer.fixture;
import static dev.quotegate.testsupport.FixtureServer.json;

import dev.quotegate.testsupport.FixtureServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.webtestclient.autoconfigure.AutoConfigureWebTestClient;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.reactive.server.WebTestClient;

/**
 * Each kind of data follows its own routing chain: with only {@code quotegate.routing.profile}
 * pointing at Yahoo (served by a local fixture server), profiles come from Yahoo while quotes
 * still come from the embedded simulator over HTTP/2.
 */
@SpringBootTest(
    webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
    properties = {
      "quotegate.simulator.port=0",
      "quotegate.routing.profile=yahoo",
      "quotegate.routing.quotes=sim",
      "quotegate.routing.bars=sim",
      "quotegate.routing.news=sim",
      "quotegate.routing.search=sim"
    })
@AutoConfigureWebTestClient
class RoutingByKindIT {

  static final FixtureServer YAHOO = FixtureServer.start()
      .on("/cookie", json(404, "{}").header("Set-Cookie", "A3=d=AQAB; Path=/"))
      .on("/v1/test/getcrumb", fixture(200, "yahoo/crumb.txt"))
      .on("/v10/finance/quoteSummary/AAPL", fixture(200, "yahoo/quote-summary.json"));

  @DynamicPropertySource
  static void yahoo(DynamicPropertyRegistry r) {
    r.add("quotegate.providers.yahoo.enabled", () -> "true");
    r.add("quotegate.providers.yahoo.base-url", () -> YAHOO.baseUrl("").toString());
    r.add("quotegate.providers.yahoo.cookie-url", () -> YAHOO.baseUrl("/cookie").toString());
  }

  @AfterAll
  static void stop() {
    YAHOO.close();
  }

  @Autowired WebTestClient web;

  @Test
  void profilesFollowTheProfileChainAndQuotesTheirOwn() {
    web.get().uri("/api/v1/profiles/AAPL").exchange()
        .expectStatus().isOk()
        .expectBody()
        .jsonPath("$.source").isEqualTo("yahoo")
        .jsonPath("$.sector").isEqualTo("Technology");
    web.get().uri("/api/v1/quotes/AAPL").exchange()
        .expectStatus().isOk()
        .expectBody().jsonPath("$.source").isEqualTo("sim");
    web.get().uri("/api/v1/news/AAPL").exchange()
        .expectStatus().isOk()
        .expectBody().jsonPath("$.news[0].source").isEqualTo("sim");
  }
}
