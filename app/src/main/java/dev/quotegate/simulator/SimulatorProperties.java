package dev.quotegate.simulator;

import jakarta.validation.constraints.DecimalMax;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * Settings of the embedded simulated exchange ({@code quotegate.simulator.*}). The fault settings
 * are the ones the simulator starts with; {@code PUT /admin/faults} changes them at runtime.
 *
 * @param enabled whether the application starts the simulator
 * @param host address the simulator binds to
 * @param port TCP port; 0 picks a free one, published as {@code local.simulator.port}
 * @param seed seed of the universe, the price paths, the news and the fault dice
 * @param universeSize number of listed instruments (about 60 real large caps, then generated ones)
 * @param batchLimit most symbols one {@code /v1/quotes} call may ask for; more is a 400
 * @param maxBars most bars one {@code /v1/bars} call may return; more is a 400
 * @param latency fixed delay before every {@code /v1/*} answer; 0 = none
 * @param jitter extra delay drawn uniformly from [0, jitter] per request; 0 = none
 * @param errorRate fraction of {@code /v1/*} requests answered 500/502/503, 0.0–1.0
 * @param hangRate fraction of {@code /v1/*} requests never answered, 0.0–1.0
 * @param malformedRate fraction answered 200 with a truncated JSON body, 0.0–1.0
 * @param rateLimitPerSecond requests per second served before 429s; 0 = unlimited
 * @param outage whether every {@code /v1/*} request is answered 503 with Retry-After: 5
 */
@ConfigurationProperties("quotegate.simulator")
@Validated
public record SimulatorProperties(
    @DefaultValue("true") boolean enabled,
    @DefaultValue("127.0.0.1") @NotBlank String host,
    @DefaultValue("8090") @Min(0) @Max(65535) int port,
    @DefaultValue("42") long seed,
    @DefaultValue("500") @Min(1) @Max(Universe.MAX_SIZE) int universeSize,
    @DefaultValue("20") @Min(1) int batchLimit,
    @DefaultValue("5000") @Min(1) int maxBars,
    @DefaultValue("0") @NotNull Duration latency,
    @DefaultValue("0") @NotNull Duration jitter,
    @DefaultValue("0") @DecimalMin("0.0") @DecimalMax("1.0") double errorRate,
    @DefaultValue("0") @DecimalMin("0.0") @DecimalMax("1.0") double hangRate,
    @DefaultValue("0") @DecimalMin("0.0") @DecimalMax("1.0") double malformedRate,
    @DefaultValue("0") @Min(0) int rateLimitPerSecond,
    @DefaultValue("false") boolean outage) {

  public SimulatorProperties {
    if (host == null || host.isBlank()) {
      throw new IllegalArgumentException("host must not be blank");
    }
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("port must be in [0, 65535]: " + port);
    }
    if (universeSize < 1 || universeSize > Universe.MAX_SIZE) {
      throw new IllegalArgumentException("universeSize must be in [1, 5000]: " + universeSize);
    }
    if (batchLimit < 1 || maxBars < 1) {
      throw new IllegalArgumentException("batchLimit and maxBars must be >= 1");
    }
    // Validates latency, jitter, the rates and the rate limit.
    new Faults(latency, jitter, errorRate, rateLimitPerSecond, hangRate, malformedRate, outage);
  }

  /** The defaults, as Spring would bind them with no properties set. */
  public static SimulatorProperties defaults() {
    return new SimulatorProperties(true, "127.0.0.1", 8090, 42, 500, 20, 5000,
        Duration.ZERO, Duration.ZERO, 0, 0, 0, 0, false);
  }

  /** The faults the simulator starts with. */
  public Faults initialFaults() {
    return new Faults(latency, jitter, errorRate, rateLimitPerSecond, hangRate, malformedRate, outage);
  }

  /** A copy listening on {@code value} (0 = any free port). */
  public SimulatorProperties withPort(int value) {
    return new SimulatorProperties(enabled, host, value, seed, universeSize, batchLimit, maxBars,
        latency, jitter, errorRate, hangRate, malformedRate, rateLimitPerSecond, outage);
  }

  /** A copy with another seed. */
  public SimulatorProperties withSeed(long value) {
    return new SimulatorProperties(enabled, host, port, value, universeSize, batchLimit, maxBars,
        latency, jitter, errorRate, hangRate, malformedRate, rateLimitPerSecond, outage);
  }

  /** A copy with another universe size. */
  public SimulatorProperties withUniverseSize(int value) {
    return new SimulatorProperties(enabled, host, port, seed, value, batchLimit, maxBars,
        latency, jitter, errorRate, hangRate, malformedRate, rateLimitPerSecond, outage);
  }

  /** A copy with another quotes batch limit. */
  public SimulatorProperties withBatchLimit(int value) {
    return new SimulatorProperties(enabled, host, port, seed, universeSize, value, maxBars,
        latency, jitter, errorRate, hangRate, malformedRate, rateLimitPerSecond, outage);
  }

  /** A copy with another bars-per-call limit. */
  public SimulatorProperties withMaxBars(int value) {
    return new SimulatorProperties(enabled, host, port, seed, universeSize, batchLimit, value,
        latency, jitter, errorRate, hangRate, malformedRate, rateLimitPerSecond, outage);
  }

  /** A copy starting with {@code faults}. */
  public SimulatorProperties withFaults(Faults faults) {
    return new SimulatorProperties(enabled, host, port, seed, universeSize, batchLimit, maxBars,
        faults.latency(), faults.jitter(), faults.errorRate(), faults.hangRate(),
        faults.malformedRate(), faults.rateLimitPerSecond(), faults.outage());
  }
}
