package dev.quotegate.provider;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/** One news article about one or more symbols. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record NewsItem(
    String id,
    List<String> symbols,
    String headline,
    String summary,
    String publisher,
    String url,
    Instant publishedAt,
    String source) {

  public NewsItem {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(headline, "headline");
    Objects.requireNonNull(publishedAt, "publishedAt");
    Objects.requireNonNull(source, "source");
    symbols = symbols == null ? List.of() : List.copyOf(symbols);
  }
}
