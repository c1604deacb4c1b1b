package dev.quotegate.provider;

import java.util.List;
import reactor.core.publisher.Mono;

/** An upstream source of company news. */
public interface NewsProvider {

  String name();

  /** Up to {@code limit} recent articles about {@code symbol}, newest first. */
  Mono<List<NewsItem>> news(String symbol, int limit);
}
