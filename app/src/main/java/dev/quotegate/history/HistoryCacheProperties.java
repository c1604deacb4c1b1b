package dev.quotegate.history;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;
import org.springframework.validation.annotation.Validated;

/**
 * History held in memory ({@code quotegate.history.cache.*}): settled series with their encoded
 * JSON, and bars fetched while the database is down.
 *
 * @param seriesMaxSize most bytes (estimated: bars plus their encoded JSON) of served series
 *     kept in memory; 0 turns the series cache off
 * @param unstoredMaxSize most bytes (estimated) of bars fetched while the database was down,
 *     kept to serve later reads without going upstream and to be written when it is back;
 *     beyond it the least recently used series are dropped (counted) and fetched again if read
 * @param unstoredFlushInterval how often bars held in memory are written to the store once it
 *     is available again
 * @param unstoredFetchRate most upstream range fetches per second while the database is
 *     unavailable; beyond it a read is served what memory holds, or a 503 when it holds
 *     nothing for the series
 */
@Validated
@ConfigurationProperties("quotegate.history.cache")
public record HistoryCacheProperties(
    @DefaultValue("64MB") @NotNull DataSize seriesMaxSize,
    @DefaultValue("32MB") @NotNull DataSize unstoredMaxSize,
    @DefaultValue("1s") @NotNull Duration unstoredFlushInterval,
    @DefaultValue("20") @Min(1) @Max(10000) int unstoredFetchRate) {

  /** The defaults, for code that builds the feature by hand (tests, benchmarks). */
  static HistoryCacheProperties defaults() {
    return new HistoryCacheProperties(DataSize.ofMegabytes(64), DataSize.ofMegabytes(32), Duration.ofSeconds(1), 20);
  }
}
