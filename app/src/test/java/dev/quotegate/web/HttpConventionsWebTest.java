package dev.quotegate.web;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.boot.webtestclient.autoconfigure.AutoConfigureWebTestClient;
import org.springframework.context.ApplicationContext;
import org.springframework.http.HttpHeaders;
import org.springframework.test.web.reactive.server.EntityExchangeResult;
import org.springframework.test.web.reactive.server.FluxExchangeResult;
import org.springframework.test.web.reactive.server.WebTestClient;
import reactor.netty.http.HttpProtocol;

/**
 * HTTP conventions over every GET route of the composed router ({@link RouteTable}): HEAD
 * answers with the GET's status and headers and no body; gzip answers vary on
 * Accept-Encoding and carry a validator of their own, and If-None-Match matches either form.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@AutoConfigureWebTestClient
class HttpConventionsWebTest {

  /** Query strings a route needs to answer 200; routes not named here are called without one. */
  static final Map<String, String> QUERIES = Map.of(
      "/api/v1/quotes", "?symbols=AAPL,MSFT",
      "/api/v1/news", "?symbols=AAPL,MSFT",
      "/api/v1/signals", "?symbols=AAPL",
      "/api/v1/stream/quotes", "?symbols=AAPL",
      "/api/v1/search", "?q=app",
      "/api/v1/history/{symbol}", "?range=5d",
      "/api/v1/indicators/{symbol}", "?range=1mo&sma=5",
      "/api/v1/charts/{symbol}", "?periods=1D,1M");

  /** Paths served outside the router (annotated endpoints) that follow the same rules. */
  static final List<String> OTHER_GETS = List.of("/v3/api-docs", "/actuator/health", "/actuator/prometheus");

  static final String MANY = "AAPL,MSFT,NVDA,AMZN,GOOGL,GOOG,META,TSLA,BRK.B,JPM,V,MA,UNH,XOM,JNJ,WMT,PG,HD,COST,AVGO";

  @Autowired WebTestClient web;
  @Autowired ApplicationContext context;
  @LocalServerPort int port;
  // HTTP/1.1: the JDK client's h2c upgrade now and then stalls on a body that follows the 101
  // in the same read (docs/operations.md).
  final HttpClient jdk = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(10)).build();

  @BeforeEach
  void patience() {
    // A connection per request (no pool): a cancelled stream's connection is never reused.
    web = WebTestClient
        .bindToServer(new org.springframework.http.client.reactive.ReactorClientHttpConnector(
            reactor.netty.http.client.HttpClient.newConnection()))
        .baseUrl("http://127.0.0.1:" + port)
        .responseTimeout(Duration.ofSeconds(120))
        .build();
  }

  /** Every GET route's pattern with its variables filled in and the query it needs. */
  List<String> getUrls() {
    List<String> urls = new ArrayList<>();
    for (String route : RouteTable.of(context)) {
      if (!route.startsWith("GET ")) {
        continue;
      }
      String pattern = route.substring(4);
      String path = pattern
          .replace("/assets/**", "/assets/dashboard.js")
          .replace("/swagger-ui/{file}", "/swagger-ui/index.html")
          .replace("{symbol}", "AAPL")
          .replaceAll("\\{[^}]+}", "x1");
      urls.add(path + QUERIES.getOrDefault(pattern, ""));
    }
    urls.addAll(OTHER_GETS);
    return urls;
  }

  /**
   * The most freshness docs/api.md (and the docs it links) documents for each value route: its
   * max-age may be anything up to this. A new GET route under /api/v1 must be added here.
   */
  static final Map<String, Duration> DOCUMENTED_FRESHNESS = Map.ofEntries(
      Map.entry("/api/v1/quotes/{symbol}", Duration.ofSeconds(60)), // ttl-market-open 5s, -closed 60s
      Map.entry("/api/v1/quotes", Duration.ofSeconds(60)),
      Map.entry("/api/v1/profiles/{symbol}", Duration.ofHours(6)),
      Map.entry("/api/v1/news/{symbol}", Duration.ofMinutes(5)),
      Map.entry("/api/v1/news", Duration.ofMinutes(1)),
      Map.entry("/api/v1/search", Duration.ofMinutes(10)),
      Map.entry("/api/v1/movers", Duration.ofSeconds(60)), // the snapshot's least fresh quote
      Map.entry("/api/v1/sectors", Duration.ofSeconds(60)),
      Map.entry("/api/v1/signals", Duration.ofSeconds(5)),
      Map.entry("/api/v1/history/{symbol}", Duration.ofDays(1)), // until validUntil, at most settled-max-age
      Map.entry("/api/v1/charts/{symbol}", Duration.ofDays(1)),
      Map.entry("/api/v1/indicators/{symbol}", Duration.ofDays(1)));

  /**
   * Routes that are not values with freshness: streams, operators' endpoints, and the dashboard
   * summary (an aggregate answered no-cache whose quotes carry their age, so no two answers
   * are byte-equal).
   */
  static boolean isValueRoute(String pattern) {
    return pattern.startsWith("/api/v1/") && !pattern.startsWith("/api/v1/stream/") && !pattern.startsWith("/api/v1/admin/")
        && !pattern.equals("/api/v1/dashboard");
  }

  /** A bad request per value route, and the parameter its problem must name. */
  static final Map<String, String[]> BAD_INPUT = Map.ofEntries(
      Map.entry("/api/v1/news", new String[] {"/api/v1/news", "symbols"}),
      Map.entry("/api/v1/signals", new String[] {"/api/v1/signals", "symbols"}),
      Map.entry("/api/v1/quotes/{symbol}", new String[] {"/api/v1/quotes/ABCDEFGHIJKLMNOPQ", "symbol"}),
      Map.entry("/api/v1/quotes", new String[] {"/api/v1/quotes", "symbols"}),
      Map.entry("/api/v1/profiles/{symbol}", new String[] {"/api/v1/profiles/ABCDEFGHIJKLMNOPQ", "symbol"}),
      Map.entry("/api/v1/news/{symbol}", new String[] {"/api/v1/news/AAPL?limit=0", "limit"}),
      Map.entry("/api/v1/search", new String[] {"/api/v1/search", "q"}),
      Map.entry("/api/v1/movers", new String[] {"/api/v1/movers?type=best", "type"}),
      Map.entry("/api/v1/sectors", new String[] {"/api/v1/sectors?view=a&view=b", "view"}), // a parameter given twice
      Map.entry("/api/v1/history/{symbol}", new String[] {"/api/v1/history/AAPL?interval=2m", "interval"}),
      Map.entry("/api/v1/charts/{symbol}", new String[] {"/api/v1/charts/AAPL?periods=2W", "periods[0]"}),
      Map.entry("/api/v1/indicators/{symbol}", new String[] {"/api/v1/indicators/AAPL?rsi=1", "rsi[0]"}));

  private static final java.util.regex.Pattern MAX_AGE = java.util.regex.Pattern.compile("public, max-age=(\\d+)");

  @Test
  void everyValueRouteAnswersTheConventionsOfTheApiDoc() {
    List<String> patterns = new ArrayList<>();
    for (String route : RouteTable.of(context)) {
      if (route.startsWith("GET ") && isValueRoute(route.substring(4))) {
        patterns.add(route.substring(4));
      }
    }
    assertThat(patterns).as("value routes").contains("/api/v1/quotes", "/api/v1/profiles/{symbol}", "/api/v1/sectors");
    assertThat(DOCUMENTED_FRESHNESS.keySet()).as("every value route has its documented freshness here").containsAll(patterns);
    for (String pattern : patterns) {
      String url = pattern.replace("{symbol}", "AAPL") + QUERIES.getOrDefault(pattern, "");
      // A new value has a new validator: a 200 with another ETag is allowed twice, then the
      // same one must give 304.
      boolean notModified = false;
      for (int attempt = 0; attempt < 3 && !notModified; attempt++) {
        EntityExchangeResult<byte[]> ok = web.get().uri(url).exchange()
            .expectStatus().isOk().expectBody().returnResult();
        HttpHeaders h = ok.getResponseHeaders();
        String etag = h.getETag();
        assertThat(etag).as("%s: weak ETag", url).isNotNull().startsWith("W/\"");
        assertThat(h.getFirst("Server-Timing")).as("%s: Server-Timing", url).isNotNull().contains("total;dur=");
        String cacheControl = h.getCacheControl();
        assertThat(cacheControl).as("%s: Cache-Control", url).isNotNull();
        if (!cacheControl.equals("no-cache")) {
          java.util.regex.Matcher m = MAX_AGE.matcher(cacheControl);
          assertThat(m.matches()).as("%s: Cache-Control '%s'", url, cacheControl).isTrue();
          assertThat(Duration.ofSeconds(Long.parseLong(m.group(1))))
              .as("%s: max-age within the documented freshness", url)
              .isPositive().isLessThanOrEqualTo(DOCUMENTED_FRESHNESS.get(pattern));
        }
        EntityExchangeResult<byte[]> again = web.get().uri(url).header(HttpHeaders.IF_NONE_MATCH, etag).exchange()
            .expectBody().returnResult();
        if (again.getStatus().value() == 304) {
          notModified = true;
          assertThat(again.getResponseHeaders().getETag()).as("%s: 304 ETag", url).isEqualTo(etag);
          assertThat(again.getResponseHeaders().getFirst("Server-Timing")).as("%s: 304 Server-Timing", url).isNotNull();
          assertThat(again.getResponseBody()).isNullOrEmpty();
        } else {
          assertThat(again.getStatus().value()).as("%s with If-None-Match", url).isEqualTo(200);
          assertThat(again.getResponseHeaders().getETag()).as("%s: a 200 to If-None-Match is a new value", url).isNotEqualTo(etag);
        }
      }
      assertThat(notModified).as("%s: 304 on If-None-Match", url).isTrue();

      String[] bad = BAD_INPUT.get(pattern);
      assertThat(bad).as("%s: a bad request listed here", pattern).isNotNull();
      web.get().uri(bad[0]).exchange()
          .expectStatus().isBadRequest()
          .expectHeader().contentType(org.springframework.http.MediaType.APPLICATION_PROBLEM_JSON)
          .expectBody()
          .jsonPath("$.status").isEqualTo(400)
          .jsonPath("$.title").isEqualTo("Invalid request parameter")
          .jsonPath("$.invalidParams[0].name").isEqualTo(bad[1]);
    }
  }

  @Test
  void notFoundIsOneProblemWithOneTitle() {
    for (String url : List.of("/api/v1/profiles/ZZZZZ", "/api/v1/quotes/ZZZZZ", "/api/v1/nope", "/nope")) {
      web.get().uri(url).exchange()
          .expectStatus().isNotFound()
          .expectHeader().contentType(org.springframework.http.MediaType.APPLICATION_PROBLEM_JSON)
          .expectBody()
          .jsonPath("$.title").isEqualTo("Not Found")
          .jsonPath("$.code").isEqualTo("not-found");
    }
    web.delete().uri("/api/v1/sectors").exchange()
        .expectStatus().is4xxClientError()
        .expectHeader().contentType(org.springframework.http.MediaType.APPLICATION_PROBLEM_JSON);
  }

  @Test
  void headAnswersEveryGetRouteWithTheGetsStatusAndHeadersAndNoBody() {
    List<String> urls = getUrls();
    assertThat(urls).contains("/api/v1/quotes?symbols=AAPL,MSFT", "/api/v1/sectors", "/");
    // A connection per request: the stream's GET is cancelled after its first piece, and its
    // connection must not go back to a pool for the next request.
    WebTestClient web = WebTestClient
        .bindToServer(new org.springframework.http.client.reactive.ReactorClientHttpConnector(
            reactor.netty.http.client.HttpClient.newConnection()))
        .baseUrl("http://127.0.0.1:" + port)
        .responseTimeout(Duration.ofSeconds(120))
        .build();
    for (String url : urls) {
      FluxExchangeResult<byte[]> get;
      try {
        get = web.get().uri(url).exchange().returnResult(byte[].class);
      } catch (IllegalStateException e) {
        throw new AssertionError("GET " + url + ": no answer in 120 s", e);
      }
      // The first piece of the body only: a stream's GET never ends.
      List<byte[]> first;
      try {
        first = get.getResponseBody().take(1).collectList().block(Duration.ofSeconds(60));
      } catch (IllegalStateException e) {
        throw new AssertionError("GET " + url + " (" + get.getStatus() + ", " + get.getResponseHeaders() + "): no body in 60 s", e);
      }
      HttpHeaders g = get.getResponseHeaders();
      EntityExchangeResult<byte[]> head = web.head().uri(url).exchange().expectBody().returnResult();
      HttpHeaders h = head.getResponseHeaders();
      assertThat(head.getStatus()).as("HEAD %s", url).isEqualTo(get.getStatus());
      assertThat(head.getResponseBody()).as("HEAD %s has no body", url).isNullOrEmpty();
      for (String name : List.of(HttpHeaders.CONTENT_TYPE, HttpHeaders.ETAG, HttpHeaders.VARY, HttpHeaders.CONTENT_ENCODING,
          "Content-Security-Policy", HttpHeaders.LOCATION)) {
        assertThat(h.get(name)).as("HEAD %s: %s", url, name).isEqualTo(g.get(name));
      }
      assertThat(maxAgeAny(h.getFirst(HttpHeaders.CACHE_CONTROL))).as("HEAD %s: Cache-Control", url)
          .isEqualTo(maxAgeAny(g.getFirst(HttpHeaders.CACHE_CONTROL)));
      assertThat(h.containsHeader("Server-Timing")).as("HEAD %s: Server-Timing", url).isEqualTo(g.containsHeader("Server-Timing"));
      if (g.getContentLength() >= 0 && first != null && !first.isEmpty() && !url.startsWith("/actuator/prometheus")) {
        // Within a few bytes: quotes carry their age in milliseconds, which may gain a digit.
        long slack = Math.max(16, g.getContentLength() / 100); // live data may move between the two
        assertThat(h.getContentLength()).as("HEAD %s: Content-Length", url)
            .isBetween(g.getContentLength() - slack, g.getContentLength() + slack);
      }
    }
  }

  @Test
  void gzipVariantVariesOnAcceptEncodingWithAValidatorOfItsOwn() throws IOException, InterruptedException {
    String url = "/api/v1/quotes?symbols=" + MANY;
    web.get().uri(url).exchange().expectStatus().isOk(); // fetched once: both answers below share the quotes
    HttpResponse<byte[]> gz = send(url, "GET", Map.of(HttpHeaders.ACCEPT_ENCODING, "gzip, deflate"));
    HttpResponse<byte[]> plain = send(url, "GET", Map.of());
    assertThat(gz.statusCode()).isEqualTo(200);
    assertThat(gz.headers().firstValue(HttpHeaders.CONTENT_ENCODING)).hasValue("gzip");
    assertThat(gz.headers().firstValue(HttpHeaders.VARY)).hasValue(HttpHeaders.ACCEPT_ENCODING);
    assertThat(plain.headers().firstValue(HttpHeaders.CONTENT_ENCODING)).isEmpty();
    assertThat(plain.headers().firstValue(HttpHeaders.VARY)).as("the identity variant varies too").hasValue(HttpHeaders.ACCEPT_ENCODING);
    assertThat(plain.body().length).isGreaterThan(2048);
    assertThat(gz.body().length).isLessThan(plain.body().length);
    assertThat(gz.headers().firstValue(HttpHeaders.CONTENT_LENGTH)).hasValue(String.valueOf(gz.body().length));
    String identityTag = plain.headers().firstValue(HttpHeaders.ETAG).orElseThrow();
    String gzipTag = gz.headers().firstValue(HttpHeaders.ETAG).orElseThrow();
    assertThat(identityTag).startsWith("W/\"").doesNotContain(GzipResponses.SUFFIX);
    assertThat(gzipTag).isEqualTo(identityTag.substring(0, identityTag.length() - 1) + "-gzip\"");

    HttpResponse<byte[]> gz304 = send(url, "GET", Map.of(HttpHeaders.ACCEPT_ENCODING, "gzip", HttpHeaders.IF_NONE_MATCH, gzipTag));
    assertThat(gz304.statusCode()).as("the gzip validator matches").isEqualTo(304);
    assertThat(gz304.headers().firstValue(HttpHeaders.ETAG)).hasValue(gzipTag);
    assertThat(gz304.headers().firstValue(HttpHeaders.VARY)).hasValue(HttpHeaders.ACCEPT_ENCODING);
    HttpResponse<byte[]> plain304 = send(url, "GET", Map.of(HttpHeaders.ACCEPT_ENCODING, "gzip", HttpHeaders.IF_NONE_MATCH, identityTag));
    assertThat(plain304.statusCode()).as("the identity validator matches").isEqualTo(304);
    assertThat(plain304.headers().firstValue(HttpHeaders.ETAG)).hasValue(identityTag);
    HttpResponse<byte[]> other = send(url, "GET", Map.of(HttpHeaders.ACCEPT_ENCODING, "gzip", HttpHeaders.IF_NONE_MATCH, "W/\"0000-gzip\""));
    assertThat(other.statusCode()).as("another validator does not").isEqualTo(200);

    HttpResponse<byte[]> head = send(url, "HEAD", Map.of(HttpHeaders.ACCEPT_ENCODING, "gzip"));
    assertThat(head.statusCode()).isEqualTo(200);
    assertThat(head.headers().firstValue(HttpHeaders.CONTENT_ENCODING)).hasValue("gzip");
    assertThat(head.headers().firstValue(HttpHeaders.ETAG)).hasValue(gzipTag);
    // The length of the gzip body (ageMs in the quotes changes it by a few bytes per request).
    assertThat(Long.parseLong(head.headers().firstValue(HttpHeaders.CONTENT_LENGTH).orElseThrow()))
        .isBetween(gz.body().length * 95L / 100, gz.body().length * 105L / 100);
    assertThat(head.body()).isEmpty();
  }

  @Test
  void smallAnswersAndStreamsAreNotCompressed() throws IOException, InterruptedException {
    HttpResponse<byte[]> small = send("/api/v1/quotes/AAPL", "GET", Map.of(HttpHeaders.ACCEPT_ENCODING, "gzip"));
    assertThat(small.statusCode()).isEqualTo(200);
    assertThat(small.headers().firstValue(HttpHeaders.CONTENT_ENCODING)).isEmpty();
    assertThat(small.headers().firstValue(HttpHeaders.ETAG)).hasValueSatisfying(t -> assertThat(t).doesNotContain(GzipResponses.SUFFIX));
    HttpResponse<byte[]> refused = send("/api/v1/quotes?symbols=" + MANY, "GET", Map.of(HttpHeaders.ACCEPT_ENCODING, "gzip;q=0, identity"));
    assertThat(refused.headers().firstValue(HttpHeaders.CONTENT_ENCODING)).isEmpty();
  }

  @Test
  void cleartextHttp2ByUpgradeAndByPriorKnowledgeCarriesSmallAndLargeAnswers() {
    for (HttpProtocol[] protocols : List.of(
        new HttpProtocol[] {HttpProtocol.HTTP11, HttpProtocol.H2C},
        new HttpProtocol[] {HttpProtocol.H2C})) {
      reactor.netty.http.client.HttpClient client = reactor.netty.http.client.HttpClient.newConnection()
          .protocol(protocols).baseUrl("http://127.0.0.1:" + port).responseTimeout(Duration.ofSeconds(30));
      for (String path : List.of("/api/v1/quotes/AAPL", "/assets/vendor/uPlot.iife.min.js", "/api/v1/charts/AAPL?periods=1D,5D,1M,6M,1Y,5Y")) {
        String answer = client.get().uri(path)
            .responseSingle((r, body) -> body.asString().map(b -> r.status().code() + " " + r.version() + " " + b.length()))
            .block(Duration.ofSeconds(60));
        assertThat(answer).as("%s over %s", path, List.of(protocols)).startsWith("200 HTTP/2.0 ");
        int length = Integer.parseInt(answer.substring(answer.lastIndexOf(' ') + 1));
        if (path.endsWith(".js")) {
          assertThat(length).as("the whole file (about 50 KB), uncompressed").isGreaterThan(40_000);
        } else if (path.startsWith("/api/v1/charts/")) {
          assertThat(length).as("six chart periods, past one HTTP/2 flow-control window").isGreaterThan(65_535);
        }
      }
    }
  }

  private HttpResponse<byte[]> send(String path, String method, Map<String, String> headers) throws IOException, InterruptedException {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
        .timeout(Duration.ofSeconds(30))
        .method(method, HttpRequest.BodyPublishers.noBody());
    headers.forEach(b::header);
    return jdk.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
  }

  private static String maxAgeAny(String cacheControl) {
    return cacheControl == null ? null : cacheControl.replaceAll("max-age=\\d+", "max-age=N");
  }
}
