package dev.quotegate.quote;

import java.time.Instant;
import java.util.List;

/**
 * The answer to a batch request: quotes found (in requested order) and one error per symbol
 * without a quote.
 */
public record QuoteBatchView(Instant asOf, int requested, List<QuoteView> quotes, List<SymbolError> errors) {

  /** Why one symbol has no quote: HTTP-like status, problem code and detail. */
  public record SymbolError(String symbol, int status, String code, String detail) {}
}
