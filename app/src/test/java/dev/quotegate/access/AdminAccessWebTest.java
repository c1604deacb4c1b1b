package dev.quotegate.access;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quotegate.testsupport.RawHttp;
import dev.quotegate.testsupport.Routes;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.boot.webtestclient.autoconfigure.AutoConfigureWebTestClient;
import org.springframework.context.ApplicationContext;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.WebTestClient;

/**
 * Operator routes are authorised on the route the router matched: every spelling of an admin
 * path that the router resolves to an admin handler is refused without the token, and every
 * other spelling is refused before routing. Requests go out byte for byte as written (a raw
 * socket, like {@code curl --path-as-is}), so no client normalises them first.
 */
class AdminAccessWebTest {

  @Nested
  @SpringBootTest(
      webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
      properties = {"quotegate.simulator.port=0"})
  @AutoConfigureWebTestClient
  class WithoutToken {
    @Autowired WebTestClient web;
    @Autowired ApplicationContext context;
    @LocalServerPort int port;

    @Test
    void adminEndpointsAreOffWithoutAConfiguredToken() {
      web.get().uri("/api/v1/admin/cache").header(HttpHeaders.AUTHORIZATION, "Bearer x").exchange()
          .expectStatus().isNotFound()
          .expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON)
          .expectBody().jsonPath("$.detail").isEqualTo("admin endpoints are off: set quotegate.admin.token");
    }

    @Test
    void noSpellingOfAnAdminPathReachesItsHandler() {
      List<String> served = new ArrayList<>();
      for (Routes.Route route : Routes.admin(context)) {
        for (String path : Routes.variants(route.concretePath())) {
          RawHttp.Reply reply = RawHttp.send(port, route.method(), path, null, "{}");
          if (reply.status() < 400 || reply.status() >= 500) {
            served.add(route.method() + " " + path + " -> " + reply.status());
          }
        }
      }
      assertThat(served).as("admin paths answered without the routes being on").isEmpty();
    }
  }

  @Nested
  @SpringBootTest(
      webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
      properties = {"quotegate.simulator.port=0", "quotegate.admin.token=s3cret"})
  @AutoConfigureWebTestClient
  class WithToken {
    @Autowired WebTestClient web;
    @Autowired ApplicationContext context;
    @LocalServerPort int port;

    @Test
    void everyAdminRouteRefusesMissingOrWrongTokenWith401() {
      List<Routes.Route> routes = Routes.admin(context);
      assertThat(routes).as("admin routes found in the router").hasSizeGreaterThanOrEqualTo(6);
      for (Routes.Route route : routes) {
        RawHttp.Reply none = RawHttp.send(port, route.method(), route.concretePath(), null, "{}");
        assertThat(none.status()).as(route + " without a token").isEqualTo(401);
        assertThat(none.header("www-authenticate")).as(route + " challenge").startsWith("Bearer");
        assertThat(none.body()).contains("missing or wrong bearer token");
        RawHttp.Reply wrong = RawHttp.send(port, route.method(), route.concretePath(), "Bearer wrong", "{}");
        assertThat(wrong.status()).as(route + " with a wrong token").isEqualTo(401);
      }
    }

    @Test
    void noSpellingOfAnAdminPathGetsPastTheGuardWithoutTheToken() {
      List<String> served = new ArrayList<>();
      for (Routes.Route route : Routes.admin(context)) {
        for (String path : Routes.variants(route.concretePath())) {
          RawHttp.Reply reply = RawHttp.send(port, route.method(), path, null, "{}");
          // 400 (refused spelling), 401 (matched an admin route, no token), 404/405 (no route)
          if (reply.status() < 400 || reply.status() >= 500) {
            served.add(route.method() + " " + path + " -> " + reply.status());
          }
        }
      }
      assertThat(served).as("admin paths served without a token").isEmpty();
      // and nothing happened: no ingest job was started by any of them
      web.get().uri("/api/v1/admin/history/ingest").header(HttpHeaders.AUTHORIZATION, "Bearer s3cret").exchange()
          .expectStatus().isOk()
          .expectBody().jsonPath("$.jobs.length()").isEqualTo(0);
    }

    @Test
    void matrixParametersAndEncodedSeparatorsAreRefusedBeforeRouting() {
      for (String path : List.of("/api/v1/admin;x/cache", "/api;x/v1/admin/cache", "/api/v1/admin%2Fcache",
          "/api/v1//admin/cache", "/api/v1/./admin/cache", "/api/v1/x/../admin/cache", "/api/v1/quotes/AAPL;x",
          "/api/v1/quotes/%2E%2E")) {
        RawHttp.Reply reply = RawHttp.send(port, "GET", path, "Bearer s3cret", null);
        assertThat(reply.status()).as(path).isEqualTo(400);
        assertThat(reply.body()).as(path).contains("\"name\":\"path\"");
      }
    }

    @Test
    void percentEncodedLettersReachTheGuardOfTheRouteTheyMatch() {
      RawHttp.Reply reply = RawHttp.send(port, "GET", "/api/v1/%61dmin/cache", null, null);
      assertThat(reply.status()).isEqualTo(401);
      RawHttp.Reply ok = RawHttp.send(port, "GET", "/api/v1/%61dmin/cache", "Bearer s3cret", null);
      assertThat(ok.status()).isEqualTo(200);
    }

    @Test
    void letsTheRightTokenThrough() {
      web.get().uri("/api/v1/admin/cache").header(HttpHeaders.AUTHORIZATION, "Bearer s3cret").exchange()
          .expectStatus().isOk();
      // no admin route at this path: the router answers 404, and says nothing of the guard
      web.get().uri("/api/v1/admin/anything").header(HttpHeaders.AUTHORIZATION, "Bearer s3cret").exchange()
          .expectStatus().isNotFound()
          .expectBody().jsonPath("$.detail").value(d -> assertThat((String) d).doesNotContain("admin endpoints are off"));
    }
  }
}
