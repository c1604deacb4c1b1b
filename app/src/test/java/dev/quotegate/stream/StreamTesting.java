package dev.quotegate.stream;

import dev.quotegate.cache.Cached;
import dev.quotegate.testsupport.FakeQuoteProvider;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.time.Instant;
import org.springframework.util.unit.DataSize;

/** Builders for the streams' unit tests. */
final class StreamTesting {

  private StreamTesting() {}

  static StreamProperties props(int maxSymbols, Duration interval, Duration heartbeat, Duration maxLag, Duration grace) {
    return new StreamProperties(100, 100, maxSymbols, 1000, interval, heartbeat, maxLag, Duration.ofSeconds(3), grace,
        Duration.ofMillis(100), Duration.ofSeconds(2), 4, Duration.ofSeconds(3), Duration.ofSeconds(5),
        Duration.ofSeconds(10), DataSize.ofKilobytes(256), DataSize.ofKilobytes(32), DataSize.ofKilobytes(16),
        DataSize.ofKilobytes(64),
        new StreamProperties.Redis("test", Duration.ofSeconds(5), Duration.ofHours(1), Duration.ofSeconds(1)));
  }

  static StreamProperties defaults() {
    return props(50, Duration.ofMillis(250), Duration.ofSeconds(15), Duration.ofSeconds(30), Duration.ofSeconds(30));
  }

  static StreamMeters meters() {
    return new StreamMeters(new SimpleMeterRegistry(), 100);
  }

  /** A quote tick of {@code symbol} at version {@code v} (ms) with price {@code price}. */
  static QuoteTick tick(String symbol, long v, String price) {
    Instant at = Instant.ofEpochMilli(v);
    return QuoteTick.of(symbol, v, at,
        new Cached<>(FakeQuoteProvider.quote(symbol, price), at, at.plusSeconds(5)), false);
  }
}
