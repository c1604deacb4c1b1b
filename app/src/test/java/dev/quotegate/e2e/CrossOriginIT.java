package dev.quotegate.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import dev.quotegate.QuotegateApplication;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.WebDriverWait;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * A dashboard on another origin, in headless Chromium: a page served by a tiny HTTP server of
 * its own on 127.0.0.1 (an ephemeral port, so another origin than the gateway's) reads quotes
 * with an API key, holds an EventSource (key in the query, the stream's one exception) and
 * posts a valuation (a preflighted request) against a gateway whose CORS allowlist names that
 * origin and which requires keys. The same page from a second server, an origin not in the
 * list, is refused: its fetch and its EventSource fail in the browser. Skipped with a printed
 * reason without Chromium (fails with {@code QUOTEGATE_REQUIRE_SERVICES=true}).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CrossOriginIT {

  private static final Path TARGET = Path.of(System.getProperty("project.build.directory", "target"));
  static final String KEY = "qgk-browser-page-" + UUID.randomUUID();

  Chromium browser;
  ChromeDriver driver;
  ConfigurableApplicationContext gateway;
  HttpServer allowedPage;
  HttpServer otherPage;
  int gatewayPort;

  @BeforeAll
  void start() throws Exception {
    Path work = TARGET.resolve("e2e").resolve(UUID.randomUUID().toString());
    Files.createDirectories(work);
    browser = Chromium.startOrSkip(work, 1000, 800);
    driver = browser.driver();
    allowedPage = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 16);
    otherPage = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 16);
    String allowedOrigin = "http://127.0.0.1:" + allowedPage.getAddress().getPort();
    gateway = new SpringApplicationBuilder(QuotegateApplication.class).run(
        "--server.port=0",
        "--quotegate.simulator.port=0",
        "--quotegate.cors.allowed-origins=" + allowedOrigin,
        "--quotegate.security.require-api-key=true",
        "--quotegate.security.api-keys[0].id=page",
        "--quotegate.security.api-keys[0].sha256=" + sha256(KEY));
    gatewayPort = Integer.parseInt(gateway.getEnvironment().getRequiredProperty("local.server.port"));
    for (HttpServer s : new HttpServer[] {allowedPage, otherPage}) {
      byte[] page = page("http://127.0.0.1:" + gatewayPort).getBytes(StandardCharsets.UTF_8);
      s.createContext("/", ex -> {
        ex.getResponseHeaders().set("Content-Type", "text/html; charset=utf-8");
        ex.sendResponseHeaders(200, page.length);
        try (OutputStream out = ex.getResponseBody()) {
          out.write(page);
        }
      });
      s.start();
    }
  }

  @AfterAll
  void stop() {
    if (browser != null) {
      browser.close();
    }
    for (HttpServer s : new HttpServer[] {allowedPage, otherPage}) {
      if (s != null) {
        s.stop(0);
      }
    }
    if (gateway != null) {
      gateway.close();
    }
  }

  /** The dashboard of another origin: three calls, their outcomes in {@code window.results}. */
  static String page(String gateway) {
    return """
        <!doctype html><html><head><meta charset="utf-8"><title>other-origin dashboard</title></head><body>
        <script>
        const GW = '%s', KEY = '%s';
        const results = window.results = {};
        fetch(GW + '/api/v1/quotes?symbols=AAPL,MSFT', {headers: {'X-API-Key': KEY}})
          .then(r => { results.quotesStatus = r.status; results.rateLimit = r.headers.get('RateLimit');
                       results.policy = r.headers.get('RateLimit-Policy'); return r.json(); })
          .then(j => { results.quotes = j.quotes.map(q => q.symbol).join(','); })
          .catch(e => { results.quotesError = String(e); });
        fetch(GW + '/api/v1/portfolio/valuation', {method: 'POST',
            headers: {'Content-Type': 'application/json', 'Authorization': 'Bearer ' + KEY},
            body: JSON.stringify({holdings: [{symbol: 'AAPL', quantity: 10}, {symbol: 'MSFT', quantity: 5}]})})
          .then(r => { results.valuationStatus = r.status; return r.json(); })
          .then(j => { results.positions = j.positions.length; })
          .catch(e => { results.valuationError = String(e); });
        const es = new EventSource(GW + '/api/v1/stream/quotes?symbols=AAPL&api_key=' + encodeURIComponent(KEY));
        es.addEventListener('quote', e => { results.events = (results.events || 0) + 1; results.lastEvent = e.data; });
        es.onerror = () => { results.streamErrors = (results.streamErrors || 0) + 1; results.streamState = es.readyState; };
        </script></body></html>
        """.formatted(gateway, KEY);
  }

  @SuppressWarnings("unchecked")
  private Map<String, Object> results() {
    Object r = driver.executeScript("return window.results || {};");
    return (Map<String, Object>) r;
  }

  @Test
  void aPageOnAnAllowedOriginReadsQuotesHoldsAStreamAndPostsAValuation() {
    driver.get("http://127.0.0.1:" + allowedPage.getAddress().getPort() + "/");
    new WebDriverWait(driver, Duration.ofSeconds(60), Duration.ofMillis(100)).until(d -> {
      Map<String, Object> r = results();
      return r.containsKey("quotes") && r.containsKey("positions") && r.get("events") != null
          || r.containsKey("quotesError") || r.containsKey("valuationError");
    });
    Map<String, Object> r = results();
    assertThat(r).as("what the page saw").doesNotContainKeys("quotesError", "valuationError");
    assertThat(r.get("quotesStatus")).isEqualTo(200L);
    assertThat(r.get("quotes")).isEqualTo("AAPL,MSFT");
    assertThat((String) r.get("rateLimit")).as("RateLimit header readable cross-origin").startsWith("\"page\";r=");
    assertThat((String) r.get("policy")).as("RateLimit-Policy readable cross-origin").startsWith("\"page\";q=");
    assertThat(r.get("valuationStatus")).isEqualTo(200L);
    assertThat(r.get("positions")).isEqualTo(2L);
    assertThat((String) r.get("lastEvent")).as("a quote event over the EventSource").contains("AAPL");
    assertThat(r.get("streamErrors")).as("stream errors").isNull();
    driver.get("about:blank");
  }

  @Test
  void aPageOnAnotherOriginIsRefused() {
    driver.get("http://127.0.0.1:" + otherPage.getAddress().getPort() + "/");
    new WebDriverWait(driver, Duration.ofSeconds(60), Duration.ofMillis(100)).until(d -> {
      Map<String, Object> r = results();
      return r.containsKey("quotesError") && r.containsKey("valuationError") && r.get("streamErrors") != null;
    });
    Map<String, Object> r = results();
    assertThat((String) r.get("quotesError")).as("the fetch of quotes").contains("Failed to fetch");
    assertThat((String) r.get("valuationError")).as("the valuation's preflight").contains("Failed to fetch");
    assertThat(r.get("events")).as("stream events").isNull();
    assertThat(r.get("streamState")).as("EventSource closed for good (2 = CLOSED)").isEqualTo(2L);
    assertThat(gateway.getBean(io.micrometer.core.instrument.MeterRegistry.class)
        .get("quotegate.cors.rejected").counter().count()).as("refusals counted").isGreaterThanOrEqualTo(3);
    driver.get("about:blank");
  }

  static String sha256(String s) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
  }
}
