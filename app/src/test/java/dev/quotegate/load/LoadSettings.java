package dev.quotegate.load;

import static io.gatling.javaapi.http.HttpDsl.http;

import io.gatling.javaapi.http.HttpProtocolBuilder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;

/**
 * What every simulation reads from system properties ({@code -Dname=value} on the Maven
 * command line), so one simulation runs unchanged against the gateway, the nginx peer or the
 * baseline server.
 *
 * <ul>
 *   <li>{@code target}: base URL of the system under test (default
 *       {@code http://127.0.0.1:8080}); only loopback addresses are accepted: load is never
 *       sent off this machine
 *   <li>{@code users}, {@code duration} (seconds), {@code ramp} (seconds): shape of the load,
 *       defaults per simulation
 *   <li>{@code p99Ms}, {@code maxErrorPct}: the assertions' thresholds, defaults per simulation
 *   <li>{@code seed}, {@code universe}: the simulator's universe the symbols are drawn from
 *       (same defaults as the simulator: 42, 500)
 *   <li>{@code facts}: optional file the simulation writes {@code key=value} facts to after the
 *       run (distinct symbols, events counted...), read by {@code app/bench/run.sh}
 * </ul>
 */
final class LoadSettings {

  private LoadSettings() {}

  /** Base URL of the system under test, checked to be on this machine. */
  static String target() {
    String raw = System.getProperty("target", "http://127.0.0.1:8080");
    URI uri = URI.create(raw);
    if (!isLoopback(uri.getHost())) {
      throw new IllegalArgumentException("target must be a loopback address (127.0.0.0/8, localhost, [::1]): " + raw);
    }
    return raw.endsWith("/") ? raw.substring(0, raw.length() - 1) : raw;
  }

  /**
   * HTTP/1.1 keep-alive, one connection per virtual user (as browsers behind one dashboard
   * would hold), gzip accepted like a browser, no client-side HTTP cache (so every request is
   * measured at the server) and no warm-up call (it would leave the machine).
   */
  static HttpProtocolBuilder protocol() {
    return http.baseUrl(target())
        .disableWarmUp()
        .disableCaching() // every poll reaches the server, as a fetch() with no-store would
        .acceptHeader("application/json")
        .acceptEncodingHeader("gzip, deflate")
        .userAgentHeader("quotegate-load/1 (Gatling)");
  }

  static boolean isLoopback(String host) {
    if (host == null) {
      return false;
    }
    String h = host.startsWith("[") ? host.substring(1, host.length() - 1) : host;
    if (h.equals("localhost")) {
      return true;
    }
    // Literal addresses only: a name other than localhost is refused rather than resolved.
    if (!h.matches("[0-9.]+|[0-9a-fA-F:]+")) {
      return false;
    }
    try {
      return InetAddress.getByName(h).isLoopbackAddress();
    } catch (UnknownHostException e) {
      return false;
    }
  }

  static int intProp(String name, int def) {
    int v = Integer.getInteger(name, def);
    if (v < 0) {
      throw new IllegalArgumentException(name + " must be >= 0, got " + v);
    }
    return v;
  }

  static double doubleProp(String name, double def) {
    String v = System.getProperty(name);
    return v == null || v.isBlank() ? def : Double.parseDouble(v.trim());
  }

  static Duration seconds(String name, int def) {
    return Duration.ofSeconds(intProp(name, def));
  }

  static long seed() {
    return Long.getLong("seed", 42L);
  }

  static int universe() {
    return intProp("universe", 500);
  }

  /** Writes {@code facts} (sorted) to the file named by {@code -Dfacts}, if given. */
  static void writeFacts(Map<String, ?> facts) {
    String file = System.getProperty("facts");
    StringBuilder sb = new StringBuilder();
    new TreeMap<>(facts).forEach((k, v) -> sb.append(k).append('=').append(v).append('\n'));
    System.out.print(sb);
    if (file == null || file.isBlank()) {
      return;
    }
    try {
      Path path = Path.of(file);
      if (path.getParent() != null) {
        Files.createDirectories(path.getParent());
      }
      Files.writeString(path, sb.toString(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
