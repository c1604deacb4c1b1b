package dev.quotegate.simulator;

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

  private final LongAdder requests = new LongAdder();
  private final LongAdder symbolsRequested = new LongAdder();
  private final Map<String, LongAdder> byEndpoint = new ConcurrentHashMap<>();
  private final Map<String, LongAdder> byProtocol = new ConcurrentHashMap<>();
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
   */
  public record Snapshot(
      long requests,
      Map<String, Long> byEndpoint,
      Map<String, Long> byProtocol,
      long symbolsRequested,
      long hanging) {}

  void record(String endpoint, String protocol, int symbols) {
    requests.increment();
    symbolsRequested.add(symbols);
    byEndpoint.computeIfAbsent(endpoint, k -> new LongAdder()).increment();
    byProtocol.computeIfAbsent(protocol, k -> new LongAdder()).increment();
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
  }

  /** The current counts. */
  public Snapshot snapshot() {
    return new Snapshot(
        requests.sum(), sums(byEndpoint), sums(byProtocol), symbolsRequested.sum(), hanging.get());
  }

  private static Map<String, Long> sums(Map<String, LongAdder> adders) {
    Map<String, Long> out = new TreeMap<>();
    adders.forEach((k, v) -> out.put(k, v.sum()));
    return out;
  }
}
