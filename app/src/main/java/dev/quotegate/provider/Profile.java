package dev.quotegate.provider;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.math.BigDecimal;
import java.util.Objects;

/** A company profile in the gateway's common model; fields a provider lacks are null. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Profile(
    String symbol,
    String name,
    String exchange,
    String sector,
    String industry,
    String currency,
    String country,
    String description,
    Long employees,
    String website,
    BigDecimal marketCap,
    String logoUrl,
    String source) {

  public Profile {
    Objects.requireNonNull(symbol, "symbol");
    Objects.requireNonNull(source, "source");
  }
}
