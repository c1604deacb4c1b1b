package dev.quotegate.history;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * Price history: storage, backfill and request bounds ({@code quotegate.history.*}).
 *
 * @param dbUrl R2DBC URL of the bar store ({@code r2dbc:postgresql://host:5432/db});
 *     empty means the embedded H2 file database under {@code dataDir}. Bound from
 *     {@code QUOTEGATE_DB_URL}. Credentials in it are never logged.
 * @param dbUsername database user, overriding one given in {@code dbUrl}
 * @param dbPassword database password, overriding one given in {@code dbUrl}; never logged
 * @param dbSchema schema holding the tables (created by the migrations when missing); empty
 *     means the connection's default schema
 * @param dataDir directory of the embedded H2 database file (created when missing)
 * @param poolInitialSize connections opened when the pool starts
 * @param poolMaxSize most connections open to the database
 * @param poolMaxPending most callers waiting for a connection; beyond it a read or write
 *     fails at once (and history is served from the provider, not stored)
 * @param poolAcquireTimeout longest wait for a pooled connection
 * @param poolMaxIdleTime idle connections are closed after this
 * @param connectTimeout longest time to open one database connection
 * @param queryTimeout longest time one read or one batch write may take
 * @param unavailableBackoff after a database failure, how long requests skip the database
 *     (served from the provider, not stored) before it is tried again
 * @param migrationRetryInterval how often migrations are retried when the database was down
 *     at start-up
 * @param writeBatchSize most rows per INSERT/MERGE statement
 * @param maxBars most bars one history request may return; more is a 400
 * @param maxGapFetches most separate upstream range requests one history request may cause;
 *     beyond it the closest gaps are merged (re-fetching a few stored bars)
 * @param gapConcurrency upstream range requests one history request runs at once
 * @param maxInFlight most distinct (symbol, interval, range) backfills in flight at once
 * @param currentBarTtl how long a bar still in progress (current session, week) is served
 *     from the store before it is fetched again
 * @param settledMaxAge Cache-Control max-age of a series whose every bar is final
 * @param earliest first day of {@code range=max}
 * @param ingestMaxSymbols most symbols one bulk-ingest job may name
 * @param ingestConcurrency symbols one bulk-ingest job loads at once
 * @param ingestMaxRunning most bulk-ingest jobs running at once; more is a 503
 * @param ingestRetainedJobs finished jobs kept for the status endpoint (oldest dropped first)
 * @param ingestProgressInterval how often a running job logs its progress
 */
@Validated
@ConfigurationProperties("quotegate.history")
public record HistoryProperties(
    String dbUrl,
    String dbUsername,
    String dbPassword,
    @Pattern(regexp = "|[a-z_][a-z0-9_]{0,62}", message = "lower-case SQL identifier") String dbSchema,
    @DefaultValue("./data") @NotNull Path dataDir,
    @DefaultValue("0") @Min(0) int poolInitialSize,
    @DefaultValue("10") @Min(1) @Max(200) int poolMaxSize,
    @DefaultValue("1000") @Min(1) int poolMaxPending,
    @DefaultValue("2s") @NotNull Duration poolAcquireTimeout,
    @DefaultValue("10m") @NotNull Duration poolMaxIdleTime,
    @DefaultValue("2s") @NotNull Duration connectTimeout,
    @DefaultValue("5s") @NotNull Duration queryTimeout,
    @DefaultValue("5s") @NotNull Duration unavailableBackoff,
    @DefaultValue("30s") @NotNull Duration migrationRetryInterval,
    @DefaultValue("500") @Min(1) @Max(5000) int writeBatchSize,
    @DefaultValue("5000") @Min(1) @Max(100000) int maxBars,
    @DefaultValue("16") @Min(1) @Max(1000) int maxGapFetches,
    @DefaultValue("4") @Min(1) @Max(64) int gapConcurrency,
    @DefaultValue("10000") @Min(1) int maxInFlight,
    @DefaultValue("15s") @NotNull Duration currentBarTtl,
    @DefaultValue("1d") @NotNull Duration settledMaxAge,
    @DefaultValue("1990-01-01") @NotNull LocalDate earliest,
    @DefaultValue("5000") @Min(1) int ingestMaxSymbols,
    @DefaultValue("4") @Min(1) @Max(64) int ingestConcurrency,
    @DefaultValue("2") @Min(1) @Max(16) int ingestMaxRunning,
    @DefaultValue("100") @Min(1) @Max(10000) int ingestRetainedJobs,
    @DefaultValue("10s") @NotNull Duration ingestProgressInterval) {

  /** Whether the embedded H2 database is used (no {@code dbUrl}). */
  public boolean embedded() {
    return dbUrl == null || dbUrl.isBlank();
  }

  @Override
  public String toString() {
    return "HistoryProperties[dbUrl="
        + (embedded() ? "embedded H2 in " + dataDir : redact(dbUrl))
        + ", dbUsername=" + dbUsername
        + ", dbPassword=" + (dbPassword == null ? "unset" : "****")
        + ", dbSchema=" + dbSchema
        + ", poolMaxSize=" + poolMaxSize
        + ", maxBars=" + maxBars
        + "]";
  }

  /** {@code url} without a password in its user-info part. */
  static String redact(String url) {
    if (url == null) {
      return null;
    }
    int scheme = url.indexOf("://");
    int at = url.indexOf('@', Math.max(scheme, 0));
    if (scheme < 0 || at < 0) {
      return url.replaceAll("(?i)(password=)[^&;]*", "$1****");
    }
    String userInfo = url.substring(scheme + 3, at);
    int colon = userInfo.indexOf(':');
    String user = colon < 0 ? userInfo : userInfo.substring(0, colon) + ":****";
    return (url.substring(0, scheme + 3) + user + url.substring(at)).replaceAll("(?i)(password=)[^&;]*", "$1****");
  }
}
