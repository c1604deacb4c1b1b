package dev.quotegate.history;

import dev.quotegate.calendar.BarInterval;
import dev.quotegate.provider.Bar;
import java.time.Instant;
import io.r2dbc.spi.Connection;
import java.util.List;
import java.util.function.Function;
import reactor.core.publisher.Mono;

/** Where bars are kept. Implementations never block the calling thread. */
interface HistoryStore {

  /** Whether the store is worth trying now (migrated, not failing recently). */
  boolean available();

  /** Stored bars of {@code symbol} and {@code interval} starting in {@code [from, to)}, ascending. */
  Mono<List<StoredBar>> read(String symbol, BarInterval interval, Instant from, Instant to);

  /**
   * Inserts or replaces {@code bars} (idempotent on {@code (symbol, interval, ts)}), in batches;
   * emits the number of rows written.
   */
  Mono<Integer> upsert(String symbol, BarInterval interval, List<Bar> bars, String source, Instant fetchedAt);

  /**
   * Writes every bar of {@code segments} (each with its own fetch time and source) and then
   * runs {@code alsoInTransaction} on the same connection, all in one transaction: either all
   * of it is stored or none. {@code fresh} says the store held none of these bars when they were
   * found missing (they may then be loaded without a merge). Emits the number of bars written.
   */
  Mono<Integer> writeSymbol(String symbol, BarInterval interval, List<HistoryService.Fetched> segments, boolean fresh,
      Function<Connection, Mono<Void>> alsoInTransaction);
}
