package dev.quotegate.provider;

import java.util.List;
import java.util.Map;
import reactor.core.publisher.Mono;

/**
 * An upstream source of quotes. Implementations call their provider over the shared
 * {@link dev.quotegate.platform.UpstreamClient} and translate every provider failure into a
 * {@link dev.quotegate.platform.GatewayException} in one place.
 */
public interface QuoteProvider {

  /** Short, stable name: the {@code source} of every value it returns and a metrics tag. */
  String name();

  /** Most symbols one {@link #quotes} call may carry (1 for providers without batch calls). */
  int maxBatchSize();

  /**
   * Quotes for up to {@link #maxBatchSize()} symbols in one upstream call. Symbols the
   * provider does not know are absent from the map; the call fails only when the whole
   * upstream call does.
   */
  Mono<Map<String, Quote>> quotes(List<String> symbols);
}
