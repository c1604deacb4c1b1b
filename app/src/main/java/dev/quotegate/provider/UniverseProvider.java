package dev.quotegate.provider;

import java.util.List;
import reactor.core.publisher.Mono;

/**
 * A provider that can list the instruments it covers, with their sectors: the universe over
 * which movers and sector statistics are computed.
 */
public interface UniverseProvider {

  String name();

  /** Every listed instrument (bounded by the provider; the simulator lists 500). */
  Mono<List<SearchHit>> universe();
}
