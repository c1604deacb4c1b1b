package dev.quotegate.provider.sim;

import dev.quotegate.platform.UpstreamClient;
import dev.quotegate.provider.Quote;
import dev.quotegate.provider.QuoteProvider;
import java.math.BigDecimal;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import reactor.core.publisher.Mono;
import reactor.netty.http.HttpProtocol;

/**
 * Quotes from the simulated exchange, over HTTP/2 cleartext (prior knowledge). Normally the
 * provider {@code sim}; a second simulator can be added as another provider under another name
 * ({@link #named}), e.g. to exercise fallback chains.
 */
public final class SimQuoteProvider implements QuoteProvider {

  static final String NAME = "sim";

  private final String name;
  private final UpstreamClient.Provider http;
  private final SimProviderProperties props;
  private final Supplier<URI> baseUrl;

  SimQuoteProvider(UpstreamClient client, SimProviderProperties props, Supplier<URI> baseUrl) {
    this(NAME, client, props, baseUrl);
  }

  private SimQuoteProvider(String name, UpstreamClient client, SimProviderProperties props, Supplier<URI> baseUrl) {
    this.name = name;
    this.http = client.forProvider(name, HttpProtocol.H2C);
    this.props = props;
    this.baseUrl = baseUrl;
  }

  /** A simulator provider called {@code name} at a fixed {@code baseUrl}. */
  public static SimQuoteProvider named(String name, UpstreamClient client, SimProviderProperties props, URI baseUrl) {
    return new SimQuoteProvider(name, client, props, () -> baseUrl);
  }

  @Override
  public String name() {
    return name;
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
              return http.get(uri, Map.of("accept", "application/json"), http.exchangeTimeout())
                  .map(
                      res -> {
                        http.checkStatus(res);
                        if (res.status() != 200) {
                          throw http.malformed("unexpected HTTP " + res.status());
                        }
                        return toQuotes(symbols, http.decodeJson(res, SimQuotes.class));
                      });
            }));
  }

  private Map<String, Quote> toQuotes(List<String> requested, SimQuotes body) {
    if (body.quotes() == null) {
      throw http.malformed("no quotes array");
    }
    // An answer that neither quotes nor lists as missing a symbol we asked for is not an
    // answer about it: treating the gap as "unknown symbol" would cache a false 404.
    Set<String> answered = new HashSet<>(body.quotes().size() * 2);
    body.quotes().forEach(q -> answered.add(q.symbol()));
    if (body.missing() != null) {
      answered.addAll(body.missing());
    }
    if (!answered.containsAll(requested)) {
      throw http.malformed("answer leaves requested symbols out");
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
              name));
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
