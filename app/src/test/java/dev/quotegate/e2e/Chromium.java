package dev.quotegate.e2e;

import dev.quotegate.testsupport.ServicesCondition;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;
import org.junit.jupiter.api.Assumptions;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;

/**
 * Debian's headless Chromium driven by its chromedriver over WebDriver, for the page's
 * end-to-end tests and the browser timings. Where either binary is missing the test is skipped
 * with the reason printed, or fails with {@code QUOTEGATE_REQUIRE_SERVICES=true} ({@code .ci/run}
 * installs both). Each browser gets a fresh profile; the flags keep it off every outside host.
 */
public final class Chromium implements AutoCloseable {

  static final String BROWSER = "/usr/bin/chromium";
  static final String DRIVER = "/usr/bin/chromedriver";

  /**
   * Collects what the page reports as broken, from the first script on: uncaught errors,
   * rejected promises, console.error calls and Content-Security-Policy violations.
   */
  private static final String ERROR_PROBE = """
      (() => {
        const errors = [];
        Object.defineProperty(window, '__qgErrors', { value: errors });
        addEventListener('error', (e) => errors.push('error: ' + (e.message || (e.target && e.target.src) || e.type)), true);
        addEventListener('unhandledrejection', (e) => errors.push('unhandled rejection: ' + (e.reason && e.reason.message || e.reason)));
        document.addEventListener('securitypolicyviolation', (e) => errors.push('CSP violation: ' + e.violatedDirective + ' ' + e.blockedURI));
        const original = console.error.bind(console);
        console.error = (...args) => { errors.push('console.error: ' + args.join(' ')); original(...args); };
      })();
      """;

  private final ChromeDriver driver;
  private final Path profile;

  private Chromium(ChromeDriver driver, Path profile) {
    this.driver = driver;
    this.profile = profile;
  }

  /** Whether both binaries are present. */
  static boolean present() {
    return new File(BROWSER).canExecute() && new File(DRIVER).canExecute();
  }

  /** Starts a browser, or skips (fails under QUOTEGATE_REQUIRE_SERVICES=true) without one. */
  public static Chromium startOrSkip(Path workDir, int width, int height) throws IOException {
    if (!present()) {
      String reason = "no headless browser: " + BROWSER + " or " + DRIVER + " missing (apt-get install chromium chromium-driver)";
      if (ServicesCondition.required()) {
        throw new IllegalStateException(reason + " and QUOTEGATE_REQUIRE_SERVICES=true");
      }
      System.out.println("SKIPPED: " + reason);
      Assumptions.abort(reason);
    }
    return start(workDir, width, height);
  }

  /** Starts a browser (the binaries must be there). */
  public static Chromium start(Path workDir, int width, int height) throws IOException {
    Files.createDirectories(workDir);
    Path profile = Files.createTempDirectory(workDir, "chromium-profile-");
    ChromeOptions options = new ChromeOptions();
    options.setBinary(BROWSER);
    options.addArguments(
        "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic",
        "--disable-dev-shm-usage", "--no-default-browser-check", "--disable-extensions",
        "--user-data-dir=" + profile, "--window-size=" + width + "," + height, "--lang=en-US");
    LoggingPreferences logs = new LoggingPreferences();
    logs.enable(LogType.BROWSER, Level.ALL);
    options.setCapability("goog:loggingPrefs", logs);
    ChromeDriverService service = new ChromeDriverService.Builder()
        .usingDriverExecutable(new File(DRIVER))
        .usingAnyFreePort()
        .withLogFile(workDir.resolve("chromedriver.log").toFile())
        .build();
    ChromeDriver driver = new ChromeDriver(service, options);
    driver.executeCdpCommand("Page.addScriptToEvaluateOnNewDocument", Map.of("source", ERROR_PROBE));
    return new Chromium(driver, profile);
  }

  public ChromeDriver driver() {
    return driver;
  }

  /** Errors the page itself saw since it loaded (scripts, promises, console.error, CSP). */
  @SuppressWarnings("unchecked")
  public List<String> pageErrors() {
    Object v = driver.executeScript("return window.__qgErrors ? Array.from(window.__qgErrors) : ['error probe missing'];");
    return v instanceof List<?> l ? new ArrayList<>((List<String>) l) : List.of();
  }

  /** Console entries at SEVERE level since the last call (includes failed requests). */
  public List<String> consoleErrors() {
    List<String> out = new ArrayList<>();
    for (LogEntry e : driver.manage().logs().get(LogType.BROWSER)) {
      if (e.getLevel().intValue() >= Level.SEVERE.intValue()) {
        out.add(e.getMessage());
      }
    }
    return out;
  }

  /** Emulates {@code prefers-color-scheme} (light or dark). */
  public void colorScheme(String scheme) {
    driver.executeCdpCommand("Emulation.setEmulatedMedia",
        Map.of("features", List.of(Map.of("name", "prefers-color-scheme", "value", scheme))));
  }

  /** A viewport of {@code width} x {@code height} CSS pixels (mobile for narrow widths). */
  public void viewport(int width, int height) {
    driver.executeCdpCommand("Emulation.setDeviceMetricsOverride",
        Map.of("width", width, "height", height, "deviceScaleFactor", 1, "mobile", width < 600));
  }

  public void clearViewport() {
    driver.executeCdpCommand("Emulation.clearDeviceMetricsOverride", Map.of());
  }

  /** A PNG of the whole page (beyond the viewport) at {@code file}. */
  @SuppressWarnings("unchecked")
  public Path screenshot(Path file) {
    try {
      Map<String, Object> metrics = driver.executeCdpCommand("Page.getLayoutMetrics", Map.of());
      Map<String, Object> size = (Map<String, Object>) metrics.get("cssContentSize");
      Number w = (Number) size.get("width");
      Number h = (Number) size.get("height");
      Map<String, Object> shot = driver.executeCdpCommand("Page.captureScreenshot", Map.of(
          "format", "png", "captureBeyondViewport", true,
          "clip", Map.of("x", 0, "y", 0, "width", w.doubleValue(), "height", Math.min(h.doubleValue(), 6000), "scale", 1)));
      Files.createDirectories(file.getParent());
      Files.write(file, Base64.getDecoder().decode((String) shot.get("data")));
      return file;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public void close() {
    driver.quit();
    try (var files = Files.walk(profile)) {
      files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException ignored) {
      // the profile lives under target/: a leftover is harmless
    }
  }
}
