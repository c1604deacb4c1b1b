package dev.quotegate.history;

import dev.quotegate.calendar.BarInterval;
import dev.quotegate.provider.Bar;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.r2dbc.postgresql.api.PostgresqlConnection;
import io.r2dbc.spi.Connection;
import io.r2dbc.spi.Wrapped;
import io.r2dbc.spi.Readable;
import io.r2dbc.spi.Result;
import io.r2dbc.spi.Statement;
import java.math.BigDecimal;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * The bar store over R2DBC: range reads on the primary key, idempotent multi-row upserts
 * ({@code INSERT ... ON CONFLICT DO UPDATE} on PostgreSQL, {@code MERGE ... KEY} on H2).
 *
 * <p>Fail-open: a failed read or write marks the database unavailable for
 * {@code unavailable-backoff}, during which {@link #available()} is false and history is
 * served straight from the provider (not stored). Each failure is logged (once per outage at
 * WARN) and counted; the first success after an outage is logged too.
 */
final class R2dbcHistoryStore implements HistoryStore {

  private static final Logger log = LoggerFactory.getLogger(R2dbcHistoryStore.class);
  private static final String COLUMNS =
      "symbol, bar_interval, ts_ms, open_price, high_price, low_price, close_price, volume, fetched_at_ms, source";
  private static final int COLUMN_COUNT = 10;

  private final HistoryDatabase db;
  private final boolean copy;
  private final String mergeSql;
  private final int copyBatchRows;
  private final HistoryProperties props;
  private final Clock clock;
  private final MeterRegistry registry;
  private final String selectSql;
  private final AtomicLong downUntil = new AtomicLong();
  private final AtomicBoolean down = new AtomicBoolean();
  private final Counter rowsRead;
  private final Counter readFailures;
  private final Counter writeFailures;

  R2dbcHistoryStore(HistoryDatabase db, HistoryProperties props, Clock clock, MeterRegistry registry) {
    this(db, props, IngestProperties.defaults(), clock, registry);
  }

  R2dbcHistoryStore(HistoryDatabase db, HistoryProperties props, IngestProperties ingest, Clock clock, MeterRegistry registry) {
    this.db = db;
    this.copy = ingest.copy() && db.dialect() == HistoryDatabase.Dialect.POSTGRES;
    this.copyBatchRows = ingest.copyBatchRows();
    this.mergeSql = mergeSqlFor();
    this.directCopySql = "COPY " + db.table() + " (" + COLUMNS + ") FROM STDIN";
    this.props = props;
    this.clock = clock;
    this.registry = registry;
    this.selectSql =
        "SELECT ts_ms, open_price, high_price, low_price, close_price, volume, fetched_at_ms, source FROM "
            + db.table()
            + " WHERE symbol = $1 AND bar_interval = $2 AND ts_ms >= $3 AND ts_ms < $4 ORDER BY ts_ms";
    this.rowsRead = Counter.builder(HistoryMeters.ROWS_READ).description("Bar rows read from the store").register(registry);
    this.readFailures = failures("read");
    this.writeFailures = failures("write");
    Gauge.builder(HistoryMeters.DB_AVAILABLE, this, s -> s.available() ? 1 : 0)
        .description("1 while history uses the database, 0 while it is served from the provider only")
        .register(registry);
  }

  private Counter failures(String op) {
    return Counter.builder(HistoryMeters.DB_FAILURES)
        .description("Database failures that made history skip the store")
        .tag("op", op)
        .register(registry);
  }

  HistoryDatabase database() {
    return db;
  }

  @Override
  public boolean available() {
    return db.migrated() && clock.millis() >= downUntil.get();
  }

  @Override
  public Mono<List<StoredBar>> read(String symbol, BarInterval interval, Instant from, Instant to) {
    Mono<List<StoredBar>> query =
        Flux.usingWhen(
                db.pool().create(),
                c ->
                    Flux.from(
                            c.createStatement(selectSql)
                                .bind(0, symbol)
                                .bind(1, interval.code())
                                .bind(2, from.toEpochMilli())
                                .bind(3, to.toEpochMilli())
                                .execute())
                        .concatMap(r -> r.map(R2dbcHistoryStore::toStored)),
                Connection::close)
            .collectList();
    return timed("read", query, props.queryTimeout())
        .doOnNext(list -> rowsRead.increment(list.size()))
        .doOnError(e -> markDown("read", readFailures, e));
  }

  @Override
  public Mono<Integer> upsert(String symbol, BarInterval interval, List<Bar> bars, String source, Instant fetchedAt) {
    if (bars.isEmpty()) {
      return Mono.just(0);
    }
    List<List<Bar>> batches = new ArrayList<>();
    for (int i = 0; i < bars.size(); i += props.writeBatchSize()) {
      batches.add(bars.subList(i, Math.min(bars.size(), i + props.writeBatchSize())));
    }
    Mono<Integer> write = copy && bars.size() >= COPY_MIN_ROWS
        ? db.inTransaction(c -> copyOn(c, symbol, interval, List.of(new HistoryService.Fetched(bars, fetchedAt, false, source))))
        : Mono.usingWhen(db.pool().create(), c -> upsertOn(c, symbol, interval, bars, source, fetchedAt), Connection::close);
    // The timeout bounds each statement: a long upsert gets one per batch.
    return timed("write", write, props.queryTimeout().multipliedBy(batches.size()))
        .doOnError(e -> markDown("write", writeFailures, e));
  }

  @Override
  public Mono<Integer> writeSymbol(String symbol, BarInterval interval, List<HistoryService.Fetched> segments, boolean fresh,
      Function<Connection, Mono<Void>> alsoInTransaction) {
    int rows = 0;
    for (HistoryService.Fetched f : segments) {
      rows += f.bars().size();
    }
    int total = rows;
    Mono<Integer> write = db.inTransaction(c ->
        (copy && total >= COPY_MIN_ROWS
            ? (fresh ? copyFresh(c, symbol, interval, segments) : copyOn(c, symbol, interval, segments))
            : Flux.fromIterable(segments)
                .concatMap(f -> upsertOn(c, symbol, interval, f.bars(), f.source(), f.fetchedAt()))
                .reduce(0, Integer::sum))
        .flatMap(n -> alsoInTransaction.apply(c).thenReturn(n)));
    int statements = 2 + total / props.writeBatchSize() + segments.size();
    return timed("write", write, props.queryTimeout().multipliedBy(statements))
        .doOnError(e -> markDown("write", writeFailures, e));
  }

  /**
   * PostgreSQL's bulk path on {@code c} (inside a transaction): a temporary staging table
   * (one per connection, emptied at commit), then per batch of {@code copy-batch-rows} rows one {@code COPY ... FROM
   * STDIN} into it, one {@code INSERT ... SELECT ... ON CONFLICT} into the bars and a
   * {@code TRUNCATE} of the staging table. The rows are encoded lazily, {@value #COPY_CHUNK_ROWS}
   * to a buffer, as the driver asks for them (back-pressure from the connection), so at most a
   * batch of encoded rows is held at once.
   */
  private Mono<Integer> copyOn(Connection c, String symbol, BarInterval interval, List<HistoryService.Fetched> segments) {
    PostgresqlConnection pg = unwrap(c);
    List<CopyRow> rows = new ArrayList<>();
    for (HistoryService.Fetched f : segments) {
      long fetched = f.fetchedAt().toEpochMilli();
      for (Bar b : f.bars()) {
        rows.add(new CopyRow(b, fetched, f.source()));
      }
    }
    String prefix = symbol + '\t' + interval.code() + '\t';
    int batches = (rows.size() + copyBatchRows - 1) / copyBatchRows;
    // Created once per connection (a notice, logged by the driver at debug, when it exists);
    // emptied at every commit, so no catalog churn per transaction.
    return exec(c, "CREATE TEMPORARY TABLE IF NOT EXISTS " + STAGING + " (LIKE " + db.table()
            + " INCLUDING DEFAULTS) ON COMMIT DELETE ROWS")
        .thenMany(Flux.fromIterable(rows).buffer(copyBatchRows).index())
        .concatMap(t -> pg.copyIn(copySql, Flux.fromIterable(t.getT2()).buffer(COPY_CHUNK_ROWS).map(chunk -> encode(prefix, chunk)))
            .then(exec(c, mergeSql))
            // the last batch's rows go at commit (ON COMMIT DELETE ROWS)
            .then(t.getT1() + 1 < batches ? exec(c, "TRUNCATE " + STAGING) : Mono.empty())
            .thenReturn(t.getT2().size()))
        .reduce(0, Integer::sum);
  }

  /**
   * Bars the store held none of when they were found missing (a symbol ingested for the first
   * time): {@code COPY} straight into the bars table, one load, no merge. Behind a savepoint: if
   * a concurrent write stored some of them meanwhile (a unique violation), the load is rolled
   * back to it and the bars go through the staging merge instead.
   */
  private Mono<Integer> copyFresh(Connection c, String symbol, BarInterval interval, List<HistoryService.Fetched> segments) {
    PostgresqlConnection pg = unwrap(c);
    String prefix = symbol + '\t' + interval.code() + '\t';
    List<CopyRow> rows = rows(segments);
    return Mono.from(c.createSavepoint("fresh"))
        .then(pg.copyIn(directCopySql, Flux.fromIterable(rows).buffer(COPY_CHUNK_ROWS).map(chunk -> encode(prefix, chunk))))
        .then(Mono.from(c.releaseSavepoint("fresh")))
        .thenReturn(rows.size())
        .onErrorResume(e -> e instanceof io.r2dbc.spi.R2dbcDataIntegrityViolationException,
            e -> Mono.from(c.rollbackTransactionToSavepoint("fresh")).then(copyOn(c, symbol, interval, segments)));
  }

  private static List<CopyRow> rows(List<HistoryService.Fetched> segments) {
    List<CopyRow> rows = new ArrayList<>();
    for (HistoryService.Fetched f : segments) {
      long fetched = f.fetchedAt().toEpochMilli();
      for (Bar b : f.bars()) {
        rows.add(new CopyRow(b, fetched, f.source()));
      }
    }
    return rows;
  }

  private final String directCopySql;

  private static final String STAGING = "bars_staging";
  private static final int COPY_CHUNK_ROWS = 256;
  /** Below this many rows multi-row INSERTs are fewer round trips than a staging load. */
  static final int COPY_MIN_ROWS = 64;

  private final String copySql = "COPY " + STAGING + " (" + COLUMNS + ") FROM STDIN";

  private String mergeSqlFor() {
    return "INSERT INTO " + db.table() + " AS b (" + COLUMNS + ") SELECT " + COLUMNS + " FROM " + STAGING
        + " ON CONFLICT (symbol, bar_interval, ts_ms) DO UPDATE SET"
        + " open_price = EXCLUDED.open_price, high_price = EXCLUDED.high_price,"
        + " low_price = EXCLUDED.low_price, close_price = EXCLUDED.close_price,"
        + " volume = EXCLUDED.volume, fetched_at_ms = EXCLUDED.fetched_at_ms, source = EXCLUDED.source"
        + " WHERE b.fetched_at_ms <= EXCLUDED.fetched_at_ms";
  }

  /** One row of COPY's text format per bar: tab-separated, {@code \N} for no volume. */
  private static ByteBuf encode(String prefix, List<CopyRow> chunk) {
    StringBuilder sb = new StringBuilder(chunk.size() * 96);
    for (CopyRow r : chunk) {
      Bar b = r.bar();
      sb.append(prefix).append(b.ts().toEpochMilli()).append('\t')
          .append(b.open().toPlainString()).append('\t')
          .append(b.high().toPlainString()).append('\t')
          .append(b.low().toPlainString()).append('\t')
          .append(b.close().toPlainString()).append('\t')
          .append(b.volume() == null ? "\\N" : Long.toString(b.volume())).append('\t')
          .append(r.fetchedMs()).append('\t')
          .append(r.source()).append('\n');
    }
    // Released by the driver once written.
    return ByteBufUtil.writeAscii(ByteBufAllocator.DEFAULT, sb);
  }

  private record CopyRow(Bar bar, long fetchedMs, String source) {}

  private static PostgresqlConnection unwrap(Connection c) {
    Object o = c;
    while (!(o instanceof PostgresqlConnection) && o instanceof Wrapped<?> w) {
      o = w.unwrap();
    }
    if (o instanceof PostgresqlConnection pg) {
      return pg;
    }
    throw new IllegalStateException("not a PostgreSQL connection: " + c.getClass().getName());
  }

  private static Mono<Void> exec(Connection c, String sql) {
    return Flux.from(c.createStatement(sql).execute()).concatMap(Result::getRowsUpdated).then();
  }

  /** Multi-row upserts of {@code bars} on {@code c}, {@code write-batch-size} rows a statement. */
  private Mono<Integer> upsertOn(Connection c, String symbol, BarInterval interval, List<Bar> bars, String source,
      Instant fetchedAt) {
    if (bars.isEmpty()) {
      return Mono.just(0);
    }
    List<List<Bar>> batches = new ArrayList<>();
    for (int i = 0; i < bars.size(); i += props.writeBatchSize()) {
      batches.add(bars.subList(i, Math.min(bars.size(), i + props.writeBatchSize())));
    }
    long fetched = fetchedAt.toEpochMilli();
    return Flux.fromIterable(batches)
        .concatMap(batch -> Flux.from(bind(c.createStatement(upsertSql(batch.size())), symbol, interval, batch, source, fetched).execute())
            .concatMap(Result::getRowsUpdated)
            .then(Mono.just(batch.size())))
        .reduce(0, Integer::sum);
  }

  private <T> Mono<T> timed(String op, Mono<T> query, java.time.Duration timeout) {
    return Mono.defer(
        () -> {
          Timer.Sample sample = Timer.start(registry);
          return query
              .subscribeOn(db.scheduler())
              .timeout(timeout)
              .doOnSuccess(v -> {
                stop(sample, op, "success");
                markUp();
              })
              .doOnError(e -> stop(sample, op, "error"));
        });
  }

  private void stop(Timer.Sample sample, String op, String outcome) {
    sample.stop(
        Timer.builder(HistoryMeters.QUERIES)
            .description("Bar store queries by operation and outcome")
            .tag("op", op)
            .tag("outcome", outcome)
            .publishPercentileHistogram()
            .register(registry));
  }

  private void markDown(String op, Counter counter, Throwable e) {
    counter.increment();
    downUntil.set(clock.millis() + props.unavailableBackoff().toMillis());
    if (down.compareAndSet(false, true)) {
      log.warn("history database {} failed on {} ({}): serving history from the provider, not stored, "
              + "retrying the database in {}", db.description(), op, HistoryDatabase.rootMessage(e), props.unavailableBackoff());
    } else {
      log.debug("history database still failing on {}: {}", op, HistoryDatabase.rootMessage(e));
    }
  }

  private void markUp() {
    if (down.compareAndSet(true, false)) {
      log.info("history database {} is back: history is stored again", db.description());
    }
  }

  private String upsertSql(int rows) {
    StringBuilder sb = new StringBuilder(64 + rows * 48);
    if (db.dialect() == HistoryDatabase.Dialect.H2) {
      sb.append("MERGE INTO ").append(db.table()).append(" (").append(COLUMNS).append(") KEY (symbol, bar_interval, ts_ms) VALUES ");
      values(sb, rows);
    } else {
      sb.append("INSERT INTO ").append(db.table()).append(" AS b (").append(COLUMNS).append(") VALUES ");
      values(sb, rows);
      sb.append(" ON CONFLICT (symbol, bar_interval, ts_ms) DO UPDATE SET")
          .append(" open_price = EXCLUDED.open_price, high_price = EXCLUDED.high_price,")
          .append(" low_price = EXCLUDED.low_price, close_price = EXCLUDED.close_price,")
          .append(" volume = EXCLUDED.volume, fetched_at_ms = EXCLUDED.fetched_at_ms, source = EXCLUDED.source")
          // never let an older fetch overwrite a newer one
          .append(" WHERE b.fetched_at_ms <= EXCLUDED.fetched_at_ms");
    }
    return sb.toString();
  }

  private static void values(StringBuilder sb, int rows) {
    int p = 1;
    for (int r = 0; r < rows; r++) {
      sb.append(r == 0 ? "(" : ",(");
      for (int c = 0; c < COLUMN_COUNT; c++) {
        sb.append(c == 0 ? "$" : ",$").append(p++);
      }
      sb.append(')');
    }
  }

  private static Statement bind(Statement s, String symbol, BarInterval interval, List<Bar> batch, String source, long fetched) {
    int i = 0;
    for (Bar b : batch) {
      s.bind(i++, symbol);
      s.bind(i++, interval.code());
      s.bind(i++, b.ts().toEpochMilli());
      s.bind(i++, b.open());
      s.bind(i++, b.high());
      s.bind(i++, b.low());
      s.bind(i++, b.close());
      if (b.volume() == null) {
        s.bindNull(i++, Long.class);
      } else {
        s.bind(i++, b.volume());
      }
      s.bind(i++, fetched);
      s.bind(i++, source);
    }
    return s;
  }

  private static StoredBar toStored(Readable row) {
    Long volume = row.get(5, Long.class);
    Bar bar =
        new Bar(
            Instant.ofEpochMilli(row.get(0, Long.class)),
            price(row.get(1, BigDecimal.class)),
            price(row.get(2, BigDecimal.class)),
            price(row.get(3, BigDecimal.class)),
            price(row.get(4, BigDecimal.class)),
            volume);
    return new StoredBar(bar, Instant.ofEpochMilli(row.get(6, Long.class)), row.get(7, String.class));
  }

  /** NUMERIC(30,10) comes back with ten decimals: strip them back to what the provider sent. */
  private static BigDecimal price(BigDecimal v) {
    BigDecimal s = v.stripTrailingZeros();
    return s.scale() < 0 ? s.setScale(0) : s;
  }
}
