package dev.quotegate.provider.sim;

import dev.quotegate.platform.GatewayException;
import dev.quotegate.platform.UpstreamClient;
import dev.quotegate.provider.NewsItem;
import dev.quotegate.provider.NewsProvider;
import dev.quotegate.provider.Profile;
import dev.quotegate.provider.ProfileProvider;
import dev.quotegate.provider.SearchHit;
import dev.quotegate.provider.SearchProvider;
import dev.quotegate.provider.UniverseProvider;
import java.math.BigDecimal;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Supplier;
import reactor.core.publisher.Mono;
import reactor.netty.http.HttpProtocol;

/** Profiles, news, search and the listed universe from the simulated exchange. */
final class SimMarketProvider implements ProfileProvider, NewsProvider, SearchProvider, UniverseProvider {

  private final UpstreamClient.Provider http;
  private final SimProviderProperties props;
  private final Supplier<URI> baseUrl;

  SimMarketProvider(UpstreamClient client, SimProviderProperties props, Supplier<URI> baseUrl) {
    this.http = client.forProvider(SimQuoteProvider.NAME, HttpProtocol.H2C);
    this.props = props;
    this.baseUrl = baseUrl;
  }

  @Override
  public String name() {
    return SimQuoteProvider.NAME;
  }

  @Override
  public Mono<Profile> profile(String symbol) {
    return fetch("profile", "/v1/profile/" + encode(symbol), symbol, SimProfile.class, p -> {
      if (p.symbol() == null) {
        throw http.malformed("profile without symbol");
      }
      return new Profile(p.symbol(), p.name(), p.exchange(), p.sector(), p.industry(), p.currency(),
          p.country(), p.description(), p.employees(), p.website(), p.marketCap(), null, SimQuoteProvider.NAME);
    });
  }

  @Override
  public Mono<List<NewsItem>> news(String symbol, int limit) {
    return fetch("news", "/v1/news?symbol=" + encode(symbol) + "&limit=" + limit, symbol, SimNews.class, body -> {
      if (body.news() == null) {
        throw http.malformed("no news array");
      }
      List<NewsItem> out = new ArrayList<>(body.news().size());
      for (SimNewsItem n : body.news()) {
        if (n.id() == null || n.headline() == null || n.publishedAt() == null) {
          throw http.malformed("news item without id, headline or time");
        }
        out.add(new NewsItem(n.id(), n.symbols(), n.headline(), n.summary(), n.source(), n.url(),
            Instant.ofEpochMilli(n.publishedAt()), SimQuoteProvider.NAME));
      }
      return out;
    });
  }

  @Override
  public Mono<List<SearchHit>> search(String query, int limit) {
    return fetch("search", "/v1/search?q=" + encode(query) + "&limit=" + limit, query, SimSearch.class, body -> {
      if (body.results() == null) {
        throw http.malformed("no results array");
      }
      return hits(body.results());
    });
  }

  @Override
  public Mono<List<SearchHit>> universe() {
    return fetch("symbols", "/v1/symbols", "universe", SimSymbols.class, body -> {
      if (body.symbols() == null) {
        throw http.malformed("no symbols array");
      }
      return hits(body.symbols());
    });
  }

  private List<SearchHit> hits(List<SimListing> listings) {
    List<SearchHit> out = new ArrayList<>(listings.size());
    for (SimListing s : listings) {
      if (s.symbol() != null) {
        out.add(new SearchHit(s.symbol(), s.name(), s.exchange(), s.type() != null ? s.type() : "EQUITY",
            s.sector(), SimQuoteProvider.NAME, null, s.industry()));
      }
    }
    return out;
  }

  private <B, T> Mono<T> fetch(String operation, String pathAndQuery, String item, Class<B> type, Function<B, T> map) {
    return http.call(operation, Mono.defer(() -> http
        .get(baseUrl.get().resolve(pathAndQuery), Map.of("accept", "application/json"), http.exchangeTimeout())
        .map(res -> {
          http.checkStatus(res);
          if (res.status() == 404) {
            throw new GatewayException.NotFound(item, "unknown symbol: " + item);
          }
          if (res.status() != 200) {
            throw http.malformed("unexpected HTTP " + res.status());
          }
          return map.apply(http.decode(res.body(), type));
        })));
  }

  private static String encode(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }

  record SimProfile(String symbol, String name, String exchange, String sector, String industry, String currency,
      String country, String description, Long employees, String website, BigDecimal marketCap) {}

  record SimNews(List<SimNewsItem> news) {}

  record SimNewsItem(String id, List<String> symbols, String headline, String summary, String source, String url,
      Long publishedAt) {}

  record SimSearch(List<SimListing> results) {}

  record SimSymbols(Integer count, List<SimListing> symbols) {}

  record SimListing(String symbol, String name, String exchange, String type, String sector, String industry) {}
}
