package dev.quotegate.simulator;

import java.util.Collection;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * Counts of {@code /v1/*} requests since start or the last reset, taken when each request arrives
 * (before any fault), so tests can assert exact upstream call counts. Admin calls are not counted.
 */
public final class SimulatorStats {

  /** Most distinct symbols counted one by one in {@code quotesBySymbol}; the rest go to the overflow count. */
  static final int MAX_SYMBOLS = 10_000;

  private final LongAdder requests = new LongAdder();
  private final LongAdder symbolsRequested = new LongAdder();
  private final Map<String, LongAdder> byEndpoint = new ConcurrentHashMap<>();
  private final Map<String, LongAdder> byProtocol = new ConcurrentHashMap<>();
  private final Map<String, LongAdder> quotesBySymbol = new ConcurrentHashMap<>();
  private final LongAdder quotesBySymbolOverflow = new LongAdder();
  private final AtomicLong hanging = new AtomicLong();

  SimulatorStats() {}

  /**
   * A snapshot of the counters.
   *
   * @param requests {@code /v1/*} requests received
   * @param byEndpoint the same by endpoint ({@code symbols, quotes, bars, profile, news, search,
   *     unknown})
   * @param byProtocol the same by HTTP version as the server saw it ({@code HTTP/2.0, HTTP/1.1})
   * @param symbolsRequested symbols named: the distinct entries of each quotes request plus one per
   *     bars, profile and news-with-symbol request
   * @param hanging requests currently held open by the hang fault (a gauge, not reset)
   * @param quotesBySymbol quotes calls naming each symbol (how many times each was fetched), for
   *     at most {@value #MAX_SYMBOLS} distinct symbols since the last reset
   * @param quotesBySymbolOverflow symbols named by quotes calls past that bound (not broken down)
   */
  public record Snapshot(
      long requests,
      Map<String, Long> byEndpoint,
      Map<String, Long> byProtocol,
      long symbolsRequested,
      long hanging,
      Map<String, Long> quotesBySymbol,
      long quotesBySymbolOverflow) {}

  void record(String endpoint, String protocol, int symbols) {
    record(endpoint, protocol, symbols, java.util.List.of());
  }

  /** One request; {@code quoteSymbols}: the distinct symbols a quotes call names (else empty). */
  void record(String endpoint, String protocol, int symbols, Collection<String> quoteSymbols) {
    requests.increment();
    symbolsRequested.add(symbols);
    byEndpoint.computeIfAbsent(endpoint, k -> new LongAdder()).increment();
    byProtocol.computeIfAbsent(protocol, k -> new LongAdder()).increment();
    for (String symbol : quoteSymbols) {
      LongAdder n = quotesBySymbol.get(symbol);
      if (n == null && quotesBySymbol.size() < MAX_SYMBOLS) {
        // The bound may be passed by a few concurrent first sightings; it stays bounded.
        n = quotesBySymbol.computeIfAbsent(symbol, k -> new LongAdder());
      }
      if (n == null) {
        quotesBySymbolOverflow.increment();
      } else {
        n.increment();
      }
    }
  }

  void hangStarted() {
    hanging.incrementAndGet();
  }

  void hangEnded() {
    hanging.decrementAndGet();
  }

  /** Zeroes the counters (not the hanging gauge, which tracks open connections). */
  void reset() {
    requests.reset();
    symbolsRequested.reset();
    byEndpoint.clear();
    byProtocol.clear();
    quotesBySymbol.clear();
    quotesBySymbolOverflow.reset();
  }

  /** The current counts. */
  public Snapshot snapshot() {
    return new Snapshot(
        requests.sum(), sums(byEndpoint), sums(byProtocol), symbolsRequested.sum(), hanging.get(),
        sums(quotesBySymbol), quotesBySymbolOverflow.sum());
  }

  private static Map<String, Long> sums(Map<String, LongAdder> adders) {
    Map<String, Long> out = new TreeMap<>();
    adders.forEach((k, v) -> out.put(k, v.sum()));
    return out;
  }
}
