package dev.quotegate.provider;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.Objects;

/**
 * One instrument matching a search. {@code type}: EQUITY, ETF, INDEX, FX, CRYPTO... A listing
 * outside the US carries its exchange in its symbol ({@code VOD.L}); {@code mic} is the
 * exchange's ISO 10383 code when the provider gave one, so listings that differ only by
 * exchange stay apart even where no suffix is known for it. {@code industry} (GICS sub-industry
 * where the provider lists one) feeds the search index.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record SearchHit(
    String symbol, String name, String exchange, String type, String sector, String source, String mic, String industry) {

  public SearchHit {
    Objects.requireNonNull(symbol, "symbol");
    Objects.requireNonNull(source, "source");
  }

  /** A hit without an industry (most providers' search answers carry none). */
  public SearchHit(String symbol, String name, String exchange, String type, String sector, String source, String mic) {
    this(symbol, name, exchange, type, sector, source, mic, null);
  }

  /** A hit without a MIC. */
  public SearchHit(String symbol, String name, String exchange, String type, String sector, String source) {
    this(symbol, name, exchange, type, sector, source, null);
  }
}
