package dev.quotegate.quote;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.quotegate.cache.Cached;
import dev.quotegate.provider.Quote;
import java.math.BigDecimal;
import java.time.Instant;

/**
 * A quote as the API serves it: the provider's values plus freshness. {@code asOf} is the
 * provider's time of the price, {@code fetchedAt} when the gateway got it from
 * {@code source}, {@code ageMs} how long ago that was, {@code stale} whether it is served past
 * its freshness (because upstream failed). {@code quotedIn} is the minor unit the provider
 * quoted in ({@code GBp}) when the prices were converted to the major one.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record QuoteView(
    String symbol,
    BigDecimal price,
    BigDecimal change,
    BigDecimal changePercent,
    BigDecimal open,
    BigDecimal high,
    BigDecimal low,
    BigDecimal previousClose,
    Long volume,
    String currency,
    String quotedIn,
    Boolean marketOpen,
    Instant asOf,
    String source,
    Instant fetchedAt,
    long ageMs,
    boolean stale) {

  public static QuoteView of(Cached<Quote> entry, boolean stale, Instant now) {
    Quote q = entry.value();
    return new QuoteView(
        q.symbol(),
        q.price(),
        q.change(),
        q.changePercent(),
        q.open(),
        q.high(),
        q.low(),
        q.previousClose(),
        q.volume(),
        q.currency(),
        q.quotedIn(),
        q.marketOpen(),
        q.asOf(),
        q.source(),
        entry.fetchedAt(),
        entry.age(now).toMillis(),
        stale);
  }
}
