package dev.quotegate.web;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quotegate.portfolio.PortfolioRequest;
import dev.quotegate.quote.QuoteBatchView;
import dev.quotegate.quote.QuoteView;
import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.webtestclient.autoconfigure.AutoConfigureWebTestClient;
import org.springframework.context.ApplicationContext;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.WebTestClient;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The OpenAPI document against the composed router: every route of {@link RouteTable} is in
 * {@code /v3/api-docs} with its method, a summary, its path variables and answers (problem+json
 * for errors), the API-key schemes are declared, and the UI is served.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@AutoConfigureWebTestClient
class ApiDocsWebTest {

  private static final Pattern VARIABLE = Pattern.compile("\\{([A-Za-z0-9_]+)}");

  @Autowired WebTestClient web;
  @Autowired ApplicationContext context;
  @Autowired JsonMapper json;

  private JsonNode document() {
    byte[] body = web.get().uri("/v3/api-docs").exchange()
        .expectStatus().isOk()
        .expectHeader().contentTypeCompatibleWith(MediaType.APPLICATION_JSON)
        .expectBody().returnResult().getResponseBody();
    return json.readTree(body);
  }

  @Test
  void documentListsEveryRouteOfTheComposedRouter() {
    JsonNode doc = document();
    assertThat(doc.path("openapi").asString()).startsWith("3.1");
    List<String> routes = RouteTable.of(context);
    assertThat(routes).as("the router has the API's routes").contains("GET /api/v1/quotes/{symbol}", "POST /api/v1/portfolio/valuation");
    List<String> missing = new ArrayList<>();
    for (String route : routes) {
      String method = route.substring(0, route.indexOf(' ')).toLowerCase(Locale.ROOT);
      String path = ApiDocs.openApiPath(route.substring(route.indexOf(' ') + 1));
      JsonNode op = doc.path("paths").path(path).path(method);
      if (op.isMissingNode() || op.has(ApiDocs.UNDOCUMENTED) || op.path("summary").asString("").isBlank()) {
        missing.add(route);
        continue;
      }
      assertThat(op.path("responses").size()).as("%s has answers", route).isPositive();
      Matcher m = VARIABLE.matcher(path);
      while (m.find()) {
        String name = m.group(1);
        boolean declared = false;
        for (JsonNode p : op.path("parameters")) {
          declared |= p.path("in").asString().equals("path") && p.path("name").asString().equals(name);
        }
        assertThat(declared).as("%s declares its path variable %s", route, name).isTrue();
      }
      if (path.startsWith("/api/")) {
        assertThat(problemStatuses(doc, op)).as("%s documents its problem answers", route).isNotEmpty();
      }
    }
    assertThat(missing).as("routes of the composed router missing from /v3/api-docs (add them to web/ApiDocs)").isEmpty();
  }

  @Test
  void documentsParametersBodiesAndProblems() {
    JsonNode doc = document();
    JsonNode quotes = doc.path("paths").path("/api/v1/quotes").path("get");
    assertThat(quotes.path("parameters").findValuesAsString("name")).contains("symbols", "If-None-Match");
    assertThat(problemStatuses(doc, quotes)).contains("400", "429", "503", "504");
    JsonNode valuation = doc.path("paths").path("/api/v1/portfolio/valuation").path("post");
    assertThat(valuation.at("/requestBody/content/application~1json/schema/$ref").asString())
        .isEqualTo("#/components/schemas/PortfolioRequest");
    assertThat(problemStatuses(doc, valuation)).contains("400", "413", "415");
    assertThat(doc.at("/components/schemas/Problem/properties").propertyNames()).contains("type", "title", "status", "detail", "invalidParams");
    assertThat(doc.at("/paths/~1api~1v1~1admin~1cache/get/security/0").propertyNames()).containsExactly(ApiDocs.ADMIN);
  }

  @Test
  void servesTheDocumentBuiltAtStartUpInAnyLanguage() {
    // A build on an event loop would be a BlockHound error (a 500): the document was built at
    // start-up, and another Accept-Language must not start a second build.
    web.get().uri("/v3/api-docs").header(HttpHeaders.ACCEPT_LANGUAGE, "fr-FR").exchange()
        .expectStatus().isOk()
        .expectBody().jsonPath("$.paths['/api/v1/quotes'].get.summary").isEqualTo("Several quotes");
    web.head().uri("/v3/api-docs").exchange().expectStatus().isOk();
  }

  @Test
  void handWrittenSchemasHaveTheFieldsOfTheRecordsTheyDescribe() {
    JsonNode schemas = document().at("/components/schemas");
    Map<String, Class<?>> described = Map.of(
        "Quote", QuoteView.class, "QuoteBatch", QuoteBatchView.class, "SymbolError", QuoteBatchView.SymbolError.class,
        "PortfolioRequest", PortfolioRequest.class, "Holding", PortfolioRequest.Holding.class);
    described.forEach((name, type) -> assertThat(schemas.path(name).path("properties").propertyNames())
        .as("schema %s against %s", name, type.getSimpleName())
        .containsExactlyInAnyOrderElementsOf(
            Arrays.stream(type.getRecordComponents()).map(RecordComponent::getName).toList()));
  }

  @Test
  void declaresTheApiKeySchemes() {
    JsonNode schemes = document().at("/components/securitySchemes");
    assertThat(schemes.at("/apiKey/type").asString()).isEqualTo("apiKey");
    assertThat(schemes.at("/apiKey/in").asString()).isEqualTo("header");
    assertThat(schemes.at("/apiKey/name").asString()).isEqualTo("X-API-Key");
    assertThat(schemes.at("/bearer/type").asString()).isEqualTo("http");
    assertThat(schemes.at("/bearer/scheme").asString()).isEqualTo("bearer");
  }

  @Test
  void servesTheUiFromTheWebJarPointingAtTheDocument() {
    String location = web.get().uri("/swagger-ui.html").exchange()
        .expectStatus().isFound()
        .returnResult(Void.class).getResponseHeaders().getFirst(HttpHeaders.LOCATION);
    assertThat(location).isEqualTo("/swagger-ui/index.html");
    String html = web.get().uri(location).exchange()
        .expectStatus().isOk()
        .expectHeader().contentType("text/html;charset=utf-8")
        .expectBody(String.class).returnResult().getResponseBody();
    assertThat(html).contains("swagger-ui-bundle.js", "swagger-initializer.js");
    for (String file : ApiDocsConfiguration.UI_FILES) {
      web.get().uri("/swagger-ui/" + file).exchange().expectStatus().isOk();
    }
    web.get().uri("/swagger-ui/swagger-initializer.js").exchange()
        .expectStatus().isOk()
        .expectBody(String.class).value(js -> assertThat(js).contains("url: \"/v3/api-docs\""));
    web.get().uri("/swagger-ui/nope.js").exchange()
        .expectStatus().isNotFound().expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON);
  }

  /** The statuses of {@code op}'s answers that are problem+json (inline or by reference). */
  private static List<String> problemStatuses(JsonNode doc, JsonNode op) {
    List<String> out = new ArrayList<>();
    for (String status : op.path("responses").propertyNames()) {
      JsonNode r = op.path("responses").path(status);
      String ref = r.path("$ref").asString("");
      if (!ref.isEmpty()) {
        r = doc.at(ref.substring(1));
      }
      if (r.path("content").has(ApiDocs.PROBLEM_JSON)) {
        out.add(status);
      }
    }
    return out;
  }
}
