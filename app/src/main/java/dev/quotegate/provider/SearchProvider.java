package dev.quotegate.provider;

import java.util.List;
import reactor.core.publisher.Mono;

/** An upstream source of symbol search. */
public interface SearchProvider {

  String name();

  /** Up to {@code limit} instruments matching {@code query}, best first. */
  Mono<List<SearchHit>> search(String query, int limit);
}
