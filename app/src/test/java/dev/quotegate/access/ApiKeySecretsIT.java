package dev.quotegate.access;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.webtestclient.autoconfigure.AutoConfigureWebTestClient;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.EntityExchangeResult;
import org.springframework.test.web.reactive.server.WebTestClient;

/**
 * No key material anywhere: after requests with a valid key in every accepted form, an unknown
 * key, a misplaced query key and a rate-limited key, neither a key nor its configured SHA-256
 * appears in any log line (the application's loggers at DEBUG), problem body, response header,
 * metric ({@code /actuator/prometheus}), health answer (with details) or admin answer.
 */
@SpringBootTest(
    webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
    properties = {
        "quotegate.simulator.port=0",
        "quotegate.admin.token=adm1n-t0ken",
        "logging.level.dev.quotegate=DEBUG",
        "quotegate.security.api-keys[0].id=leak-check",
        "quotegate.security.api-keys[0].sha256=" + ApiKeySecretsIT.GOOD_SHA,
        "quotegate.security.api-keys[1].id=tiny",
        "quotegate.security.api-keys[1].sha256=" + ApiKeySecretsIT.TINY_SHA,
        "quotegate.security.api-keys[1].burst=1",
        "quotegate.security.api-keys[1].requests-per-second=0.01",
    })
@AutoConfigureWebTestClient
@ExtendWith(OutputCaptureExtension.class)
class ApiKeySecretsIT {

  static final String GOOD = "qgk-LEAKCHECK-9d41b7e0c2";
  static final String GOOD_SHA = "6e815daed4ecda6400dd1e20edacb31f66543ba6628237b462725e11a975a55e";
  static final String TINY = "qgk-TINYBUCKET-51c0e9a7d3";
  static final String TINY_SHA = "b480cce4b4ea9b376a4f54f454fa8aa3b40b59a62eb267f27a0f7ae3325aeae1";
  static final String WRONG = "qgk-NOTOURS-77aa01be3f";

  @Autowired WebTestClient web;

  @org.junit.jupiter.api.BeforeEach
  void wholeScrapes() {
    // a Prometheus scrape of the whole application is larger than the client's 256 KB default
    web = web.mutate().codecs(c -> c.defaultCodecs().maxInMemorySize(16 << 20)).build();
  }

  @Test
  void noKeyOrKeyHashInLogsProblemsMetricsHealthOrAdminAnswers(CapturedOutput output) {
    assertThat(ApiKeys.sha256(GOOD)).as("GOOD_SHA is the SHA-256 of GOOD").isEqualTo(GOOD_SHA);
    assertThat(ApiKeys.sha256(TINY)).as("TINY_SHA is the SHA-256 of TINY").isEqualTo(TINY_SHA);
    List<String> answers = new ArrayList<>();
    answers.add(text(web.get().uri("/api/v1/quotes/AAPL").header(HttpHeaders.AUTHORIZATION, "Bearer " + GOOD).exchange()
        .expectStatus().isOk().expectBody(String.class).returnResult()));
    answers.add(text(web.get().uri("/api/v1/quotes?symbols=AAPL,MSFT").header("X-API-Key", GOOD).exchange()
        .expectStatus().isOk().expectBody(String.class).returnResult()));
    answers.add(text(web.get().uri("/api/v1/quotes/AAPL").header("X-API-Key", WRONG).exchange()
        .expectStatus().isUnauthorized().expectBody(String.class).returnResult()));
    answers.add(text(web.get().uri("/api/v1/quotes/AAPL").header(HttpHeaders.AUTHORIZATION, "Basic " + WRONG).exchange()
        .expectStatus().isUnauthorized().expectBody(String.class).returnResult()));
    answers.add(text(web.get().uri("/api/v1/quotes/AAPL?api_key=" + GOOD).exchange()
        .expectStatus().isUnauthorized().expectBody(String.class).returnResult()));
    answers.add(text(web.get().uri("/api/v1/quotes/AAPL").header("X-API-Key", GOOD).header(HttpHeaders.AUTHORIZATION, "Bearer " + TINY)
        .exchange().expectStatus().isUnauthorized().expectBody(String.class).returnResult()));
    answers.add(text(web.get().uri("/api/v1/quotes/AAPL").header("X-API-Key", TINY).exchange()
        .expectStatus().isOk().expectBody(String.class).returnResult()));
    answers.add(text(web.get().uri("/api/v1/quotes/AAPL").header("X-API-Key", TINY).exchange()
        .expectStatus().isEqualTo(429).expectBody(String.class).returnResult()));
    String event = web.get().uri("/api/v1/stream/quotes?symbols=AAPL&api_key=" + GOOD).accept(MediaType.TEXT_EVENT_STREAM)
        .exchange().expectStatus().isOk().returnResult(String.class).getResponseBody().take(1).blockLast(Duration.ofSeconds(20));
    answers.add(event);
    answers.add(admin("/actuator/prometheus"));
    answers.add(admin("/actuator/health"));
    answers.add(admin("/api/v1/admin/cache"));
    answers.add(text(web.get().uri("/dashboard/features").exchange().expectBody(String.class).returnResult()));
    answers.add(text(web.get().uri("/actuator/health").exchange().expectBody(String.class).returnResult()));

    assertThat(answers.get(9)).as("the key id is what metrics name").contains("client=\"leak-check\"");
    for (String secret : List.of(GOOD, TINY, WRONG, GOOD_SHA, TINY_SHA, ApiKeys.sha256(WRONG))) {
      assertThat(output.getAll()).as("log lines").doesNotContain(secret);
      for (String a : answers) {
        assertThat(a).as("an answer").doesNotContain(secret);
      }
    }
  }

  private String admin(String uri) {
    return text(web.get().uri(uri).header(HttpHeaders.AUTHORIZATION, "Bearer adm1n-t0ken").exchange()
        .expectStatus().isOk().expectBody(String.class).returnResult());
  }

  private static String text(EntityExchangeResult<String> r) {
    return r.getResponseHeaders() + "\n" + r.getResponseBody();
  }
}
