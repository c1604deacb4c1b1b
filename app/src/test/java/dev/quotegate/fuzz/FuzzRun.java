package dev.quotegate.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.quotegate.testsupport.RawHttp;
import dev.quotegate.testsupport.Routes;
import dev.quotegate.testsupport.SimulatorAdmin;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.ApplicationContext;
import org.springframework.core.env.Environment;

/**
 * The fuzz run (not part of the normal build: its name matches neither *Test nor *IT). The
 * whole gateway against the embedded simulator over HTTP/2; every endpoint and every field of
 * every body gets inputs an attacker would send (empty, huge, Unicode, control characters,
 * numbers out of range, wrong types, broken JSON, wrong Content-Type, 10 MB bodies, deep
 * nesting, path spellings), each request invalid in exactly one place. Counts statuses,
 * 5xx answers, upstream requests the simulator received while fuzzing (after a warm-up of the
 * valid requests the mutations start from) and ERROR log lines. Writes
 * {@code app/target/fuzz-report.txt}. Command (docs/reliability.md "Fuzz run"):
 *
 * <pre>./mvnw -q -B -pl app verify -Dtest=none -Dsurefire.failIfNoSpecifiedTests=false \
 *   -Dit.test=FuzzRun -Dquotegate.fuzz.requests=20000</pre>
 */
@EnabledIfSystemProperty(named = "quotegate.fuzz.requests", matches = "\\d+")
@SpringBootTest(
    webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
    properties = {
      "quotegate.simulator.port=0",
      "quotegate.admin.token=fuzz",
      // every valid request of the warm-up stays cached through the run
      "quotegate.quotes.ttl-market-open=1h",
      "quotegate.quotes.ttl-market-closed=1h",
      "quotegate.load-shedding.max-in-flight=100000"
    })
// Runs as long as quotegate.fuzz.requests takes: not under the suite-wide 5 min default of junit-platform.properties.
@Timeout(value = 12, unit = TimeUnit.HOURS)
class FuzzRun {

  private static final String ADMIN = "Bearer fuzz";

  @LocalServerPort int port;
  @Autowired Environment env;
  @Autowired ApplicationContext context;

  /** One request to send: its head (request line and headers) and body. */
  record Req(String label, String head, byte[] body, boolean stream) {}

  /** A query endpoint: path, valid parameters, and which parameters take symbols. */
  record Endpoint(String method, String path, Map<String, String> params, boolean stream, String auth) {}

  private static final List<Endpoint> ENDPOINTS = List.of(
      new Endpoint("GET", "/api/v1/quotes/{symbol}", Map.of(), false, null),
      new Endpoint("GET", "/api/v1/quotes", Map.of("symbols", "AAPL,MSFT"), false, null),
      new Endpoint("GET", "/api/v1/history/{symbol}", Map.of("interval", "1d", "range", "1mo"), false, null),
      new Endpoint("GET", "/api/v1/history/{symbol}", Map.of("from", "2026-01-05", "to", "2026-02-02"), false, null),
      new Endpoint("GET", "/api/v1/charts/{symbol}", Map.of("periods", "1D,1M"), false, null),
      new Endpoint("GET", "/api/v1/indicators/{symbol}", Map.of("sma", "20", "rsi", "14", "macd", "12,26,9",
          "bollinger", "20,2", "range", "6mo"), false, null),
      new Endpoint("GET", "/api/v1/profiles/{symbol}", Map.of(), false, null),
      new Endpoint("GET", "/api/v1/news/{symbol}", Map.of(), false, null),
      new Endpoint("GET", "/api/v1/search", Map.of("q", "app"), false, null),
      new Endpoint("GET", "/api/v1/movers", Map.of("type", "gainers", "limit", "10"), false, null),
      new Endpoint("GET", "/api/v1/sectors", Map.of(), false, null),
      new Endpoint("GET", "/api/v1/news", Map.of("symbols", "AAPL,MSFT", "limit", "5"), false, null),
      new Endpoint("GET", "/api/v1/search", Map.of("q", "appel", "limit", "5"), false, null),
      new Endpoint("GET", "/api/v1/signals", Map.of("symbols", "AAPL,MSFT"), false, null),
      new Endpoint("GET", "/api/v1/dashboard", Map.of("symbols", "AAPL,MSFT"), false, null),
      new Endpoint("GET", "/api/v1/quotes", Map.of("symbols", "AAPL", "fields", "price,changePercent"), false, null),
      new Endpoint("GET", "/api/v1/stream/quotes", Map.of("symbols", "AAPL"), true, null),
      new Endpoint("GET", "/api/v1/admin/cache", Map.of(), false, ADMIN),
      new Endpoint("DELETE", "/api/v1/admin/cache", Map.of("kind", "quote", "pattern", "ZZZZ*", "tier", "l1"), false, ADMIN),
      new Endpoint("GET", "/api/v1/admin/history/ingest/{id}", Map.of(), false, ADMIN));

  /** Bodies: the valid one, and its fields as JSON paths to mutate. */
  record BodyEndpoint(String path, String valid, List<String> fields, String auth) {}

  private static final List<BodyEndpoint> BODIES = List.of(
      new BodyEndpoint("/api/v1/portfolio/valuation",
          "{\"holdings\":[{\"symbol\":\"AAPL\",\"quantity\":10,\"costBasis\":150.5},{\"symbol\":\"MSFT\",\"quantity\":-2}]}",
          List.of("holdings", "holdings[0]", "holdings[0].symbol", "holdings[0].quantity", "holdings[0].costBasis",
              "holdings[1].quantity"), null),
      new BodyEndpoint("/api/v1/portfolio/performance",
          "{\"holdings\":[{\"symbol\":\"AAPL\",\"quantity\":10,\"trades\":[{\"date\":\"2026-06-01\",\"quantity\":5}]}],"
              + "\"range\":\"3mo\",\"benchmark\":\"SPY\"}",
          List.of("holdings", "holdings[0]", "holdings[0].symbol", "holdings[0].quantity", "holdings[0].trades",
              "holdings[0].trades[0].date", "holdings[0].trades[0].quantity", "range", "benchmark"), null),
      new BodyEndpoint("/api/v1/admin/history/ingest",
          "{\"symbols\":[\"AAPL\"],\"interval\":\"1d\",\"range\":\"1mo\"}",
          List.of("symbols", "symbols[0]", "interval", "range"), ADMIN));

  /** Values no field accepts. */
  private static final List<String> BAD_TEXT = List.of(
      "", " ", "%00", "%0d%0aX-Injected:%201", "ma%C3%9F", "%EF%AC%80", "%C4%B1", "%EF%BC%A1%EF%BC%A1", "%E2%80%AE",
      "%F0%9F%98%80", "A%3BB", "..%2F..", "%3Cscript%3E", "'%20OR%201=1", "-1", "1e309", "NaN", "9".repeat(400),
      "x".repeat(5000), "%FF%FE", "%", "%G1", "A,,B", ",", "*", "..", "a".repeat(17));

  private static final List<String> BAD_JSON_VALUES = List.of(
      "null", "\"\"", "\"abc\"", "1e3000000", "-1e3000000", "1e-3000000", "[]", "{}", "true", "0",
      "\"" + "x".repeat(300_000) + "\"", "\"ma\u00df\"", "\"\\u0000\"", "\"\\ud800\"", "[".repeat(5000) + "]".repeat(5000),
      "9".repeat(500), "0.1234567890123", "NaN", "\"AAPL\\nX\"");

  private static final List<String> BAD_CONTENT_TYPES = List.of(
      "text/plain", "application/xml", "application/json; charset=bogus", "application/json; charset=ISO-8859-1",
      "application/j\u00e9son", "application/", "*/*", "multipart/form-data; boundary=x", "");

  @Test
  void fuzz() throws Exception {
    int total = Integer.parseInt(System.getProperty("quotegate.fuzz.requests"));
    SimulatorAdmin sim = new SimulatorAdmin(Integer.parseInt(env.getRequiredProperty("local.simulator.port")));
    // Warm-up: every valid request the mutations start from, so a mutation that happens to
    // be valid is answered from the cache and costs nothing upstream.
    for (Endpoint e : ENDPOINTS) {
      if (!e.stream()) {
        send(new Req("warm", head(e.method(), concrete(e.path()) + query(e.params(), null, null), e.auth(), null), new byte[0], false));
      }
    }
    for (BodyEndpoint b : BODIES) {
      send(post(b.path(), "application/json", b.valid().getBytes(StandardCharsets.UTF_8), b.auth(), "warm"));
    }
    Thread.sleep(2_000); // the warm-up's ingest job finishes in the background
    List<Function<SplittableRandom, Req>> generators = generators();
    Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    ListAppender<ILoggingEvent> logs = new ListAppender<>();
    logs.start();
    root.addAppender(logs);
    long upstreamBefore = sim.requests();
    Map<Integer, AtomicLong> statuses = new TreeMap<>();
    Map<String, String> fiveHundreds = new LinkedHashMap<>();
    Map<String, AtomicLong> accepted = new TreeMap<>();
    Map<String, Long> refusedButUpstream = new LinkedHashMap<>();
    Map<String, Long> unknownItems = new TreeMap<>();
    long start = System.nanoTime();
    SplittableRandom random = new SplittableRandom(42);
    // One request at a time, the simulator's request count read around each: an upstream
    // call is pinned on the request that caused it.
    for (int i = 0; i < total; i++) {
      Req r = generators.get(random.nextInt(generators.size())).apply(random);
      long before = sim.requests();
      int status;
      try {
        status = send(r).status();
      } catch (RuntimeException e) {
        status = -1; // connection closed without an answer
      }
      long caused = sim.requests() - before;
      statuses.computeIfAbsent(status, k -> new AtomicLong()).incrementAndGet();
      if (status >= 500 || status < 0) {
        fiveHundreds.putIfAbsent(r.label() + " " + firstLine(r.head()), String.valueOf(status));
      }
      if (status >= 200 && status < 300) {
        accepted.computeIfAbsent(r.label(), k -> new AtomicLong()).incrementAndGet();
      } else if (status == 404 && caused > 0) {
        // a well-formed symbol nobody lists (1E309): only the provider can say so
        unknownItems.merge(r.label(), caused, Long::sum);
      } else if (caused > 0) {
        // replayed to tell a cause from background work of an earlier request (an ingest job)
        long again = sim.requests();
        send(r);
        long replayed = sim.requests() - again;
        if (replayed > 0) {
          refusedButUpstream.merge(r.label() + " " + firstLine(r.head()), replayed, Long::sum);
        }
      }
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    long upstream = sim.requests() - upstreamBefore;
    root.detachAppender(logs);
    List<String> errors = new ArrayList<>();
    long warnings = 0;
    for (ILoggingEvent e : logs.list) {
      if (e.getLevel() == Level.ERROR || e.getThrowableProxy() != null) {
        errors.add(e.getLevel() + " " + e.getLoggerName() + ": " + e.getFormattedMessage());
      } else if (e.getLevel() == Level.WARN) {
        warnings++;
      }
    }
    StringBuilder report = new StringBuilder();
    report.append(String.format("fuzz run: %d requests in %.1f s (%d generators over %d routes, seed 42)%n",
        total, seconds, generators.size(), Routes.all(context).size()));
    report.append("statuses: ").append(new TreeMap<>(statuses)).append('\n');
    report.append("5xx: ").append(fiveHundreds.size()).append(' ').append(fiveHundreds).append('\n');
    report.append("accepted (2xx, a mutation that is valid): ").append(new TreeMap<>(accepted)).append('\n');
    report.append("upstream requests while fuzzing: ").append(upstream)
        .append(", of them caused by refused (non-2xx) requests: ")
        .append(refusedButUpstream.values().stream().mapToLong(Long::longValue).sum()).append(' ')
        .append(refusedButUpstream).append('\n');
    report.append("upstream look-ups of well-formed unknown symbols (404): ").append(unknownItems).append('\n');
    report.append("ERROR lines or stack traces: ").append(errors.size()).append(errors.isEmpty() ? "" : " " + errors.subList(0, Math.min(5, errors.size()))).append('\n');
    report.append("WARN lines: ").append(warnings).append('\n');
    System.out.print(report);
    Path out = Path.of("target", "fuzz-report.txt");
    try {
      Files.writeString(out, report.toString());
    } catch (IOException ignored) {
      // the report is printed too
    }
    assertThat(fiveHundreds).as("5xx answers").isEmpty();
    assertThat(refusedButUpstream).as("upstream requests caused by invalid input").isEmpty();
    assertThat(errors).as("ERROR log lines").isEmpty();
  }

  private List<Function<SplittableRandom, Req>> generators() {
    List<Function<SplittableRandom, Req>> g = new ArrayList<>();
    // query endpoints: one parameter (or the symbol in the path) replaced by a bad value
    for (Endpoint e : ENDPOINTS) {
      if (e.path().contains("{")) {
        g.add(r -> {
          String bad = pick(r, BAD_TEXT);
          String seg = bad.isEmpty() ? "%20" : bad;
          return new Req("path-param " + e.path(),
              head(e.method(), e.path().replaceAll("\\{[^}]+}", java.util.regex.Matcher.quoteReplacement(seg))
                  + query(e.params(), null, null), e.auth(), null), new byte[0], e.stream());
        });
      }
      for (String p : e.params().keySet()) {
        g.add(r -> new Req("param " + e.path() + "?" + p,
            head(e.method(), concrete(e.path()) + query(e.params(), p, pick(r, BAD_TEXT)), e.auth(), null), new byte[0], e.stream()));
        g.add(r -> new Req("duplicate " + e.path() + "?" + p,
            head(e.method(), concrete(e.path()) + query(e.params(), null, null) + (e.params().isEmpty() ? "?" : "&") + p + "=x",
                e.auth(), null), new byte[0], e.stream()));
      }
      g.add(r -> new Req("unknown-param " + e.path(),
          head(e.method(), concrete(e.path()) + query(e.params(), null, null) + (e.params().isEmpty() ? "?" : "&") + "symbols=" + pick(r, BAD_TEXT),
              e.auth(), null), new byte[0], e.stream()));
      // headers clients control
      g.add(r -> new Req("headers " + e.path(),
          head(e.method(), concrete(e.path()) + query(e.params(), "symbols", pick(r, BAD_TEXT)), e.auth(),
              pick(r, List.of("If-None-Match: " + "W/\"x\"".repeat(500), "Accept: text/html;q=\u00e9", "Last-Event-ID: " + "9".repeat(300),
                  "Authorization: Bearer " + "x".repeat(3000), "Accept-Encoding: gzip;q=NaN", "Origin: null", "Range: bytes=0-0"))),
          new byte[0], e.stream()));
    }
    // every route, spelled as an attacker would
    for (Routes.Route route : Routes.all(context)) {
      if (route.pattern().startsWith("/api/v1/stream")) {
        continue; // a valid spelling of a stream route would stream forever
      }
      List<String> variants = Routes.variants(route.concretePath());
      g.add(r -> new Req("path " + route, head(route.method(), pick(r, variants), null, null), new byte[0], false));
    }
    // bodies: each field replaced by a bad JSON value, and bad bodies as a whole
    for (BodyEndpoint b : BODIES) {
      for (String field : b.fields()) {
        g.add(r -> post(b.path(), "application/json",
            replace(b.valid(), field, pick(r, BAD_JSON_VALUES)).getBytes(StandardCharsets.UTF_8), b.auth(),
            "field " + b.path() + " " + field));
      }
      g.add(r -> post(b.path(), pick(r, BAD_CONTENT_TYPES), b.valid().getBytes(StandardCharsets.UTF_8), b.auth(), "content-type " + b.path()));
      g.add(r -> post(b.path(), "application/json", pick(r, List.of("", "null", "[]", "{", "}", "{\"holdings\":[", "\u0000",
          "{\"symbols\":", "{}{}", "\"x\"")).getBytes(StandardCharsets.UTF_8), b.auth(), "broken " + b.path()));
      g.add(r -> post(b.path(), "application/json", new byte[] {(byte) 0xff, (byte) 0xfe, '{', '}'}, b.auth(), "bad utf-8 " + b.path()));
      g.add(r -> post(b.path(), "application/json", ("{\"a\":" + "[".repeat(20_000)).getBytes(StandardCharsets.UTF_8), b.auth(), "deep " + b.path()));
      g.add(r -> post(b.path(), "application/json", big(r.nextInt(3) == 0 ? 10 * 1024 * 1024 : 300 * 1024), b.auth(), "huge " + b.path()));
    }
    return g;
  }

  private RawHttp.Reply send(Req r) {
    return r.stream() ? RawHttp.exchangeHead(port, r.head(), r.body()) : RawHttp.exchange(port, r.head(), r.body());
  }

  private static Req post(String path, String contentType, byte[] body, String auth, String label) {
    return new Req(label, postHead(path, contentType, null, auth) + "Content-Length: " + body.length + "\r\n", body, false);
  }

  private static String postHead(String path, String contentType, String unused, String auth) {
    return "POST " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        + (contentType.isEmpty() ? "" : "Content-Type: " + contentType + "\r\n")
        + (auth == null ? "" : "Authorization: " + auth + "\r\n");
  }

  private static String head(String method, String pathAndQuery, String auth, String extraHeader) {
    return method + " " + pathAndQuery + " HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        + (auth == null ? "" : "Authorization: " + auth + "\r\n")
        + (extraHeader == null ? "" : extraHeader + "\r\n");
  }

  private static String concrete(String path) {
    return path.replace("{symbol}", "AAPL").replace("{id}", "nojob");
  }

  /** The valid query, with {@code param} set to {@code value} (raw, already encoded) when given. */
  private static String query(Map<String, String> params, String param, String value) {
    Map<String, String> q = new LinkedHashMap<>(params);
    if (param != null) {
      q.put(param, value);
    }
    if (q.isEmpty()) {
      return "";
    }
    StringBuilder sb = new StringBuilder("?");
    q.forEach((k, v) -> sb.append(sb.length() > 1 ? "&" : "").append(k).append('=').append(v));
    return sb.toString();
  }

  /** {@code json} with the value at {@code path} ({@code a[0].b}) replaced by raw JSON {@code value}. */
  static String replace(String json, String path, String value) {
    tools.jackson.databind.json.JsonMapper m = tools.jackson.databind.json.JsonMapper.builder().build();
    tools.jackson.databind.JsonNode root = m.readTree(json);
    String[] parts = path.replace("[", ".[").split("\\.");
    tools.jackson.databind.JsonNode parent = root;
    for (int i = 0; i < parts.length - 1; i++) {
      parent = step(parent, parts[i]);
    }
    String last = parts[parts.length - 1];
    String marker = "\"__FUZZ__\"";
    if (last.startsWith("[")) {
      ((tools.jackson.databind.node.ArrayNode) parent).set(Integer.parseInt(last.substring(1, last.length() - 1)),
          m.getNodeFactory().stringNode("__FUZZ__"));
    } else {
      ((tools.jackson.databind.node.ObjectNode) parent).put(last, "__FUZZ__");
    }
    return m.writeValueAsString(root).replace(marker, value);
  }

  private static tools.jackson.databind.JsonNode step(tools.jackson.databind.JsonNode node, String part) {
    if (part.startsWith("[")) {
      return node.get(Integer.parseInt(part.substring(1, part.length() - 1)));
    }
    return node.get(part);
  }

  private static byte[] big(int bytes) {
    byte[] out = new byte[bytes];
    java.util.Arrays.fill(out, (byte) 'a');
    byte[] open = "{\"holdings\":\"".getBytes(StandardCharsets.US_ASCII);
    System.arraycopy(open, 0, out, 0, open.length);
    out[bytes - 2] = '"';
    out[bytes - 1] = '}';
    return out;
  }

  private static <T> T pick(SplittableRandom r, List<T> list) {
    return list.get(r.nextInt(list.size()));
  }

  private static String firstLine(String head) {
    String line = head.lines().findFirst().orElse("");
    return line.length() > 200 ? line.substring(0, 200) + "..." : line;
  }
}
