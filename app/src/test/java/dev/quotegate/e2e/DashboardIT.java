package dev.quotegate.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quotegate.testsupport.SimulatorAdmin;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.Keys;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The dashboard end to end in headless Chromium (Selenium over Debian's chromedriver) against
 * the whole gateway and a real simulator over HTTP/2: the page loads with no console error,
 * prices tick, the chart draws for every period, search suggests, a portfolio values, the
 * operations view reads the gateway's own endpoints, the page works at 390 px and in dark
 * mode, an upstream outage shows stale badges with no blank panel, and the stream reconnects
 * on its own after the gateway restarts on the same port. A screenshot of each state goes to
 * {@code target/e2e-screenshots/}. Skipped with a printed reason without Chromium (fails with
 * {@code QUOTEGATE_REQUIRE_SERVICES=true}).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DashboardIT {

  private static final Path TARGET = Path.of(System.getProperty("project.build.directory", "target"));
  private static final Path SHOTS = TARGET.resolve("e2e-screenshots");
  private static final String[] PERIODS = {"1D", "5D", "1M", "6M", "1Y", "5Y"};

  PageGateway gateway;
  Chromium browser;
  ChromeDriver driver;
  SimulatorAdmin sim;

  @BeforeAll
  void start() throws Exception {
    Path work = TARGET.resolve("e2e").resolve(UUID.randomUUID().toString());
    Files.createDirectories(work);
    browser = Chromium.startOrSkip(work, 1280, 1000);
    driver = browser.driver();
    gateway = PageGateway.start(work, "e2e-" + UUID.randomUUID());
    sim = new SimulatorAdmin(gateway.simulator.port());
  }

  @AfterAll
  void stop() {
    if (browser != null) {
      browser.close();
    }
    if (gateway != null) {
      gateway.close();
    }
  }

  // ------------------------------------------------------------------ helpers

  private WebDriverWait waitUpTo(int seconds) {
    WebDriverWait w = new WebDriverWait(driver, Duration.ofSeconds(seconds), Duration.ofMillis(100));
    w.ignoring(org.openqa.selenium.StaleElementReferenceException.class);
    return w;
  }

  private Object js(String script, Object... args) {
    return ((JavascriptExecutor) driver).executeScript(script, args);
  }

  private String attr(String css, String name) {
    return (String) js("const e = document.querySelector(arguments[0]); return e ? e.getAttribute(arguments[1]) : null;", css, name);
  }

  private long number(String script, Object... args) {
    Object v = js(script, args);
    return v == null ? 0 : ((Number) v).longValue();
  }

  private void shot(String name) {
    browser.screenshot(SHOTS.resolve(name + ".png"));
  }

  private void open(String path) {
    driver.get(gateway.url(path));
    browser.consoleErrors(); // start each page with an empty console record
  }

  private void waitForPrices() {
    waitUpTo(20).withMessage("a price painted in the watchlist")
        .until(d -> number("return document.querySelectorAll('#watchlist tr[data-state=ok], #watchlist tr[data-state=stale]').length") > 0);
  }

  private void waitForChart(String period) {
    waitUpTo(30).withMessage("the " + period + " chart drawn")
        .until(d -> "drawn".equals(attr("#chart [data-role=canvas]", "data-state"))
            && period.equals(attr("#chart [data-role=canvas]", "data-period")));
  }

  /** Non-transparent pixels sampled on the chart's canvas: above zero when something is drawn. */
  private long paintedPixels(String panel) {
    return number("""
        const c = document.querySelector(arguments[0] + ' canvas');
        if (!c || !c.width) return 0;
        const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
        let n = 0; for (let k = 3; k < d.length; k += 16) if (d[k] !== 0) n++;
        return n;""", panel);
  }

  private void assertNoConsoleError(String when) {
    assertThat(browser.pageErrors()).as("errors the page saw " + when).isEmpty();
    assertThat(browser.consoleErrors()).as("console errors " + when).isEmpty();
  }

  /** Errors allowed while the gateway or its upstream is down are failed requests only. */
  private void assertOnlyFailedRequests(String when) {
    assertThat(browser.pageErrors()).as("script errors " + when).isEmpty();
    List<String> other = new ArrayList<>();
    for (String e : browser.consoleErrors()) {
      if (!e.contains("Failed to load resource") && !e.contains("net::ERR_") && !e.contains("EventSource")) {
        other.add(e);
      }
    }
    assertThat(other).as("console errors other than failed requests " + when).isEmpty();
  }

  private double mark(String name) {
    Object v = js("const m = performance.getEntriesByName(arguments[0])[0]; return m ? m.startTime : null;", name);
    return v == null ? -1 : ((Number) v).doubleValue();
  }

  // ------------------------------------------------------------------ tests

  @Test
  @Order(1)
  void pageLoadsWithoutConsoleErrorAndPricesTickWithinTenSeconds() {
    open("/");
    waitForPrices();
    waitUpTo(15).withMessage("stream live").until(d -> "live".equals(attr("#conn", "data-state")));
    assertThat(attr("#watchlist tbody tr[data-symbol=AAPL]", "data-state")).as("AAPL row, new user's default watchlist").isEqualTo("ok");

    long ticks = number("return +document.querySelector('#watchlist tr[data-symbol=AAPL]').dataset.ticks");
    String fetchedAt = attr("#watchlist tr[data-symbol=AAPL]", "data-fetched-at");
    @SuppressWarnings("unchecked")
    List<String> prices = (List<String>) js("return [...document.querySelectorAll('#watchlist td.price')].map(e => e.textContent)");
    waitUpTo(10).withMessage("a new AAPL value painted within 10 s")
        .until(d -> number("return +document.querySelector('#watchlist tr[data-symbol=AAPL]').dataset.ticks") > ticks
            && !fetchedAt.equals(attr("#watchlist tr[data-symbol=AAPL]", "data-fetched-at")));
    waitUpTo(10).withMessage("a watchlist price changed within 10 s")
        .until(d -> !prices.equals(js("return [...document.querySelectorAll('#watchlist td.price')].map(e => e.textContent)")));
    waitForChart("1M");
    assertThat(mark("qg:first-prices")).as("first prices mark").isPositive();
    assertThat(mark("qg:chart-drawn")).as("chart drawn mark").isGreaterThanOrEqualTo(mark("qg:first-prices"));
    System.out.printf("dashboard e2e: first prices painted at %.0f ms, chart drawn at %.0f ms after navigation start%n",
        mark("qg:first-prices"), mark("qg:chart-drawn"));
    waitUpTo(20).withMessage("movers, sectors and news loaded")
        .until(d -> "ready".equals(attr("#movers", "data-state")) && "ready".equals(attr("#sectors", "data-state"))
            && List.of("ready", "empty").contains(attr("#news", "data-state")));
    waitUpTo(20).withMessage("the one-call summary painted its index tiles")
        .until(d -> number("return document.querySelectorAll('#summary ul.tiles li.tile').length") >= 1);
    shot("01-loaded");
    assertNoConsoleError("on load");
  }

  @Test
  @Order(2)
  void chartDrawsForEveryPeriodInCandlesAndLineWithOverlays() {
    waitForChart("1M");
    for (String p : PERIODS) {
      driver.findElement(By.cssSelector("#chart button[data-period='" + p + "']")).click();
      waitForChart(p);
      assertThat(Long.parseLong(attr("#chart [data-role=canvas]", "data-bars"))).as("bars of " + p).isPositive();
      assertThat(paintedPixels("#chart")).as("pixels painted for " + p).isGreaterThan(200);
      assertThat(driver.getCurrentUrl()).as("the period is kept in the URL").contains("period=" + p);
      shot("02-chart-" + p);
    }
    driver.findElement(By.cssSelector("#chart button[data-type=line]")).click();
    waitUpTo(10).until(d -> "line".equals(attr("#chart [data-role=canvas]", "data-type")));
    driver.findElement(By.cssSelector("#chart input[data-overlay=bollinger]")).click();
    waitUpTo(20).withMessage("Bollinger overlay drawn").until(d ->
        "ready".equals(attr("#chart", "data-state")) && (Boolean) js("return document.querySelector('#chart [data-role=readout]').textContent.includes('BB upper')"));
    assertThat(paintedPixels("#chart")).isGreaterThan(200);
    shot("02-chart-line-bollinger");
    driver.findElement(By.cssSelector("#chart button[data-type=candles]")).click();
    driver.findElement(By.cssSelector("#chart button[data-period='1M']")).click();
    waitForChart("1M");
    assertNoConsoleError("while switching chart periods");
  }

  @Test
  @Order(3)
  void searchSuggestsAaplForAppAndIsUsableFromTheKeyboard() {
    WebElement search = driver.findElement(By.id("search"));
    search.click();
    search.sendKeys("app");
    waitUpTo(10).withMessage("AAPL suggested for 'app'")
        .until(d -> number("return document.querySelectorAll('#search-list [role=option][data-symbol=AAPL]').length") == 1
            && driver.findElement(By.id("search-list")).isDisplayed());
    assertThat(search.getAttribute("aria-expanded")).isEqualTo("true");
    shot("03-search-app");
    search.sendKeys(Keys.ARROW_DOWN);
    assertThat(search.getAttribute("aria-activedescendant")).as("first suggestion active").isEqualTo("opt-0");
    search.sendKeys(Keys.ESCAPE);
    assertThat(driver.findElement(By.id("search-list")).isDisplayed()).isFalse();

    // A symbol not on the watchlist, chosen with the keyboard only: added and charted.
    search.clear();
    search.sendKeys("oracle");
    waitUpTo(10).until(d -> number("return document.querySelectorAll('#search-list [role=option][data-symbol=ORCL]').length") == 1);
    search.sendKeys(Keys.ARROW_DOWN, Keys.ENTER);
    waitUpTo(10).withMessage("ORCL added to the watchlist").until(d -> number("return document.querySelectorAll('#watchlist tr[data-symbol=ORCL]').length") == 1);
    waitUpTo(20).until(d -> "ORCL".equals(attr("#chart [data-role=canvas]", "data-symbol")));
    assertThat(driver.getCurrentUrl()).as("watchlist kept in the URL").contains("ORCL");
    assertThat((String) js("return localStorage.getItem('qg.dashboard')")).as("and in localStorage").contains("ORCL");
    driver.findElement(By.cssSelector("#watchlist tr[data-symbol=ORCL] button[aria-label^='Remove']")).click();
    waitUpTo(5).until(d -> number("return document.querySelectorAll('#watchlist tr[data-symbol=ORCL]').length") == 0);
    assertNoConsoleError("while searching");
  }

  @Test
  @Order(4)
  void portfolioValuesAndShowsPerformance() {
    WebElement holdings = driver.findElement(By.id("holdings"));
    holdings.clear();
    holdings.sendKeys("symbol,quantity,costBasis\nAAPL,10,150\nMSFT,5");
    driver.findElement(By.cssSelector("#portfolio-form button[type=submit]")).click();
    waitUpTo(15).withMessage("portfolio valued").until(d -> "ready".equals(attr("#portfolio", "data-state"))
        && number("return document.querySelectorAll('#portfolio table.positions tbody tr').length") == 2);
    String total = driver.findElement(By.cssSelector("#portfolio [data-role=total-value]")).getText();
    assertThat(total).as("total market value").matches("\\$[0-9,]+\\.[0-9]{2}");
    @SuppressWarnings("unchecked")
    List<String> values = (List<String>) js("return [...document.querySelectorAll('#portfolio table.positions tbody tr td:nth-of-type(3)')].map(e => e.textContent)");
    BigDecimal sum = values.stream().map(v -> new BigDecimal(v.replaceAll("[$,]", ""))).reduce(BigDecimal.ZERO, BigDecimal::add);
    assertThat(sum).as("positions add up to the total").isEqualByComparingTo(new BigDecimal(total.replaceAll("[$,]", "")));
    waitUpTo(90).withMessage("one-year performance against the benchmark shown")
        .until(d -> number("return document.querySelectorAll('#portfolio [data-role=performance] dl.kv dt').length") >= 5);
    shot("04-portfolio");

    holdings.clear();
    holdings.sendKeys("AAPL,abc");
    driver.findElement(By.cssSelector("#portfolio-form button[type=submit]")).click();
    assertThat(driver.findElement(By.id("holdings-error")).getText()).contains("Line 1").contains("quantity");
    assertNoConsoleError("while valuing a portfolio");
  }

  @Test
  @Order(5)
  void operationsViewShowsCachesUpstreamCircuitsAndStreamsWithTheTokenKeptOutOfTheUrl() {
    open("/ops");
    waitUpTo(20).withMessage("metrics read").until(d -> "ready".equals(attr("#upstream", "data-state")));
    assertThat(number("return document.querySelectorAll('#cache tr[data-cache]').length")).as("cache rows").isPositive();
    assertThat(number("return document.querySelectorAll('#upstream tr[data-provider=sim]').length")).as("sim upstream rows").isPositive();
    assertThat(attr("#circuits tr[data-provider=sim]", "data-circuit")).as("sim circuit").isEqualTo("CLOSED");
    assertThat((String) js("return document.getElementById('streams').textContent")).contains("SSE connections");
    assertThat(driver.findElement(By.id("health")).getText()).startsWith("Health ");

    WebElement token = driver.findElement(By.id("token"));
    token.sendKeys(gateway.adminToken);
    token.submit();
    waitUpTo(15).withMessage("admin cache details").until(d -> number("return document.querySelectorAll('#cache tr[data-kind=quote]').length") == 1);
    waitUpTo(15).withMessage("a rate once two samples exist")
        .until(d -> !driver.findElement(By.cssSelector("#trend [data-role=readout]")).getText().contains("— upstream"));
    assertThat(driver.getCurrentUrl()).as("token never in the URL").doesNotContain(gateway.adminToken);
    assertThat((String) js("return sessionStorage.getItem('qg.adminToken')")).isEqualTo(gateway.adminToken);
    assertThat((String) js("return localStorage.getItem('qg.adminToken')")).as("never in localStorage").isNull();
    shot("05-ops");
    assertNoConsoleError("on the operations view");
  }

  @Test
  @Order(6)
  void usableAt390PxKeyboardReachableLabelledAndReadableInLightAndDark() {
    browser.viewport(390, 844);
    try {
      open("/");
      waitForPrices();
      waitForChart("1M");
      assertThat(number("return document.documentElement.scrollWidth - window.innerWidth")).as("no sideways scrolling at 390 px").isLessThanOrEqualTo(0);
      shot("06-mobile-390");
    } finally {
      browser.clearViewport();
    }
    @SuppressWarnings("unchecked")
    List<String> unlabelled = (List<String>) js("""
        const named = (e) => (e.getAttribute('aria-label') || '').trim() || (e.getAttribute('aria-labelledby') && document.getElementById(e.getAttribute('aria-labelledby')))
          || (e.id && document.querySelector('label[for="' + e.id + '"]')) || e.closest('label') || (e.textContent || '').trim() || (e.getAttribute('title') || '').trim();
        return [...document.querySelectorAll('button, input, textarea, select, [role=combobox], [role=img], a[href]')]
          .filter((e) => e.offsetParent !== null || e.getClientRects().length).filter((e) => !named(e)).map((e) => e.outerHTML.slice(0, 80));""");
    assertThat(unlabelled).as("controls without an accessible name").isEmpty();
    assertThat(number("return document.querySelectorAll('main section[aria-labelledby]').length")).as("labelled regions").isGreaterThanOrEqualTo(7);

    // Keyboard: the skip link, then the brand, then the search box.
    js("document.activeElement && document.activeElement.blur(); window.scrollTo(0, 0)");
    driver.findElement(By.tagName("body")).sendKeys(Keys.TAB);
    assertThat((String) js("return document.activeElement.className")).isEqualTo("skip");
    new org.openqa.selenium.interactions.Actions(driver).sendKeys(Keys.TAB, Keys.TAB).perform();
    assertThat((String) js("return document.activeElement.id")).as("search reached by Tab").isEqualTo("search");

    for (String scheme : new String[] {"light", "dark"}) {
      browser.colorScheme(scheme);
      open("/");
      waitForPrices();
      waitForChart("1M");
      double contrast = ((Number) js("""
          const rgb = (s) => s.match(/[\\d.]+/g).slice(0, 3).map(Number);
          const lum = (c) => { const [r, g, b] = c.map((v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; }); return 0.2126 * r + 0.7152 * g + 0.0722 * b; };
          const ratio = (a, b) => { const [x, y] = [lum(rgb(a)), lum(rgb(b))].sort((p, q) => q - p); return (x + 0.05) / (y + 0.05); };
          const panel = getComputedStyle(document.querySelector('.panel')).backgroundColor;
          const worst = [...document.querySelectorAll('.panel h2, .panel td, .panel .meta, .panel .note, .age-text')]
            .map((e) => ratio(getComputedStyle(e).color, panel));
          return Math.min(...worst);""")).doubleValue();
      assertThat(contrast).as("lowest text contrast in " + scheme + " mode (WCAG AA: 4.5)").isGreaterThanOrEqualTo(4.5);
      boolean dark = (Boolean) js("return matchMedia('(prefers-color-scheme: dark)').matches");
      assertThat(dark).isEqualTo(scheme.equals("dark"));
      shot("06-" + scheme);
    }
    browser.colorScheme("light");
    assertNoConsoleError("at 390 px and in dark mode");
  }

  @Test
  @Order(7)
  void outageShowsStaleBadgesAndNoPanelGoesBlank() {
    open("/");
    waitForPrices();
    waitForChart("1M");
    waitUpTo(20).until(d -> "ready".equals(attr("#movers", "data-state")));
    sim.faults("{\"outage\":true}");
    try {
      waitUpTo(20).withMessage("a stale badge on the live page")
          .until(d -> number("return [...document.querySelectorAll('#watchlist .badge-stale')].filter((b) => !b.hidden).length") > 0);
      assertThat(driver.findElement(By.cssSelector("#watchlist [data-role=stale]")).isDisplayed()).as("stale banner").isTrue();
      shot("07-outage-live");

      // A new visit during the outage: everything served from what the gateway has, marked.
      open("/");
      waitForPrices();
      waitUpTo(20).withMessage("stale rows after a reload")
          .until(d -> number("return document.querySelectorAll('#watchlist tr[data-state=stale]').length") > 0);
      waitUpTo(45).withMessage(() -> "every panel settled: " + js(
              "return [...document.querySelectorAll('main > section.panel')].map((p) => p.id + '=' + p.dataset.state).join(' ') + ' in flight: ' + [...window.__qgInflight.values()].join(', ') + ' now ' + Math.round(performance.now())"))
          .until(d -> number(
          "return [...document.querySelectorAll('main > section.panel')].filter((p) => p.dataset.state === 'loading').length") == 0);
      @SuppressWarnings("unchecked")
      Map<String, Object> blank = (Map<String, Object>) js("""
          const out = {};
          for (const p of document.querySelectorAll('main > section.panel')) {
            const text = p.innerText.replace(p.querySelector('h2').innerText, '').trim();
            const canvas = p.querySelector('canvas');
            if (text.length < 20 && !canvas) out[p.id] = text;
          }
          return out;""");
      assertThat(blank).as("panels with nothing to show").isEmpty();
      String chart = attr("#chart [data-role=canvas]", "data-state");
      assertThat(chart.equals("drawn") || driver.findElement(By.cssSelector("#chart [data-role=state]")).isDisplayed())
          .as("chart drawn from stored bars, or its error shown").isTrue();
      shot("07-outage-reload");
      assertOnlyFailedRequests("during the outage");
    } finally {
      sim.faults("{\"outage\":false}");
    }
  }

  @Test
  @Order(8)
  void streamReconnectsOnItsOwnAfterTheGatewayRestarts() {
    open("/");
    waitForPrices();
    waitUpTo(15).until(d -> "live".equals(attr("#conn", "data-state")));
    gateway.stopGateway();
    waitUpTo(20).withMessage("reconnecting shown while the gateway is down")
        .until(d -> "reconnecting".equals(attr("#conn", "data-state")));
    shot("08-reconnecting");
    long ticks = number("return +document.querySelector('#watchlist tr[data-symbol=AAPL]').dataset.ticks");
    gateway.startGateway();
    waitUpTo(60).withMessage("stream live again without a reload")
        .until(d -> "live".equals(attr("#conn", "data-state")));
    waitUpTo(20).withMessage("new prices after the restart")
        .until(d -> number("return +document.querySelector('#watchlist tr[data-symbol=AAPL]').dataset.ticks") > ticks);
    shot("08-reconnected");
    assertOnlyFailedRequests("across the restart");
  }
}
