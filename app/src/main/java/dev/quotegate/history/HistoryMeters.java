package dev.quotegate.history;

/**
 * The one place that names the history feature's meters. No meter is tagged with a symbol.
 */
final class HistoryMeters {

  /** Counter: bar rows read from the store. */
  static final String ROWS_READ = "quotegate.history.rows.read";
  /** Counter: bar rows written (inserted or replaced). */
  static final String ROWS_WRITTEN = "quotegate.history.rows.written";
  /** Timer (percentile histogram), tags {@code op=read|write}, {@code outcome=success|error}. */
  static final String QUERIES = "quotegate.history.db.queries";
  /** Counter, tag {@code op=read|write}: database failures that made history skip the store. */
  static final String DB_FAILURES = "quotegate.history.db.failures";
  /** Gauge: 1 while the store is used, 0 while history is served from the provider only. */
  static final String DB_AVAILABLE = "quotegate.history.db.available";
  /** Counter: schema migration attempts that failed. */
  static final String MIGRATION_FAILURES = "quotegate.history.db.migration.failures";
  /** Gauge, tag {@code state=acquired|idle|allocated|pending}: pool connections. */
  static final String POOL_CONNECTIONS = "quotegate.history.db.pool.connections";
  /** Gauge: the pool's connection bound. */
  static final String POOL_MAX = "quotegate.history.db.pool.connections.max";
  /** Gauge: the pool's bound on waiting callers. */
  static final String POOL_PENDING_MAX = "quotegate.history.db.pool.pending.max";
  /** Counter, tag {@code outcome=success|not_found|error}: upstream range fetches for gaps. */
  static final String BACKFILL_REQUESTS = "quotegate.history.backfill.requests";
  /** Counter: bars received from providers by backfills. */
  static final String BACKFILL_BARS = "quotegate.history.backfill.bars";
  /** Timer, tags {@code served=store|store_upstream|upstream}, {@code outcome}: history reads. */
  static final String REQUESTS = "quotegate.history.requests";
  /** Counter, tag {@code outcome=done|failed}: symbols processed by bulk-ingest jobs. */
  static final String INGEST_SYMBOLS = "quotegate.history.ingest.symbols";
  /** Counter: bar rows written by bulk-ingest jobs (also in {@link #ROWS_WRITTEN}). */
  static final String INGEST_ROWS = "quotegate.history.ingest.rows";
  /** Counter: running bulk-ingest jobs marked interrupted (their instance stopped or stopped beating). */
  static final String INGEST_INTERRUPTED = "quotegate.history.ingest.interrupted";
  /** Gauge: bulk-ingest jobs running. */
  static final String INGEST_RUNNING = "quotegate.history.ingest.running";
  /** Gauge: bound on bulk-ingest jobs running at once. */
  static final String INGEST_RUNNING_MAX = "quotegate.history.ingest.running.max";

  /** Counter: bars fetched while the database was unavailable and held in memory. */
  static final String UNSTORED_ADDED = "quotegate.history.unstored.added";
  /** Counter: held bars written to the store once it was back. */
  static final String UNSTORED_FLUSHED = "quotegate.history.unstored.flushed";
  /** Counter: attempts to write held bars that failed (kept, retried). */
  static final String UNSTORED_FLUSH_FAILURES = "quotegate.history.unstored.flush.failures";
  /** Counter: held series dropped to stay under the configured bound. */
  static final String UNSTORED_EVICTED = "quotegate.history.unstored.evicted";
  /** Gauge: estimated bytes of held bars; {@code .max}: the bound. */
  static final String UNSTORED_BYTES = "quotegate.history.unstored.bytes";
  /** Gauge: the bound on held bars' estimated bytes. */
  static final String UNSTORED_BYTES_MAX = "quotegate.history.unstored.bytes.max";
  /** Gauge: series with held bars. */
  static final String UNSTORED_SERIES = "quotegate.history.unstored.series";
  /** Counter: upstream range fetches refused by the outage rate limit. */
  static final String UNSTORED_LIMITED = "quotegate.history.unstored.limited";

  /** Counter, tag {@code outcome=hit|refresh|miss}: reads by series cache outcome. */
  static final String SERIES_CACHE = "quotegate.history.series.cache";
  /** Gauge: estimated bytes of cached series and their JSON. */
  static final String SERIES_CACHE_BYTES = "quotegate.history.series.cache.bytes";
  /** Gauge: the bound on them. */
  static final String SERIES_CACHE_BYTES_MAX = "quotegate.history.series.cache.bytes.max";

  private HistoryMeters() {}
}
