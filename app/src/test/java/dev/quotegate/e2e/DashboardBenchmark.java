package dev.quotegate.e2e;

import dev.quotegate.QuotegateApplication;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.support.ui.WebDriverWait;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Time to first prices painted and to chart drawn in headless Chromium, on the embedded default
 * (the README's run: embedded simulator, default TTLs, H2), read from the browser's own Navigation
 * and Performance APIs, next to a peer in the same run: the same data fetched by a plain HTTP
 * client (the quote batch, the first SSE event, the chart call), i.e. what the page costs over the
 * API it draws. Traffic only to 127.0.0.1.
 *
 * <p>Run 1 opens the page on a gateway that has never served anything (cold caches, chart bars
 * backfilled from the simulator); then {@code --fresh} runs each in a new browser with an empty
 * profile (nothing cached by the browser), then {@code --warm} reloads in one browser (files
 * revalidated with 304s). Command (repository root):
 *
 * <pre>
 * ./mvnw -q -pl app test-compile dependency:build-classpath -Dmdep.outputFile=target/cp.txt
 * java -cp app/target/test-classes:app/target/classes:$(cat app/target/cp.txt) \
 *      dev.quotegate.e2e.DashboardBenchmark --fresh=5 --warm=5
 * </pre>
 */
public final class DashboardBenchmark {

  private static final String WATCHLIST = "AAPL,MSFT,NVDA,AMZN,GOOGL,META,TSLA,JPM";

  record Sample(double responseStart, double domContentLoaded, double firstContentfulPaint, double firstPrices,
      double chartDrawn, double load) {}

  public static void main(String[] args) throws Exception {
    int fresh = 5;
    int warm = 5;
    for (String a : args) {
      if (a.startsWith("--fresh=")) {
        fresh = Integer.parseInt(a.substring(8));
      } else if (a.startsWith("--warm=")) {
        warm = Integer.parseInt(a.substring(7));
      } else {
        System.err.println("unknown option " + a + " (--fresh=N --warm=N)");
        System.exit(2);
      }
    }
    if (!Chromium.present()) {
      System.err.println("no " + Chromium.BROWSER + " or " + Chromium.DRIVER + ": apt-get install chromium chromium-driver");
      System.exit(2);
    }
    Path work = Path.of("app/target/bench-dashboard", Instant.now().toString().replace(':', '-'));
    Files.createDirectories(work);
    int port = PageGateway.freePort();
    ConfigurableApplicationContext gateway = new SpringApplicationBuilder(QuotegateApplication.class)
        .run("--server.port=" + port, "--quotegate.simulator.port=0", "--quotegate.history.data-dir=" + work.resolve("data"),
            "--spring.main.banner-mode=off", "--logging.level.root=WARN");
    String base = "http://127.0.0.1:" + port;
    String page = base + "/?symbols=" + WATCHLIST + "&chart=AAPL&period=1M";
    double load1 = load();
    List<Sample> cold = new ArrayList<>();
    List<Sample> freshRuns = new ArrayList<>();
    List<Sample> warmRuns = new ArrayList<>();
    Map<String, List<Double>> api = new LinkedHashMap<>();
    try {
      try (Chromium b = Chromium.start(work, 1280, 1000)) {
        cold.add(open(b, page));
      }
      for (int i = 0; i < fresh; i++) {
        try (Chromium b = Chromium.start(work, 1280, 1000)) {
          freshRuns.add(open(b, page));
        }
        apiAlone(base, api);
      }
      try (Chromium b = Chromium.start(work, 1280, 1000)) {
        open(b, page);
        for (int i = 0; i < warm; i++) {
          warmRuns.add(open(b, page));
        }
      }
    } finally {
      gateway.close();
    }
    double load2 = load();
    StringBuilder md = new StringBuilder();
    md.append(String.format(Locale.ROOT, "Run of %s UTC, load average %.1f before, %.1f after; %d fresh-browser runs, %d warm reloads; medians in ms after navigation start.%n%n",
        Instant.now().toString().substring(0, 16).replace('T', ' '), load1, load2, fresh, warm));
    md.append("| measure | cold gateway (run 1) | fresh browser | warm reload | API alone (plain client, same run) |\n|---|---|---|---|---|\n");
    row(md, "first byte of the page (`responseStart`)", cold, freshRuns, warmRuns, Sample::responseStart, null);
    row(md, "DOM ready (`domContentLoadedEventEnd`)", cold, freshRuns, warmRuns, Sample::domContentLoaded, null);
    row(md, "first contentful paint", cold, freshRuns, warmRuns, Sample::firstContentfulPaint, null);
    row(md, "**first prices painted** (`qg:first-prices`)", cold, freshRuns, warmRuns, Sample::firstPrices,
        "quote batch " + ms(median(api.get("quotes"))) + "; first SSE event " + ms(median(api.get("sse"))));
    row(md, "**chart drawn** (`qg:chart-drawn`, 1M)", cold, freshRuns, warmRuns, Sample::chartDrawn,
        "chart call " + ms(median(api.get("chart"))) + " (+ indicators " + ms(median(api.get("indicators"))) + ")");
    row(md, "load event end", cold, freshRuns, warmRuns, Sample::load, null);
    Files.writeString(work.resolve("dashboard.md"), md);
    System.out.println(md);
    System.out.println("written to " + work.resolve("dashboard.md"));
    System.exit(0);
  }

  private static Sample open(Chromium b, String url) {
    b.driver().get(url);
    JavascriptExecutor js = b.driver();
    new WebDriverWait(b.driver(), Duration.ofSeconds(60), Duration.ofMillis(20))
        .until(d -> js.executeScript("return performance.getEntriesByName('qg:chart-drawn').length") instanceof Number n && n.intValue() > 0
            && ((Number) js.executeScript("return performance.timing.loadEventEnd")).longValue() > 0);
    @SuppressWarnings("unchecked")
    Map<String, Number> t = (Map<String, Number>) js.executeScript("""
        const n = performance.getEntriesByType('navigation')[0];
        const m = (k) => { const e = performance.getEntriesByName(k)[0]; return e ? e.startTime : -1; };
        return { rs: n.responseStart, dcl: n.domContentLoadedEventEnd, load: n.loadEventEnd, fcp: m('first-contentful-paint'),
                 prices: m('qg:first-prices'), chart: m('qg:chart-drawn') };""");
    return new Sample(t.get("rs").doubleValue(), t.get("dcl").doubleValue(), t.get("fcp").doubleValue(),
        t.get("prices").doubleValue(), t.get("chart").doubleValue(), t.get("load").doubleValue());
  }

  /** The page's first data fetched without a browser: quote batch, first SSE event, chart, indicators. */
  private static void apiAlone(String base, Map<String, List<Double>> out) throws Exception {
    HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    out.computeIfAbsent("quotes", k -> new ArrayList<>()).add(time(http, base + "/api/v1/quotes?symbols=" + WATCHLIST));
    long t0 = System.nanoTime();
    HttpResponse<java.io.InputStream> sse = http.send(HttpRequest.newBuilder(URI.create(base + "/api/v1/stream/quotes?symbols=" + WATCHLIST)).build(),
        HttpResponse.BodyHandlers.ofInputStream());
    try (BufferedReader r = new BufferedReader(new InputStreamReader(sse.body(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = r.readLine()) != null && !line.startsWith("data:")) {
        // until the snapshot's data line
      }
    }
    out.computeIfAbsent("sse", k -> new ArrayList<>()).add((System.nanoTime() - t0) / 1e6);
    out.computeIfAbsent("chart", k -> new ArrayList<>()).add(time(http, base + "/api/v1/charts/AAPL?periods=1M"));
    out.computeIfAbsent("indicators", k -> new ArrayList<>()).add(time(http, base + "/api/v1/indicators/AAPL?range=1mo&interval=1h&sma=20"));
  }

  private static double time(HttpClient http, String url) throws Exception {
    long t0 = System.nanoTime();
    HttpResponse<byte[]> r = http.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofByteArray());
    if (r.statusCode() != 200) {
      throw new IllegalStateException(url + " answered " + r.statusCode());
    }
    return (System.nanoTime() - t0) / 1e6;
  }

  private static void row(StringBuilder md, String name, List<Sample> cold, List<Sample> fresh, List<Sample> warm,
      java.util.function.ToDoubleFunction<Sample> f, String api) {
    md.append("| ").append(name).append(" | ").append(ms(cold.isEmpty() ? -1 : f.applyAsDouble(cold.get(0))))
        .append(" | ").append(ms(median(fresh.stream().mapToDouble(f).boxed().toList())))
        .append(" | ").append(ms(median(warm.stream().mapToDouble(f).boxed().toList())))
        .append(" | ").append(api == null ? "" : api).append(" |\n");
  }

  private static double median(List<Double> v) {
    if (v == null || v.isEmpty()) {
      return -1;
    }
    double[] a = v.stream().mapToDouble(Double::doubleValue).toArray();
    Arrays.sort(a);
    return a.length % 2 == 1 ? a[a.length / 2] : (a[a.length / 2 - 1] + a[a.length / 2]) / 2;
  }

  private static String ms(double v) {
    return v < 0 ? "—" : String.format(Locale.ROOT, "%.0f ms", v);
  }

  private static double load() {
    return java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
  }

  private DashboardBenchmark() {}
}
