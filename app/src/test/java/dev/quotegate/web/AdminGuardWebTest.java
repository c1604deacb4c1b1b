package dev.quotegate.web;

import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.webtestclient.autoconfigure.AutoConfigureWebTestClient;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.WebTestClient;

class AdminGuardWebTest {

  @Nested
  @SpringBootTest(
      webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
      properties = {"quotegate.simulator.port=0"})
  @AutoConfigureWebTestClient
  class WithoutToken {
    @Autowired WebTestClient web;

    @Test
    void adminEndpointsAreOffWithoutAConfiguredToken() {
      web.get().uri("/api/v1/admin/anything").header(HttpHeaders.AUTHORIZATION, "Bearer x").exchange()
          .expectStatus().isNotFound()
          .expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON);
    }
  }

  @Nested
  @SpringBootTest(
      webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
      properties = {"quotegate.simulator.port=0", "quotegate.admin.token=s3cret"})
  @AutoConfigureWebTestClient
  class WithToken {
    @Autowired WebTestClient web;

    @Test
    void rejectsMissingOrWrongTokenWith401() {
      web.get().uri("/api/v1/admin/anything").exchange()
          .expectStatus().isUnauthorized()
          .expectHeader().exists(HttpHeaders.WWW_AUTHENTICATE)
          .expectBody().jsonPath("$.detail").isEqualTo("missing or wrong bearer token");
      web.get().uri("/api/v1/admin/anything").header(HttpHeaders.AUTHORIZATION, "Bearer wrong").exchange()
          .expectStatus().isUnauthorized();
    }

    @Test
    void letsTheRightTokenThrough() {
      // no admin route exists at this path: past the guard, the router answers 404
      web.get().uri("/api/v1/admin/anything").header(HttpHeaders.AUTHORIZATION, "Bearer s3cret").exchange()
          .expectStatus().isNotFound()
          .expectBody().jsonPath("$.detail").value(d -> org.assertj.core.api.Assertions.assertThat((String) d).doesNotContain("admin endpoints are off"));
    }
  }
}
