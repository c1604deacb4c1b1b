package dev.quotegate.provider.polygon;

import static dev.quotegate.provider.ProviderJson.decimal;
import static dev.quotegate.provider.ProviderJson.nonZero;
import static dev.quotegate.provider.ProviderJson.text;

import dev.quotegate.calendar.BarInterval;
import dev.quotegate.platform.GatewayException;
import dev.quotegate.platform.GatewayException.Upstream;
import dev.quotegate.platform.GatewayException.UpstreamFailure;
import dev.quotegate.platform.UpstreamClient;
import dev.quotegate.platform.UpstreamClient.Response;
import dev.quotegate.provider.Bar;
import dev.quotegate.provider.BarProvider;
import dev.quotegate.provider.BarRequests;
import dev.quotegate.provider.Capability;
import dev.quotegate.provider.NewsItem;
import dev.quotegate.provider.NewsProvider;
import dev.quotegate.provider.Profile;
import dev.quotegate.provider.ProfileProvider;
import dev.quotegate.provider.ProviderAdapter;
import dev.quotegate.provider.ProviderEndpoint;
import dev.quotegate.provider.ProviderJson;
import dev.quotegate.provider.Quote;
import dev.quotegate.provider.QuoteProvider;
import dev.quotegate.provider.SearchHit;
import dev.quotegate.provider.SearchProvider;
import dev.quotegate.provider.SymbolNormalizer;
import dev.quotegate.provider.SymbolNormalizer.Convention;
import java.math.BigDecimal;
import java.net.URI;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import reactor.core.publisher.Mono;
import tools.jackson.databind.JsonNode;

/**
 * Polygon.io (Massive): batch snapshot quotes, aggregates (following {@code next_url}, a
 * bounded number of pages), ticker search, ticker details and news. US equities only. The key
 * travels as {@code Authorization: Bearer}; a {@code next_url} is re-based on the configured
 * base URL, so the key never goes to a host the operator did not configure.
 */
final class PolygonAdapter extends ProviderAdapter
    implements QuoteProvider, BarProvider, ProfileProvider, NewsProvider, SearchProvider {

  static final String NAME = "polygon";
  static final Set<Capability> OFFERED =
      EnumSet.of(Capability.QUOTES, Capability.BARS, Capability.PROFILE, Capability.NEWS, Capability.SEARCH);
  private static final ZoneId NEW_YORK = ZoneId.of("America/New_York");

  private final PolygonProperties props;

  PolygonAdapter(UpstreamClient client, PolygonProperties props) {
    super(NAME, OFFERED, props, Convention.POLYGON, client,
        Map.of("Authorization", "Bearer " + props.apiKey().reveal(), "Accept", "application/json"));
    this.props = props;
  }

  @Override
  public Mono<Map<String, Quote>> quotes(List<String> symbols) {
    Map<String, String> asked = new LinkedHashMap<>();
    for (String s : symbols) {
      SymbolNormalizer.toProvider(Convention.POLYGON, s).ifPresent(p -> asked.put(p, s));
    }
    if (asked.isEmpty()) {
      return Mono.just(Map.of());
    }
    return json("quotes", "/v2/snapshot/locale/us/markets/stocks/tickers", Map.of("tickers", String.join(",", asked.keySet())), null)
        .map(
            body -> {
              Map<String, Quote> out = new HashMap<>();
              for (JsonNode t : body.path("tickers")) {
                String symbol = asked.get(String.valueOf(text(t.get("ticker"))).toUpperCase(Locale.ROOT));
                if (symbol == null) {
                  continue;
                }
                JsonNode day = t.path("day");
                JsonNode prev = t.path("prevDay");
                BigDecimal price = nonZero(t.path("lastTrade").get("p"));
                if (price == null) {
                  price = nonZero(day.get("c"));
                }
                if (price == null) {
                  price = nonZero(prev.get("c"));
                }
                Instant updated = nanos(t.get("updated"));
                if (price == null || updated == null) {
                  continue;
                }
                out.put(symbol, new Quote(symbol, price, decimal(t.get("todaysChange")), decimal(t.get("todaysChangePerc")),
                    nonZero(day.get("o")), nonZero(day.get("h")), nonZero(day.get("l")), nonZero(prev.get("c")),
                    ProviderJson.whole(day.get("v")), "USD", null, updated, NAME));
              }
              return out;
            });
  }

  private static Instant nanos(JsonNode n) {
    Long ns = ProviderJson.whole(n);
    return ns == null || ns <= 0 ? null : Instant.ofEpochSecond(0, ns);
  }

  @Override
  public Mono<List<Bar>> bars(String symbol, BarInterval interval, Instant from, Instant to) {
    String ps = SymbolNormalizer.toProvider(Convention.POLYGON, symbol).orElse(null);
    if (ps == null) {
      return Mono.error(new GatewayException.NotFound(symbol, "polygon does not list " + symbol));
    }
    // Aggregates take both bounds inclusive: millisecond timestamps for intraday bars; dates for
    // daily and weekly ones (their bars start at midnight New York), a day more on each side.
    String bounds;
    if (interval.intraday()) {
      bounds = from.toEpochMilli() + "/" + (to.toEpochMilli() - 1);
    } else {
      BarRequests.Dates d = BarRequests.dates(symbol, from, to);
      bounds = d.before() + "/" + d.after();
    }
    String path = "/v2/aggs/ticker/" + ProviderEndpoint.segment(ps) + "/range/" + range(interval) + "/" + bounds;
    Map<String, String> q = new LinkedHashMap<>();
    q.put("adjusted", "true");
    q.put("sort", "asc");
    q.put("limit", "50000");
    List<Bar> out = Collections.synchronizedList(new ArrayList<>());
    return page("bars", path, q, symbol)
        .expand(body -> {
          String next = text(body.get("next_url"));
          return next == null ? Mono.empty() : page("bars", rebased(next), Map.of(), symbol);
        })
        .take(props.maxPages())
        .doOnNext(body -> {
          for (JsonNode r : body.path("results")) {
            Instant ts = ProviderJson.epochMillis(r.get("t"));
            BigDecimal o = decimal(r.get("o"));
            BigDecimal h = decimal(r.get("h"));
            BigDecimal l = decimal(r.get("l"));
            BigDecimal c = decimal(r.get("c"));
            if (ts == null || o == null || h == null || l == null || c == null) {
              continue;
            }
            if (!interval.intraday()) {
              ts = BarRequests.start(symbol, interval, ts, NEW_YORK); // daily aggregates start at midnight New York
            }
            if (!ts.isBefore(from) && ts.isBefore(to)) {
              out.add(new Bar(ts, o, h, l, c, ProviderJson.whole(r.get("v"))));
            }
          }
        })
        .then(Mono.fromCallable(() -> {
          List<Bar> bars = new ArrayList<>(out);
          bars.sort(Comparator.comparing(Bar::ts));
          return bars;
        }));
  }

  private Mono<JsonNode> page(String operation, String path, Map<String, String> query, String symbol) {
    return json(operation, path, query, symbol);
  }

  /** {@code next_url}'s path and query on the configured base URL (never another host). */
  private static String rebased(String nextUrl) {
    URI u = URI.create(nextUrl);
    return u.getRawPath() + (u.getRawQuery() == null ? "" : "?" + u.getRawQuery());
  }

  static String range(BarInterval interval) {
    switch (interval) {
      case M1:
        return "1/minute";
      case M5:
        return "5/minute";
      case M15:
        return "15/minute";
      case H1:
        return "1/hour";
      case D1:
        return "1/day";
      case W1:
        return "1/week";
      default:
        throw new IllegalArgumentException("interval " + interval);
    }
  }

  @Override
  public Mono<Profile> profile(String symbol) {
    String ps = SymbolNormalizer.toProvider(Convention.POLYGON, symbol).orElse(null);
    if (ps == null) {
      return Mono.error(new GatewayException.NotFound(symbol, "polygon does not list " + symbol));
    }
    return json("profile", "/v3/reference/tickers/" + ProviderEndpoint.segment(ps), Map.of(), symbol)
        .map(
            body -> {
              JsonNode r = body.path("results");
              if (!r.isObject()) {
                throw new GatewayException.NotFound(symbol, "unknown symbol: " + symbol);
              }
              String currency = text(r.get("currency_name"));
              return new Profile(symbol, text(r.get("name")), text(r.get("primary_exchange")), null,
                  text(r.get("sic_description")), currency == null ? null : currency.toUpperCase(Locale.ROOT),
                  text(r.path("address").get("country")), text(r.get("description")), ProviderJson.whole(r.get("total_employees")),
                  text(r.get("homepage_url")), decimal(r.get("market_cap")), text(r.path("branding").get("logo_url")), NAME);
            });
  }

  @Override
  public Mono<List<NewsItem>> news(String symbol, int limit) {
    String ps = SymbolNormalizer.toProvider(Convention.POLYGON, symbol).orElse(null);
    if (ps == null) {
      return Mono.error(new GatewayException.NotFound(symbol, "polygon does not list " + symbol));
    }
    Map<String, String> q = new LinkedHashMap<>();
    q.put("ticker", ps);
    q.put("order", "desc");
    q.put("sort", "published_utc");
    q.put("limit", Integer.toString(limit));
    return json("news", "/v2/reference/news", q, null)
        .map(
            body -> {
              List<NewsItem> out = new ArrayList<>();
              for (JsonNode n : body.path("results")) {
                String id = text(n.get("id"));
                String title = text(n.get("title"));
                Instant at = parseInstant(text(n.get("published_utc")));
                if (id == null || title == null || at == null) {
                  continue;
                }
                List<String> tickers = new ArrayList<>();
                for (JsonNode t : n.path("tickers")) {
                  String s = text(t);
                  if (s != null) {
                    tickers.add(SymbolNormalizer.fromProvider(Convention.POLYGON, s));
                  }
                }
                out.add(new NewsItem(id, tickers.isEmpty() ? List.of(symbol) : tickers, title, text(n.get("description")),
                    text(n.path("publisher").get("name")), text(n.get("article_url")), at, NAME));
              }
              out.sort(Comparator.comparing(NewsItem::publishedAt).reversed());
              return out.size() > limit ? List.copyOf(out.subList(0, limit)) : out;
            });
  }

  private static Instant parseInstant(String s) {
    try {
      return s == null ? null : Instant.parse(s);
    } catch (RuntimeException e) {
      return null;
    }
  }

  @Override
  public Mono<List<SearchHit>> search(String query, int limit) {
    Map<String, String> q = new LinkedHashMap<>();
    q.put("search", query);
    q.put("market", "stocks");
    q.put("active", "true");
    q.put("limit", Integer.toString(limit));
    return json("search", "/v3/reference/tickers", q, null)
        .map(
            body -> {
              List<SearchHit> out = new ArrayList<>();
              for (JsonNode n : body.path("results")) {
                String s = text(n.get("ticker"));
                if (s == null) {
                  continue;
                }
                out.add(new SearchHit(SymbolNormalizer.fromProvider(Convention.POLYGON, s), text(n.get("name")),
                    text(n.get("primary_exchange")), ProviderJson.instrumentType(text(n.get("type"))), null, NAME));
                if (out.size() == limit) {
                  break;
                }
              }
              return out;
            });
  }

  private Mono<JsonNode> json(String operation, String path, Map<String, String> query, String symbol) {
    return http.call(operation, endpoint.get(path, query).map(res -> {
      JsonNode body = http.decode(checked(res, operation, symbol), JsonNode.class);
      if ("ERROR".equalsIgnoreCase(text(body.get("status")))) {
        throw new Upstream(NAME, UpstreamFailure.UNAVAILABLE, operation + ": status ERROR");
      }
      return body;
    }));
  }

  private byte[] checked(Response res, String operation, String symbol) {
    if (res.status() == 403) {
      // {"status":"NOT_AUTHORIZED","message":"You are not entitled to this data..."}: the
      // key is valid, the plan does not include this endpoint.
      throw new Upstream(NAME, UpstreamFailure.UNSUPPORTED, operation + " is not available on this Polygon plan");
    }
    http.checkStatus(res);
    if (res.status() == 404 && symbol != null) {
      throw new GatewayException.NotFound(symbol, "unknown symbol: " + symbol);
    }
    if (res.status() != 200) {
      throw http.malformed("unexpected HTTP " + res.status() + " on " + operation);
    }
    return res.body();
  }
}
