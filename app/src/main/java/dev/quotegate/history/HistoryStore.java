package dev.quotegate.history;

import dev.quotegate.calendar.BarInterval;
import dev.quotegate.provider.Bar;
import java.time.Instant;
import java.util.List;
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
}
