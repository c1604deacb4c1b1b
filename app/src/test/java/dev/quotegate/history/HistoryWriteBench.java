package dev.quotegate.history;

import dev.quotegate.calendar.BarInterval;
import dev.quotegate.provider.Bar;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import reactor.core.publisher.Flux;

/**
 * Benchmark (not a test): the store's write path alone, of synthetic daily bars,
 * {@code concurrency} symbols at once. Mode {@code symbol} (the default) is bulk ingestion's
 * path, {@link R2dbcHistoryStore#writeSymbol}: each symbol in one transaction, through COPY on
 * PostgreSQL; {@code upsert} is {@link R2dbcHistoryStore#upsert} with COPY off (multi-row
 * INSERTs of {@code batchSize} rows). Run by {@code app/bench/history-bench.sh}; prints one line.
 *
 * <p>args: r2dbc-url (empty = H2 under target/bench-h2) user schema symbols barsPerSymbol concurrency batchSize [mode]
 */
public final class HistoryWriteBench {

  private static Integer write(R2dbcHistoryStore store, String mode, String prefix, List<List<Bar>> series, Instant fetched,
      int concurrency) {
    return Flux.range(0, series.size())
        .flatMap(s -> "symbol".equals(mode)
            ? store.writeSymbol(prefix + s, BarInterval.D1,
                List.of(new HistoryService.Fetched(series.get(s), fetched, false, "bench")), true, c -> reactor.core.publisher.Mono.empty())
            : store.upsert(prefix + s, BarInterval.D1, series.get(s), "bench", fetched), concurrency)
        .reduce(0, Integer::sum)
        .block(Duration.ofMinutes(10));
  }

  public static void main(String[] args) {
    String url = args[0];
    String user = args[1];
    String schema = args[2];
    int symbols = Integer.parseInt(args[3]);
    int perSymbol = Integer.parseInt(args[4]);
    int concurrency = Integer.parseInt(args[5]);
    int batch = Integer.parseInt(args[6]);
    String mode = args.length > 7 ? args[7] : "symbol";
    HistoryProperties props = new HistoryProperties(url.isEmpty() ? null : url, user, null, schema.isEmpty() ? null : schema,
        Path.of("target", "bench-h2"), 0, Math.max(concurrency, 1), 1000, Duration.ofSeconds(10),
        Duration.ofMinutes(10), Duration.ofSeconds(5), Duration.ofSeconds(60), Duration.ofSeconds(5), Duration.ofSeconds(30),
        batch, 5000, 16, 4, 10000, Duration.ofSeconds(15), Duration.ofDays(1), LocalDate.of(1990, 1, 1), 5000, 4, 2, 100,
        Duration.ofSeconds(10));
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    try (HistoryDatabase db = HistoryDatabase.create(props, registry)) {
      if (!db.migrate()) {
        throw new IllegalStateException("migration failed: " + db.migrationError());
      }
      IngestProperties ingest = new IngestProperties(Duration.ofSeconds(5), Duration.ofSeconds(30), 100_000,
          "symbol".equals(mode), 5000);
      R2dbcHistoryStore store = new R2dbcHistoryStore(db, props, ingest, Clock.systemUTC(), registry);
      List<List<Bar>> series = new ArrayList<>();
      Instant start = Instant.parse("2000-01-03T14:30:00Z");
      for (int s = 0; s < symbols; s++) {
        List<Bar> bars = new ArrayList<>(perSymbol);
        for (int i = 0; i < perSymbol; i++) {
          BigDecimal p = BigDecimal.valueOf(10000 + (s * 31L + i * 7L) % 5000, 2);
          bars.add(new Bar(start.plus(Duration.ofDays(i)), p, p.add(BigDecimal.ONE), p.subtract(BigDecimal.ONE), p, 1_000_000L + i));
        }
        series.add(bars);
      }
      Instant fetched = Instant.now();
      // A warm-up round of other symbols first (JIT, pool, staging tables), deleted before the run.
      write(store, mode, "WARM", series, fetched, concurrency);
      Flux.usingWhen(db.pool().create(),
              c -> Flux.from(c.createStatement("DELETE FROM " + db.table() + " WHERE symbol LIKE 'WARM%'").execute())
                  .concatMap(io.r2dbc.spi.Result::getRowsUpdated),
              io.r2dbc.spi.Connection::close)
          .blockLast(Duration.ofMinutes(5));
      long t0 = System.nanoTime();
      Integer rows = write(store, mode, "BENCH", series, fetched, concurrency);
      long ms = (System.nanoTime() - t0) / 1_000_000;
      System.out.printf("store %s (%s, %s, %d symbols at once): rows=%d elapsed=%dms -> %d rows/s%n",
          "symbol".equals(mode) ? "writeSymbol, one transaction per symbol" : "upsert",
          db.dialect().label, "symbol".equals(mode) && db.dialect() == HistoryDatabase.Dialect.POSTGRES
              ? "new symbols: COPY straight into the bars table" : batch + " rows/statement",
          concurrency, rows, ms, rows * 1000L / Math.max(ms, 1));
    }
  }
}
