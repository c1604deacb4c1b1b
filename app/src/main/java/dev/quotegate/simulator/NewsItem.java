package dev.quotegate.simulator;

import java.time.Instant;
import java.util.List;

/**
 * A generated news article.
 *
 * @param id stable identifier
 * @param symbols tickers the article is about
 * @param headline headline
 * @param summary one-paragraph summary
 * @param source publisher name
 * @param url article address (on a reserved {@code .example} domain)
 * @param publishedAt publication instant
 */
public record NewsItem(
    String id,
    List<String> symbols,
    String headline,
    String summary,
    String source,
    String url,
    Instant publishedAt) {}
