package dev.quotegate.web;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.zip.GZIPInputStream;
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
import org.springframework.web.reactive.function.server.support.RouterFunctionMapping;

/**
 * The dashboard's files as the gateway serves them: the page's Content-Security-Policy and
 * security headers, strong ETags with 304s, a gzip variant with its own validator, 404 problems
 * for unknown files, the list of API routes the page reads instead of probing, the page's routes
 * ordered after every API route, and none of it with {@code quotegate.dashboard.enabled=false}.
 */
class DashboardWebTest {

  @Nested
  @SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {"quotegate.simulator.port=0"})
  @AutoConfigureWebTestClient
  class Enabled {
    @Autowired WebTestClient web;
    @Autowired ApplicationContext context;
    @LocalServerPort int port;

    @Test
    void servesThePageWithItsContentSecurityPolicyAndSecurityHeaders() {
      String html = web.get().uri("/").exchange()
          .expectStatus().isOk()
          .expectHeader().contentType("text/html;charset=utf-8")
          .expectHeader().valueEquals("Content-Security-Policy", DashboardConfiguration.CSP)
          .expectHeader().valueEquals("X-Content-Type-Options", "nosniff")
          .expectHeader().valueEquals("Referrer-Policy", "no-referrer")
          .expectHeader().valueEquals(HttpHeaders.CACHE_CONTROL, "no-cache")
          .expectBody(String.class).returnResult().getResponseBody();
      assertThat(html).contains("<script type=\"module\" src=\"/assets/dashboard.js\"></script>");
      assertThat(html).as("no inline script or style: the CSP allows neither")
          .doesNotContainPattern("<script(?![^>]*\\ssrc=)[^>]*>").doesNotContain("style=").doesNotContain("<style");
      web.get().uri("/ops").exchange().expectStatus().isOk().expectHeader().valueEquals("Content-Security-Policy", DashboardConfiguration.CSP);
    }

    @Test
    void answersNotModifiedForItsETagAndGzipWithAValidatorOfItsOwn() throws IOException, InterruptedException {
      HttpHeaders plain = web.get().uri("/assets/dashboard.js").exchange()
          .expectStatus().isOk().expectHeader().contentType("text/javascript;charset=utf-8")
          .expectBody().returnResult().getResponseHeaders();
      String etag = plain.getETag();
      assertThat(etag).startsWith("\"").doesNotStartWith("W/");
      web.get().uri("/assets/dashboard.js").header(HttpHeaders.IF_NONE_MATCH, etag).exchange()
          .expectStatus().isNotModified().expectHeader().valueEquals(HttpHeaders.ETAG, etag);

      // The JDK client leaves the body compressed (WebTestClient's would inflate it). HTTP/1.1:
      // the JDK client's h2c upgrade now and then stalls on a body that follows the 101 in the
      // same read (docs/operations.md); browsers never upgrade to h2c.
      HttpResponse<byte[]> gz = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(10)).build().send(
          HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/assets/vendor/uPlot.iife.min.js"))
              .timeout(Duration.ofSeconds(30)).header(HttpHeaders.ACCEPT_ENCODING, "gzip").build(),
          HttpResponse.BodyHandlers.ofByteArray());
      assertThat(gz.statusCode()).isEqualTo(200);
      assertThat(gz.headers().firstValue(HttpHeaders.CONTENT_ENCODING)).hasValue("gzip");
      assertThat(gz.headers().firstValue(HttpHeaders.VARY)).hasValue(HttpHeaders.ACCEPT_ENCODING);
      assertThat(gz.headers().firstValue(HttpHeaders.ETAG)).hasValueSatisfying(v -> assertThat(v).endsWith(".gz\"").isNotEqualTo(etag));
      String js;
      try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(gz.body()))) {
        js = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      }
      assertThat(js).as("uPlot from its WebJar").contains("uPlot");
      web.get().uri("/assets/vendor/uPlot.iife.min.js").header(HttpHeaders.ACCEPT_ENCODING, "gzip;q=0").exchange()
          .expectStatus().isOk().expectHeader().doesNotExist(HttpHeaders.CONTENT_ENCODING);
    }

    @Test
    void unknownFilesAreProblems() {
      web.get().uri("/assets/nope.js").exchange()
          .expectStatus().isNotFound().expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON);
    }

    @Test
    void listsTheApiRoutesThePageMayUseWithoutAdminRoutes() {
      web.get().uri("/dashboard/features").exchange()
          .expectStatus().isOk()
          .expectBody()
          .jsonPath("$.routes[?(@ == 'GET /api/v1/quotes')]").exists()
          .jsonPath("$.routes[?(@ == 'POST /api/v1/portfolio/valuation')]").exists()
          .jsonPath("$.routes[?(@ =~ /.*admin.*/)]").doesNotExist()
          .jsonPath("$.admin").isEqualTo(false);
    }

    @Test
    void pageRoutesComeAfterEveryApiRoute() {
      RouterFunctionMapping mapping = context.getBean("routerFunctionMapping", RouterFunctionMapping.class);
      List<String> routes = RouteTable.of(mapping.getRouterFunction());
      int firstPage = routes.indexOf("GET /");
      int lastApi = -1;
      for (int i = 0; i < routes.size(); i++) {
        if (routes.get(i).contains(" /api/")) {
          lastApi = i;
        }
      }
      assertThat(firstPage).as("the page's route is there").isPositive();
      assertThat(firstPage).as("an API request never evaluates the page's predicates: %s", routes).isGreaterThan(lastApi);
    }
  }

  @Nested
  @SpringBootTest(
      webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
      properties = {"quotegate.simulator.port=0", "quotegate.dashboard.enabled=false"})
  @AutoConfigureWebTestClient
  class Disabled {
    @Autowired WebTestClient web;

    @Test
    void noPageWhenTurnedOff() {
      web.get().uri("/").exchange().expectStatus().isNotFound();
      web.get().uri("/assets/dashboard.js").exchange().expectStatus().isNotFound();
      web.get().uri("/api/v1/quotes/AAPL").exchange().expectStatus().isOk();
    }
  }
}
