package dev.quotegate.provider;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.Objects;

/** One instrument matching a search. {@code type}: EQUITY, ETF, INDEX, FX, CRYPTO... */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record SearchHit(String symbol, String name, String exchange, String type, String sector, String source) {

  public SearchHit {
    Objects.requireNonNull(symbol, "symbol");
    Objects.requireNonNull(source, "source");
  }
}
