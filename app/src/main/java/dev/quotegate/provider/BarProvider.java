package dev.quotegate.provider;

import dev.quotegate.calendar.BarInterval;
import java.time.Instant;
import java.util.List;
import reactor.core.publisher.Mono;

/** An upstream source of OHLCV bars. */
public interface BarProvider {

  /** The provider's name, as in {@link QuoteProvider#name()}. */
  String name();

  /**
   * Bars of {@code interval} whose start lies in {@code [from, to)}, ascending by time.
   * Fails with {@link dev.quotegate.platform.GatewayException.NotFound} for an unknown
   * symbol; an empty list means the provider has no bars in that range.
   */
  Mono<List<Bar>> bars(String symbol, BarInterval interval, Instant from, Instant to);
}
