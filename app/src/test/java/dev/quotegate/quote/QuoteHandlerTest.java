package dev.quotegate.quote;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quotegate.cache.Cached;
import dev.quotegate.provider.Quote;
import dev.quotegate.quote.QuoteBatchView.SymbolError;
import dev.quotegate.quote.QuoteResult.Found;
import dev.quotegate.quote.QuoteResult.Origin;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class QuoteHandlerTest {

  private static final Instant T = Instant.parse("2026-11-23T15:00:00.123456789Z");

  private static Found found(String symbol, Instant fetchedAt, Origin origin) {
    Quote q = new Quote(symbol, new BigDecimal("1.5"), null, null, null, null, null, null, null, "USD", true, T, "sim");
    return new Found(symbol, new Cached<>(q, fetchedAt, fetchedAt.plusSeconds(5)), origin);
  }

  @Test
  void serverTimingMillisAreRoundedHalfUpToOneDecimal() {
    assertThat(QuoteHandler.millis(0)).isEqualTo("0.0");
    assertThat(QuoteHandler.millis(1_234_567)).isEqualTo("1.2");
    assertThat(QuoteHandler.millis(1_250_000)).isEqualTo("1.3");
    assertThat(QuoteHandler.millis(999_999_999)).isEqualTo("1000.0");
    assertThat(QuoteHandler.millis(-5)).as("clock oddities never print a negative").isEqualTo("0.0");
  }

  @Test
  void etagIsStableForTheSameQuotesAndChangesWithFetchTimeStalenessOrErrors() {
    List<Found> a = List.of(found("AAPL", T, Origin.CACHE), found("MSFT", T, Origin.CACHE));
    String etag = QuoteHandler.etag(a, List.of());
    assertThat(etag).startsWith("W/\"").endsWith("\"");
    assertThat(QuoteHandler.etag(List.of(found("AAPL", T, Origin.UPSTREAM), found("MSFT", T, Origin.CACHE)), List.of()))
        .as("where it came from is not part of the representation").isEqualTo(etag);
    assertThat(QuoteHandler.etag(List.of(found("AAPL", T.plusNanos(1), Origin.CACHE), found("MSFT", T, Origin.CACHE)), List.of()))
        .as("refetched").isNotEqualTo(etag);
    assertThat(QuoteHandler.etag(List.of(found("AAPL", T, Origin.STALE), found("MSFT", T, Origin.CACHE)), List.of()))
        .as("stale").isNotEqualTo(etag);
    assertThat(QuoteHandler.etag(a, List.of(new SymbolError("ZZZ", 404, "not-found", "unknown"))))
        .as("with an error").isNotEqualTo(etag);
    assertThat(QuoteHandler.etag(List.of(found("MSFT", T, Origin.CACHE), found("AAPL", T, Origin.CACHE)), List.of()))
        .as("order").isNotEqualTo(etag);
  }
}
