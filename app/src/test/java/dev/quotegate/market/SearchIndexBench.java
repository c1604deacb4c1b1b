package dev.quotegate.market;

import dev.quotegate.provider.SearchHit;
import dev.quotegate.simulator.Universe;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;

/**
 * The search index alone (no HTTP): the embedded default's 500 listings, the benchmark's query
 * mix, single thread, after a warm-up. Not a test: {@code java -cp ... dev.quotegate.market.SearchIndexBench [rounds]}.
 */
public final class SearchIndexBench {

  static final List<String> QUERIES = List.of("AAPL", "aapl", "MSFT", "GOO", "apple", "appel", "aple", "microsoft",
      "mircosoft", "micro soft", "nvidia", "nvdia", "amazon", "alphabet class c", "advanced micro", "intel",
      "semiconductor", "semiconductors", "health care", "bank", "software", "energy", "oil gas", "technologies",
      "pharma", "MA", "JPM", "tesla", "coca cola", "walmart");

  public static void main(String[] args) {
    int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 200;
    SearchIndex index = new SearchIndex(new SearchProperties(20000, 100, 8, 2, 16, Duration.ofMillis(200), 10000, false),
        new SimpleMeterRegistry());
    List<SearchHit> listed = Universe.generate(42, 500).instruments().stream()
        .map(i -> new SearchHit(i.symbol(), i.name(), i.exchange(), "EQUITY", i.sector(), "sim", null, i.industry()))
        .toList();
    long b0 = System.nanoTime();
    index.ensureUniverse(listed).block(Duration.ofSeconds(60));
    double buildMs = (System.nanoTime() - b0) / 1e6;
    for (int w = 0; w < 50; w++) {
      for (String q : QUERIES) {
        index.search(q, 0, 10);
      }
    }
    long[] ns = new long[rounds * QUERIES.size()];
    int k = 0;
    for (int r = 0; r < rounds; r++) {
      for (String q : QUERIES) {
        long t = System.nanoTime();
        index.search(q, 0, 10);
        ns[k++] = System.nanoTime() - t;
      }
    }
    if (System.getProperty("perQuery") != null) {
      for (String q : QUERIES) {
        long t = System.nanoTime();
        for (int r = 0; r < 20; r++) {
          index.search(q, 0, 10);
        }
        System.out.printf("  %-18s %.3f ms%n", q, (System.nanoTime() - t) / 20 / 1e6);
      }
    }
    Arrays.sort(ns);
    System.out.printf("search index: 500 listings, first build %.1f ms; %d searches: p50 %.3f ms, p99 %.3f ms, max %.3f ms%n",
        buildMs, ns.length, ns[ns.length / 2] / 1e6, ns[(int) (ns.length * 0.99)] / 1e6, ns[ns.length - 1] / 1e6);
    index.close();
  }
}
