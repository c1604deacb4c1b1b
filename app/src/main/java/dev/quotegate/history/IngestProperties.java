package dev.quotegate.history;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * Durable bulk-ingest jobs and the bulk write path ({@code quotegate.history.ingest.*}; the
 * older {@code quotegate.history.ingest-*} properties still bound the jobs' size and
 * concurrency).
 *
 * @param heartbeatInterval how often an instance marks its running jobs alive in the database
 *     and looks for jobs whose instance stopped beating
 * @param staleAfter a running job whose heartbeat is older than this is marked
 *     {@code interrupted} (its instance crashed or was killed); must exceed
 *     {@code heartbeat-interval}
 * @param maxSymbolBars most bars one symbol of a job may span (they are collected in memory and
 *     written in one transaction); a larger range is a 400 at submission
 * @param copy whether PostgreSQL writes of a symbol go through {@code COPY} into a staging table
 *     (then one {@code INSERT ... SELECT ... ON CONFLICT} per batch) rather than multi-row
 *     {@code INSERT}s; H2 always uses multi-row {@code MERGE}
 * @param copyBatchRows rows per COPY batch: one staging load and one merge statement each, the
 *     bound on encoded rows held in memory at once
 */
@Validated
@ConfigurationProperties("quotegate.history.ingest")
public record IngestProperties(
    @DefaultValue("5s") @NotNull Duration heartbeatInterval,
    @DefaultValue("30s") @NotNull Duration staleAfter,
    @DefaultValue("100000") @Min(1) @Max(10_000_000) int maxSymbolBars,
    @DefaultValue("true") boolean copy,
    @DefaultValue("5000") @Min(1) @Max(1_000_000) int copyBatchRows) {

  static IngestProperties defaults() {
    return new IngestProperties(Duration.ofSeconds(5), Duration.ofSeconds(30), 100_000, true, 5000);
  }
}
