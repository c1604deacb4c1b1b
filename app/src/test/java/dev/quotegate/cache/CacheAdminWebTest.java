package dev.quotegate.cache;

import dev.quotegate.testsupport.FakeQuoteProvider;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.webtestclient.autoconfigure.AutoConfigureWebTestClient;
import org.springframework.context.annotation.Bean;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.WebTestClient;

/** The cache admin endpoints of a gateway without Redis (L1 only), behind the admin token. */
@SpringBootTest(
    webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
    properties = {
      "quotegate.simulator.enabled=false",
      "quotegate.providers.sim.enabled=false",
      "quotegate.quotes.batch-window=2ms",
      "quotegate.admin.token=adm1n"
    })
@AutoConfigureWebTestClient
class CacheAdminWebTest {

  @TestConfiguration
  static class Config {
    @Bean
    FakeQuoteProvider fakeQuoteProvider() {
      return new FakeQuoteProvider(20, "AAPL", "AMZN", "MSFT");
    }
  }

  @Autowired WebTestClient web;

  private WebTestClient.RequestHeadersSpec<?> admin(WebTestClient.RequestHeadersSpec<?> spec) {
    return spec.header(HttpHeaders.AUTHORIZATION, "Bearer adm1n");
  }

  @Test
  void statsNeedTheAdminToken() {
    web.get().uri("/api/v1/admin/cache").exchange().expectStatus().isUnauthorized();
    web.delete().uri("/api/v1/admin/cache?kind=quote&pattern=*").exchange().expectStatus().isUnauthorized();
  }

  @Test
  void statsShowL1SizesAndHitRatesAndRedisOff() {
    web.get().uri("/api/v1/quotes/MSFT").exchange().expectStatus().isOk();
    web.get().uri("/api/v1/quotes/MSFT").exchange().expectStatus().isOk();
    admin(web.get().uri("/api/v1/admin/cache")).exchange()
        .expectStatus().isOk()
        .expectHeader().contentType(MediaType.APPLICATION_JSON)
        .expectBody()
        .jsonPath("$.redis.enabled").isEqualTo(false)
        .jsonPath("$.kinds[0].kind").isEqualTo("quote")
        .jsonPath("$.kinds[0].l1.size").isNumber()
        .jsonPath("$.kinds[0].l1.fresh").value(v -> org.assertj.core.api.Assertions.assertThat(((Number) v).longValue()).isPositive())
        .jsonPath("$.kinds[0].l1.hitRate").isNumber()
        .jsonPath("$.kinds[0].l2").doesNotExist();
  }

  @Test
  void evictsMatchingSymbolsFromL1SoTheNextRequestGoesUpstream() {
    web.get().uri("/api/v1/quotes?symbols=AAPL,AMZN,MSFT").exchange().expectStatus().isOk();
    admin(web.delete().uri("/api/v1/admin/cache?kind=quote&pattern=A*")).exchange()
        .expectStatus().isOk()
        .expectBody()
        .jsonPath("$.kind").isEqualTo("quote")
        .jsonPath("$.pattern").isEqualTo("A*")
        .jsonPath("$.l1Evicted").isEqualTo(2)
        .jsonPath("$.l2Evicted").isEqualTo(0);
    web.get().uri("/api/v1/quotes/AAPL").exchange()
        .expectStatus().isOk()
        .expectHeader().valueMatches("Server-Timing", "cache;desc=miss.*");
    web.get().uri("/api/v1/quotes/MSFT").exchange()
        .expectStatus().isOk()
        .expectHeader().valueMatches("Server-Timing", "cache;desc=hit.*");
  }

  @Test
  void badKindPatternOrTierIsA400NamingTheField() {
    admin(web.delete().uri("/api/v1/admin/cache?kind=pizza&pattern=A*")).exchange()
        .expectStatus().isBadRequest()
        .expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON)
        .expectBody().jsonPath("$.detail").value(d -> org.assertj.core.api.Assertions.assertThat((String) d).startsWith("kind"));
    admin(web.delete().uri("/api/v1/admin/cache?kind=quote&pattern={p}", "A B")).exchange()
        .expectStatus().isBadRequest()
        .expectBody().jsonPath("$.detail").value(d -> org.assertj.core.api.Assertions.assertThat((String) d).startsWith("pattern"));
    admin(web.delete().uri("/api/v1/admin/cache?kind=quote")).exchange()
        .expectStatus().isBadRequest();
    admin(web.delete().uri("/api/v1/admin/cache?kind=quote&pattern=A*&tier=l3")).exchange()
        .expectStatus().isBadRequest()
        .expectBody().jsonPath("$.detail").value(d -> org.assertj.core.api.Assertions.assertThat((String) d).startsWith("tier"));
  }

  @Test
  void anUnknownKindIsA400NamingIt() {
    admin(web.delete().uri("/api/v1/admin/cache?kind=bars&pattern=*")).exchange().expectStatus().isBadRequest()
        .expectBody().jsonPath("$.invalidParams[0].name").isEqualTo("kind");
  }
}
