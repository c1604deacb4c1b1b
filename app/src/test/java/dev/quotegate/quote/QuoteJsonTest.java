package dev.quotegate.quote;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.quotegate.cache.Cached;
import dev.quotegate.provider.Quote;
import dev.quotegate.quote.QuoteBatchView.SymbolError;
import dev.quotegate.quote.QuoteResult.Found;
import dev.quotegate.quote.QuoteResult.Origin;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.PropertyNamingStrategies;
import tools.jackson.databind.json.JsonMapper;

class QuoteJsonTest {

  private static final JsonMapper JSON = JsonMapper.builder().build();

  private final Random random = new Random(7);

  private BigDecimal maybe(boolean present) {
    return present ? BigDecimal.valueOf(random.nextLong() % 10_000_000, random.nextInt(6)) : null;
  }

  private Cached<Quote> randomEntry(String symbol) {
    Instant base = Instant.ofEpochSecond(1_700_000_000L + random.nextInt(100_000_000));
    // Whole seconds, milliseconds and nanoseconds: Jackson prints each differently.
    Instant fetchedAt = switch (random.nextInt(3)) {
      case 0 -> base;
      case 1 -> base.plusMillis(random.nextInt(1000));
      default -> base.plusNanos(random.nextInt(1_000_000_000));
    };
    Quote q = new Quote(symbol, maybe(true), maybe(random.nextBoolean()), maybe(random.nextBoolean()),
        maybe(random.nextBoolean()), maybe(random.nextBoolean()), maybe(random.nextBoolean()),
        maybe(random.nextBoolean()), random.nextBoolean() ? null : random.nextLong(1_000_000_000L),
        random.nextBoolean() ? "USD" : null, random.nextBoolean() ? null : random.nextBoolean(),
        fetchedAt.minusSeconds(random.nextInt(60)), random.nextBoolean() ? "sim" : "yahoo");
    return new Cached<>(q, fetchedAt, fetchedAt.plusSeconds(5));
  }

  @Test
  void quotesAreByteForByteJacksonsEncodingOfTheView() {
    QuoteJson json = new QuoteJson(JSON, 1000, new SimpleMeterRegistry());
    for (int i = 0; i < 5_000; i++) {
      Cached<Quote> entry = randomEntry("S" + (i % 50));
      Instant now = entry.fetchedAt().plusMillis(random.nextInt(100_000));
      boolean stale = random.nextBoolean();
      assertThat(new String(json.quote(entry, stale, now), StandardCharsets.UTF_8))
          .isEqualTo(JSON.writeValueAsString(QuoteView.of(entry, stale, now)));
    }
  }

  @Test
  void batchesAreByteForByteJacksonsEncodingOfTheBatchView() {
    QuoteJson json = new QuoteJson(JSON, 1000, new SimpleMeterRegistry());
    for (int i = 0; i < 1_000; i++) {
      int n = random.nextInt(6);
      List<Found> found = new ArrayList<>();
      List<QuoteView> views = new ArrayList<>();
      Instant now = Instant.ofEpochSecond(1_800_000_000L, random.nextInt(1_000_000_000));
      for (int k = 0; k < n; k++) {
        Cached<Quote> entry = randomEntry("B" + random.nextInt(20));
        boolean stale = random.nextBoolean();
        found.add(new Found(entry.value().symbol(), new Cached<>(entry.value(), entry.fetchedAt(), entry.expiresAt()),
            stale ? Origin.STALE : Origin.CACHE));
        views.add(QuoteView.of(found.get(k).entry(), stale, now));
      }
      List<SymbolError> errors = random.nextBoolean() ? List.of()
          : List.of(new SymbolError("X\"Y", 404, "unknown-symbol", "unknown symbol: \"X\\Y\" é"),
              new SymbolError("Z", 503, "upstream-unavailable", "sim: down"));
      assertThat(new String(json.batch(now, n + errors.size(), found, errors, now), StandardCharsets.UTF_8))
          .isEqualTo(JSON.writeValueAsString(new QuoteBatchView(now, n + errors.size(), views, errors)));
    }
  }

  @Test
  void streamArraysAreByteForByteJacksonsEncodingOfTheViews() {
    QuoteJson json = new QuoteJson(JSON, 1000, new SimpleMeterRegistry());
    for (int i = 0; i < 1_000; i++) {
      int n = random.nextInt(21);
      List<QuoteJson.Item> items = new ArrayList<>();
      List<QuoteView> views = new ArrayList<>();
      Instant now = Instant.ofEpochSecond(1_800_000_000L, random.nextInt(1_000_000_000));
      for (int k = 0; k < n; k++) {
        Cached<Quote> entry = randomEntry("T" + random.nextInt(30));
        boolean stale = random.nextBoolean();
        items.add(new QuoteJson.Item(entry.value(), entry.fetchedAt(), stale));
        views.add(QuoteView.of(entry, stale, now));
      }
      assertThat(new String(json.array(items, now), StandardCharsets.UTF_8)).isEqualTo(JSON.writeValueAsString(views));
    }
  }

  @Test
  void aRefetchedQuoteIsEncodedAfreshNotFromTheOldHead() {
    QuoteJson json = new QuoteJson(JSON, 1000, new SimpleMeterRegistry());
    Cached<Quote> first = randomEntry("AAPL");
    Instant now = first.fetchedAt().plusMillis(10);
    json.quote(first, false, now);
    Quote moved = new Quote("AAPL", new BigDecimal("999.99"), null, null, null, null, null, null, null, "USD", true,
        now, "sim");
    Cached<Quote> second = new Cached<>(moved, now, now.plusSeconds(5));
    assertThat(new String(json.quote(second, false, now.plusMillis(3)), StandardCharsets.UTF_8))
        .isEqualTo(JSON.writeValueAsString(QuoteView.of(second, false, now.plusMillis(3))))
        .contains("999.99");
  }

  @Test
  void aMapperThatWouldChangeTheEncodingIsRefusedAtStart() {
    // Property names in snake_case: the head would follow, the appended fields would not.
    JsonMapper snake = JsonMapper.builder().propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE).build();
    assertThatThrownBy(() -> new QuoteJson(snake, 10, new SimpleMeterRegistry()))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("differs from Jackson's encoding");
  }
}
