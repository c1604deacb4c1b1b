package dev.quotegate.simulator;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;

/**
 * Runs the simulated exchange as its own process, without Spring, for benchmarks:
 *
 * <pre>
 * java -cp app/target/quotegate-app-0.1.0-SNAPSHOT.jar \
 *     -Dloader.main=dev.quotegate.simulator.SimulatorMain \
 *     org.springframework.boot.loader.launch.PropertiesLauncher --port=8090 --seed=42
 * </pre>
 *
 * <p>Options ({@code --name=value}, or system property {@code -Dquotegate.simulator.name=value}):
 * {@code host, port, seed, universe-size, batch-limit, max-bars, latency-ms, jitter-ms,
 * error-rate, hang-rate, malformed-rate, rate-limit-per-second, outage}. Prints
 * {@code SIMULATOR_PORT=<port>} on standard output once bound, then runs until killed.
 */
public final class SimulatorMain {

  private SimulatorMain() {}

  public static void main(String[] args) throws InterruptedException {
    SimulatorProperties properties;
    try {
      properties = parse(args);
    } catch (IllegalArgumentException e) {
      System.err.println("simulator: " + e.getMessage());
      System.exit(2);
      return;
    }
    Simulator simulator = Simulator.create(properties).start();
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      simulator.stop();
      stopped.countDown();
    }, "simulator-shutdown"));
    System.out.println("SIMULATOR_PORT=" + simulator.port());
    System.out.flush();
    stopped.await();
  }

  /** Reads {@code --name=value} arguments over {@code quotegate.simulator.*} system properties. */
  static SimulatorProperties parse(String[] args) {
    java.util.Map<String, String> options = new java.util.HashMap<>();
    System.getProperties().forEach((k, v) -> {
      String key = k.toString();
      if (key.startsWith("quotegate.simulator.")) {
        options.put(key.substring("quotegate.simulator.".length()), v.toString());
      }
    });
    for (String arg : args) {
      if (!arg.startsWith("--") || !arg.contains("=")) {
        throw new IllegalArgumentException("expected --name=value, got " + arg);
      }
      options.put(arg.substring(2, arg.indexOf('=')), arg.substring(arg.indexOf('=') + 1));
    }
    SimulatorProperties d = SimulatorProperties.defaults();
    java.util.Set<String> known = java.util.Set.of("host", "port", "seed", "universe-size",
        "batch-limit", "max-bars", "latency-ms", "jitter-ms", "error-rate", "hang-rate",
        "malformed-rate", "rate-limit-per-second", "outage");
    for (String name : options.keySet()) {
      if (!known.contains(name)) {
        throw new IllegalArgumentException("unknown option " + name + "; known: " + known);
      }
    }
    try {
      return new SimulatorProperties(
          true,
          options.getOrDefault("host", d.host()),
          Integer.parseInt(options.getOrDefault("port", Integer.toString(d.port()))),
          Long.parseLong(options.getOrDefault("seed", Long.toString(d.seed()))),
          Integer.parseInt(options.getOrDefault("universe-size", Integer.toString(d.universeSize()))),
          Integer.parseInt(options.getOrDefault("batch-limit", Integer.toString(d.batchLimit()))),
          Integer.parseInt(options.getOrDefault("max-bars", Integer.toString(d.maxBars()))),
          Duration.ofMillis(Long.parseLong(options.getOrDefault("latency-ms", "0"))),
          Duration.ofMillis(Long.parseLong(options.getOrDefault("jitter-ms", "0"))),
          Double.parseDouble(options.getOrDefault("error-rate", "0")),
          Double.parseDouble(options.getOrDefault("hang-rate", "0")),
          Double.parseDouble(options.getOrDefault("malformed-rate", "0")),
          Integer.parseInt(options.getOrDefault("rate-limit-per-second", "0")),
          Boolean.parseBoolean(options.getOrDefault("outage", "false")));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("bad number: " + e.getMessage(), e);
    }
  }
}
