package dev.quotegate.stream;

import dev.quotegate.cache.Cached;
import dev.quotegate.provider.Quote;
import java.time.Instant;
import java.util.Objects;

/**
 * One update of one symbol's feed: a quote (fresh or stale) or why there is none.
 *
 * <p>{@code version} grows with every tick of a symbol (epoch milliseconds of {@code tickAt},
 * bumped on ties) and is what SSE event ids and Last-Event-ID resume compare. {@code tickAt}
 * is when the polling instance produced the tick; tick-to-send latency is measured from it.
 * Serialized as JSON on the cross-instance bus.
 *
 * @param symbol the symbol
 * @param version increasing per symbol; comparable across symbols as a time in ms
 * @param tickAt when the tick was produced
 * @param quote the quote, null for an error tick
 * @param fetchedAt when the quote was fetched upstream (null for an error tick)
 * @param expiresAt when the quote stops being fresh (null for an error tick)
 * @param stale whether the quote is served past its freshness because upstream failed
 * @param error why there is no quote, null for a quote tick
 */
public record QuoteTick(
    String symbol,
    long version,
    Instant tickAt,
    Quote quote,
    Instant fetchedAt,
    Instant expiresAt,
    boolean stale,
    Error error) {

  public QuoteTick {
    Objects.requireNonNull(symbol, "symbol");
    Objects.requireNonNull(tickAt, "tickAt");
    if ((quote == null) == (error == null)) {
      throw new IllegalArgumentException("exactly one of quote and error");
    }
    if (quote != null) {
      Objects.requireNonNull(fetchedAt, "fetchedAt");
      Objects.requireNonNull(expiresAt, "expiresAt");
    }
  }

  /** Why a symbol has no quote: status, problem code and detail as the REST API reports them. */
  public record Error(int status, String code, String detail) {}

  static QuoteTick of(String symbol, long version, Instant tickAt, Cached<Quote> entry, boolean stale) {
    return new QuoteTick(symbol, version, tickAt, entry.value(), entry.fetchedAt(), entry.expiresAt(), stale, null);
  }

  static QuoteTick failed(String symbol, long version, Instant tickAt, Error error) {
    return new QuoteTick(symbol, version, tickAt, null, null, null, false, error);
  }

  boolean isQuote() {
    return quote != null;
  }

  Cached<Quote> entry() {
    return new Cached<>(quote, fetchedAt, expiresAt);
  }

  /** Whether this tick says the same as {@code other} (same fetch, staleness or error). */
  boolean sameAs(QuoteTick other) {
    if (other == null) {
      return false;
    }
    if (isQuote()) {
      return other.isQuote() && fetchedAt.equals(other.fetchedAt) && stale == other.stale;
    }
    return !other.isQuote() && error.code().equals(other.error.code());
  }
}
