package dev.quotegate.testsupport;

import dev.quotegate.provider.Quote;
import dev.quotegate.provider.QuoteProvider;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import reactor.core.publisher.Mono;

/**
 * A provider for unit and web tests: knows a fixed set of symbols, records every batch it
 * is asked for, and can be told to fail or to answer late.
 */
public final class FakeQuoteProvider implements QuoteProvider {

  private final Set<String> known = ConcurrentHashMap.newKeySet();
  private final List<List<String>> calls = new CopyOnWriteArrayList<>();
  private final AtomicReference<RuntimeException> failure = new AtomicReference<>();
  private volatile Duration delay = Duration.ZERO;
  private final int batchSize;
  private final String name;

  public FakeQuoteProvider(int batchSize, String... symbols) {
    this("fake", batchSize, symbols);
  }

  /** A fake provider with another name, e.g. for fallback chains. */
  public FakeQuoteProvider(String name, int batchSize, String... symbols) {
    this.name = name;
    this.batchSize = batchSize;
    known.addAll(List.of(symbols));
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public int maxBatchSize() {
    return batchSize;
  }

  @Override
  public Mono<Map<String, Quote>> quotes(List<String> symbols) {
    return Mono.defer(
        () -> {
          calls.add(List.copyOf(symbols));
          RuntimeException e = failure.get();
          if (e != null) {
            return Mono.error(e);
          }
          Map<String, Quote> out = new HashMap<>();
          for (String s : symbols) {
            if (known.contains(s)) {
              out.put(s, quote(s, "100.25", name));
            }
          }
          return delay.isZero() ? Mono.just(out) : Mono.delay(delay).thenReturn(out);
        });
  }

  public static Quote quote(String symbol, String price) {
    return quote(symbol, price, "fake");
  }

  public static Quote quote(String symbol, String price, String source) {
    BigDecimal p = new BigDecimal(price);
    return new Quote(symbol, p, new BigDecimal("1.25"), new BigDecimal("1.26"), p, p, p,
        new BigDecimal("99.00"), 1000L, "USD", true, Instant.parse("2026-11-23T15:00:00Z"), source);
  }

  public void failWith(RuntimeException e) {
    failure.set(e);
  }

  public void recover() {
    failure.set(null);
  }

  public void delay(Duration d) {
    delay = d;
  }

  /** Every batch asked for, in order. */
  public List<List<String>> calls() {
    return Collections.unmodifiableList(new ArrayList<>(calls));
  }

  /** Symbols asked for across all calls. */
  public int symbolsRequested() {
    return calls.stream().mapToInt(List::size).sum();
  }

  public void reset() {
    calls.clear();
    failure.set(null);
    delay = Duration.ZERO;
  }
}
