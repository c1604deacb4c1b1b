package dev.quotegate.quote;

import dev.quotegate.cache.Cached;
import dev.quotegate.platform.GatewayException;
import dev.quotegate.provider.Quote;
import java.util.Objects;

/** The answer for one requested symbol: a quote (fresh or stale) or why there is none. */
public sealed interface QuoteResult {

  String symbol();

  /** Where a served quote came from. */
  enum Origin {
    /** Fresh from the cache. */
    CACHE,
    /** Fetched from upstream for this request (or a request it joined). */
    UPSTREAM,
    /** Past its freshness, served because upstream failed. */
    STALE
  }

  /** A quote to serve. */
  record Found(String symbol, Cached<Quote> entry, Origin origin) implements QuoteResult {
    public Found {
      Objects.requireNonNull(symbol, "symbol");
      Objects.requireNonNull(entry, "entry");
      Objects.requireNonNull(origin, "origin");
    }

    public boolean stale() {
      return origin == Origin.STALE;
    }
  }

  /** No quote: not found, upstream failure with nothing stale to serve, or overload. */
  record Failed(String symbol, GatewayException error) implements QuoteResult {
    public Failed {
      Objects.requireNonNull(symbol, "symbol");
      Objects.requireNonNull(error, "error");
    }
  }
}
