package dev.quotegate.provider.sim;

import dev.quotegate.platform.UpstreamClient;
import dev.quotegate.provider.QuoteProvider;
import dev.quotegate.quote.Quote;
import java.math.BigDecimal;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import reactor.core.publisher.Mono;
import reactor.netty.http.HttpProtocol;

/** Quotes from the simulated exchange, over HTTP/2 cleartext (prior knowledge). */
final class SimQuoteProvider implements QuoteProvider {

  static final String NAME = "sim";

  private final UpstreamClient.Provider http;
  private final SimProviderProperties props;
  private final Supplier<URI> baseUrl;

  SimQuoteProvider(UpstreamClient client, SimProviderProperties props, Supplier<URI> baseUrl) {
    this.http = client.forProvider(NAME, HttpProtocol.H2C);
    this.props = props;
    this.baseUrl = baseUrl;
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public int maxBatchSize() {
    return props.batchSize();
  }

  @Override
  public Mono<Map<String, Quote>> quotes(List<String> symbols) {
    return http.call(
        "quotes",
        Mono.defer(
            () -> {
              URI uri =
                  baseUrl.get().resolve("/v1/quotes?symbols=" + URLEncoder.encode(String.join(",", symbols), StandardCharsets.UTF_8));
              return http.get(uri, Map.of("accept", "application/json"), props.timeout())
                  .map(
                      res -> {
                        http.checkStatus(res);
                        if (res.status() != 200) {
                          throw http.malformed("unexpected HTTP " + res.status());
                        }
                        return toQuotes(http.decode(res.body(), SimQuotes.class));
                      });
            }));
  }

  private Map<String, Quote> toQuotes(SimQuotes body) {
    if (body.quotes() == null) {
      throw http.malformed("no quotes array");
    }
    Map<String, Quote> out = new HashMap<>(body.quotes().size() * 2);
    for (SimQuote q : body.quotes()) {
      if (q.symbol() == null || q.price() == null || q.timestamp() == null) {
        throw http.malformed("quote without symbol, price or timestamp");
      }
      out.put(
          q.symbol(),
          new Quote(
              q.symbol(),
              q.price(),
              q.change(),
              q.changePercent(),
              q.open(),
              q.high(),
              q.low(),
              q.previousClose(),
              q.volume(),
              q.currency(),
              q.marketOpen(),
              Instant.ofEpochMilli(q.timestamp()),
              NAME));
    }
    return out;
  }

  /** The simulator's batch answer. */
  record SimQuotes(List<SimQuote> quotes, List<String> missing) {}

  /** One simulator quote, as it sends it. */
  record SimQuote(
      String symbol,
      BigDecimal price,
      BigDecimal change,
      BigDecimal changePercent,
      BigDecimal open,
      BigDecimal high,
      BigDecimal low,
      BigDecimal previousClose,
      Long volume,
      String currency,
      Long timestamp,
      Boolean marketOpen) {}
}
