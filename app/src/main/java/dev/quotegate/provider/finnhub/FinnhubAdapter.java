package dev.quotegate.provider.finnhub;

import static dev.quotegate.provider.ProviderJson.decimal;
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
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import tools.jackson.databind.JsonNode;

/**
 * Finnhub: quotes (one symbol per call), candles (paid plans), profile2, company news and
 * search. The key travels in the {@code X-Finnhub-Token} header. A 403 means "not on your
 * plan" ({@link UpstreamFailure#UNSUPPORTED}), not an outage.
 */
final class FinnhubAdapter extends ProviderAdapter
    implements QuoteProvider, BarProvider, ProfileProvider, NewsProvider, SearchProvider {

  static final String NAME = "finnhub";
  static final Set<Capability> OFFERED =
      EnumSet.of(Capability.QUOTES, Capability.BARS, Capability.PROFILE, Capability.NEWS, Capability.SEARCH);
  private static final BigDecimal MILLION = BigDecimal.valueOf(1_000_000);

  private final FinnhubProperties props;
  private final Clock clock;

  FinnhubAdapter(UpstreamClient client, FinnhubProperties props, Clock clock) {
    super(NAME, OFFERED, props, Convention.FINNHUB, client,
        Map.of("X-Finnhub-Token", props.apiKey().reveal(), "Accept", "application/json"));
    this.props = props;
    this.clock = clock;
  }

  @Override
  public Mono<Map<String, Quote>> quotes(List<String> symbols) {
    // No batch endpoint: one call per symbol, bounded fan-out.
    return Flux.fromIterable(symbols)
        .flatMap(s -> quote(s).map(q -> Map.entry(s, q)), props.maxConcurrency())
        .collectMap(Map.Entry::getKey, Map.Entry::getValue);
  }

  private Mono<Quote> quote(String symbol) {
    String fs = SymbolNormalizer.toProvider(Convention.FINNHUB, symbol).orElse(null);
    if (fs == null) {
      return Mono.empty();
    }
    return json("quote", "/quote", Map.of("symbol", fs), symbol)
        .flatMap(
            body -> {
              BigDecimal price = decimal(body.get("c"));
              Instant t = ProviderJson.epochSeconds(body.get("t"));
              // Unknown symbols answer 200 with zeros and nulls.
              if (price == null || t == null || price.signum() == 0) {
                return Mono.empty();
              }
              return Mono.just(
                  new Quote(symbol, price, decimal(body.get("d")), decimal(body.get("dp")),
                      ProviderJson.nonZero(body.get("o")), ProviderJson.nonZero(body.get("h")),
                      ProviderJson.nonZero(body.get("l")), ProviderJson.nonZero(body.get("pc")),
                      null, null, null, t, NAME));
            });
  }

  @Override
  public Mono<List<Bar>> bars(String symbol, BarInterval interval, Instant from, Instant to) {
    String fs = SymbolNormalizer.toProvider(Convention.FINNHUB, symbol).orElse(null);
    if (fs == null) {
      return Mono.error(new GatewayException.NotFound(symbol, "finnhub does not list " + symbol));
    }
    Map<String, String> q = new LinkedHashMap<>();
    q.put("symbol", fs);
    q.put("resolution", resolution(interval));
    if (interval.intraday()) {
      q.put("from", Long.toString(from.getEpochSecond()));
      q.put("to", Long.toString(to.getEpochSecond()));
    } else {
      // Daily candles are stamped 00:00 UTC of their date, and both bounds are inclusive:
      // ask from the day before the first date to the end of the day after the last.
      BarRequests.Dates d = BarRequests.dates(symbol, from, to);
      q.put("from", Long.toString(d.before().atStartOfDay(ZoneOffset.UTC).toEpochSecond()));
      q.put("to", Long.toString(d.after().plusDays(1).atStartOfDay(ZoneOffset.UTC).toEpochSecond() - 1));
    }
    return json("bars", "/stock/candle", q, symbol)
        .map(
            body -> {
              String status = text(body.get("s"));
              if ("no_data".equals(status)) {
                return List.<Bar>of();
              }
              if (!"ok".equals(status)) {
                throw http.malformed("candle status " + status);
              }
              JsonNode t = body.path("t");
              List<Bar> out = new ArrayList<>(t.size());
              for (int i = 0; i < t.size(); i++) {
                Instant ts = ProviderJson.epochSeconds(t.get(i));
                BigDecimal o = decimal(body.path("o").get(i));
                BigDecimal h = decimal(body.path("h").get(i));
                BigDecimal l = decimal(body.path("l").get(i));
                BigDecimal c = decimal(body.path("c").get(i));
                if (ts == null || o == null || h == null || l == null || c == null) {
                  continue;
                }
                if (!interval.intraday()) {
                  // Daily candles are stamped at 00:00 UTC of their date.
                  ts = BarRequests.start(symbol, interval, ts, ZoneOffset.UTC);
                }
                if (ts.isBefore(from) || !ts.isBefore(to)) {
                  continue;
                }
                out.add(new Bar(ts, o, h, l, c, ProviderJson.whole(body.path("v").get(i))));
              }
              out.sort(Comparator.comparing(Bar::ts));
              return out;
            });
  }

  @Override
  public Mono<Profile> profile(String symbol) {
    String fs = SymbolNormalizer.toProvider(Convention.FINNHUB, symbol).orElse(null);
    if (fs == null) {
      return Mono.error(new GatewayException.NotFound(symbol, "finnhub does not list " + symbol));
    }
    return json("profile", "/stock/profile2", Map.of("symbol", fs), symbol)
        .map(
            body -> {
              if (text(body.get("name")) == null && text(body.get("ticker")) == null) {
                throw notFound(symbol); // unknown symbols answer {}
              }
              BigDecimal cap = decimal(body.get("marketCapitalization"));
              return new Profile(symbol, text(body.get("name")), text(body.get("exchange")), null,
                  text(body.get("finnhubIndustry")), text(body.get("currency")), text(body.get("country")),
                  null, null, text(body.get("weburl")), cap == null ? null : cap.multiply(MILLION).setScale(0, java.math.RoundingMode.HALF_UP),
                  text(body.get("logo")), NAME);
            });
  }

  @Override
  public Mono<List<NewsItem>> news(String symbol, int limit) {
    String fs = SymbolNormalizer.toProvider(Convention.FINNHUB, symbol).orElse(null);
    if (fs == null) {
      return Mono.error(new GatewayException.NotFound(symbol, "finnhub does not list " + symbol));
    }
    return Mono.defer(
        () -> {
          LocalDate today = LocalDate.ofInstant(clock.instant(), ZoneOffset.UTC);
          Map<String, String> q = new LinkedHashMap<>();
          q.put("symbol", fs);
          q.put("from", today.minusDays(Math.max(1, props.newsLookback().toDays())).toString());
          q.put("to", today.toString());
          return json("news", "/company-news", q, symbol);
        })
        .map(
            body -> {
              if (!body.isArray()) {
                throw http.malformed("company-news is not an array");
              }
              List<NewsItem> out = new ArrayList<>();
              for (JsonNode n : body) {
                String id = text(n.get("id"));
                String headline = text(n.get("headline"));
                Instant at = ProviderJson.epochSeconds(n.get("datetime"));
                if (id == null || headline == null || at == null) {
                  continue;
                }
                out.add(new NewsItem(id, related(symbol, text(n.get("related"))), headline, text(n.get("summary")),
                    text(n.get("source")), text(n.get("url")), at, NAME));
              }
              out.sort(Comparator.comparing(NewsItem::publishedAt).reversed());
              return out.size() > limit ? List.copyOf(out.subList(0, limit)) : out;
            });
  }

  @Override
  public Mono<List<SearchHit>> search(String query, int limit) {
    return json("search", "/search", Map.of("q", query), null)
        .map(
            body -> {
              List<SearchHit> out = new ArrayList<>();
              for (JsonNode n : body.path("result")) {
                String s = text(n.get("symbol"));
                if (s == null) {
                  continue;
                }
                out.add(new SearchHit(SymbolNormalizer.fromProvider(Convention.FINNHUB, s), text(n.get("description")),
                    null, ProviderJson.instrumentType(text(n.get("type"))), null, NAME));
                if (out.size() == limit) {
                  break;
                }
              }
              return out;
            });
  }

  private static List<String> related(String symbol, String related) {
    if (related == null) {
      return List.of(symbol);
    }
    List<String> out = new ArrayList<>();
    for (String r : related.split(",")) {
      if (!r.isBlank()) {
        out.add(SymbolNormalizer.fromProvider(Convention.FINNHUB, r));
      }
    }
    return out.isEmpty() ? List.of(symbol) : out;
  }

  static String resolution(BarInterval interval) {
    switch (interval) {
      case M1:
        return "1";
      case M5:
        return "5";
      case M15:
        return "15";
      case H1:
        return "60";
      case D1:
        return "D";
      case W1:
        return "W";
      default:
        throw new IllegalArgumentException("interval " + interval);
    }
  }

  /** One call: HTTP status and body errors become typed errors here, inside the timed call. */
  private Mono<JsonNode> json(String operation, String path, Map<String, String> query, String symbol) {
    return http.call(
        operation,
        endpoint.get(path, query).map(res -> http.decode(checked(res, operation, symbol), JsonNode.class)));
  }

  private byte[] checked(Response res, String operation, String symbol) {
    int s = res.status();
    if (s == 403) {
      // Finnhub answers 403 {"error":"You don't have access to this resource."} for
      // endpoints outside the plan (candles on the free plan).
      throw new Upstream(NAME, UpstreamFailure.UNSUPPORTED, operation + " is not available on this Finnhub plan");
    }
    http.checkStatus(res);
    if (s == 404 && symbol != null) {
      throw notFound(symbol);
    }
    if (s != 200) {
      throw http.malformed("unexpected HTTP " + s + " on " + operation);
    }
    return res.body();
  }

  private static GatewayException.NotFound notFound(String symbol) {
    return new GatewayException.NotFound(symbol, "unknown symbol: " + symbol);
  }
}
