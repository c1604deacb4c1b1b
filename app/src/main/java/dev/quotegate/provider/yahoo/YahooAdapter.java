package dev.quotegate.provider.yahoo;

import static dev.quotegate.provider.ProviderJson.decimal;
import static dev.quotegate.provider.ProviderJson.text;

import dev.quotegate.calendar.BarInterval;
import dev.quotegate.platform.GatewayException;
import dev.quotegate.platform.UpstreamClient;
import dev.quotegate.platform.UpstreamClient.Response;
import dev.quotegate.provider.Bar;
import dev.quotegate.provider.BarProvider;
import dev.quotegate.provider.BarRequests;
import dev.quotegate.provider.Capability;
import dev.quotegate.provider.Currencies;
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
import dev.quotegate.provider.yahoo.YahooSession.Session;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import tools.jackson.databind.JsonNode;

/**
 * Yahoo Finance (unofficial): v7 batch quotes (in chunks), v8 chart, v1 search (symbols and
 * news) and v10 quoteSummary profiles. Quotes and profiles need the shared cookie + crumb
 * {@link YahooSession}; a 401 refreshes it once and retries. Every call sends a browser-like
 * User-Agent.
 */
final class YahooAdapter extends ProviderAdapter
    implements QuoteProvider, BarProvider, ProfileProvider, NewsProvider, SearchProvider {

  static final String NAME = "yahoo";
  static final Set<Capability> OFFERED =
      EnumSet.of(Capability.QUOTES, Capability.BARS, Capability.PROFILE, Capability.NEWS, Capability.SEARCH);

  private final YahooSession session;
  private final YahooProperties props;

  YahooAdapter(UpstreamClient client, YahooProperties props) {
    super(NAME, OFFERED, props, null, client,
        Map.of("User-Agent", props.userAgent(), "Accept", "application/json,text/plain,*/*"));
    this.props = props;
    this.session =
        new YahooSession(endpoint, new ProviderEndpoint(client, NAME, props.cookieUrl(), Map.of("User-Agent", props.userAgent())));
  }

  YahooSession session() {
    return session;
  }

  // ---- quotes -------------------------------------------------------------------------

  @Override
  public Mono<Map<String, Quote>> quotes(List<String> symbols) {
    List<List<String>> chunks = new ArrayList<>();
    for (int i = 0; i < symbols.size(); i += props.batchSize()) {
      chunks.add(symbols.subList(i, Math.min(symbols.size(), i + props.batchSize())));
    }
    return Flux.fromIterable(chunks)
        .flatMap(this::quoteChunk, props.maxConcurrency())
        .reduce(new HashMap<String, Quote>(), (all, part) -> {
          all.putAll(part);
          return all;
        })
        .map(Map::copyOf);
  }

  private Mono<Map<String, Quote>> quoteChunk(List<String> symbols) {
    // Yahoo's symbol -> the symbol as asked, so answers are keyed the way they were asked.
    Map<String, String> asked = new LinkedHashMap<>();
    for (String s : symbols) {
      asked.put(SymbolNormalizer.toProvider(Convention.YAHOO, s).orElse(s), s);
    }
    return withSession(
        "quotes",
        s -> {
          Map<String, String> q = new LinkedHashMap<>();
          q.put("symbols", String.join(",", asked.keySet()));
          q.put("crumb", s.crumb());
          return endpoint.get("/v7/finance/quote", q, Map.of("Cookie", s.cookie()));
        },
        res -> {
          JsonNode body = http.decode(checked(res, null), JsonNode.class);
          JsonNode qr = body.path("quoteResponse");
          if (!qr.path("result").isArray()) {
            throw http.malformed("quoteResponse.result is not an array");
          }
          Map<String, Quote> out = new HashMap<>();
          for (JsonNode n : qr.path("result")) {
            String ys = text(n.get("symbol"));
            String symbol = ys == null ? null : asked.get(ys.toUpperCase(java.util.Locale.ROOT));
            BigDecimal price = decimal(n.get("regularMarketPrice"));
            Instant asOf = ProviderJson.epochSeconds(n.get("regularMarketTime"));
            if (symbol == null || price == null || asOf == null) {
              continue; // not asked for, or no price yet: absent
            }
            out.put(symbol, new Quote(symbol, price, decimal(n.get("regularMarketChange")),
                decimal(n.get("regularMarketChangePercent")), decimal(n.get("regularMarketOpen")),
                decimal(n.get("regularMarketDayHigh")), decimal(n.get("regularMarketDayLow")),
                decimal(n.get("regularMarketPreviousClose")), ProviderJson.whole(n.get("regularMarketVolume")),
                text(n.get("currency")), marketOpen(text(n.get("marketState"))), asOf, NAME));
          }
          return out;
        });
  }

  private static Boolean marketOpen(String marketState) {
    return marketState == null ? null : "REGULAR".equals(marketState);
  }

  // ---- bars ---------------------------------------------------------------------------

  @Override
  public Mono<List<Bar>> bars(String symbol, BarInterval interval, Instant from, Instant to) {
    String ys = SymbolNormalizer.toProvider(Convention.YAHOO, symbol).orElse(symbol);
    Map<String, String> q = new LinkedHashMap<>();
    if (interval.intraday()) {
      q.put("period1", Long.toString(from.getEpochSecond()));
      // period2 is exclusive and must lie after period1 (Yahoo refuses period1 == period2)
      q.put("period2", Long.toString(Math.max(to.getEpochSecond(), from.getEpochSecond() + 60)));
    } else {
      // a day more on each side, in UTC: the first and the last session are never cut off
      BarRequests.Dates d = BarRequests.dates(symbol, from, to);
      q.put("period1", Long.toString(d.before().atStartOfDay(java.time.ZoneOffset.UTC).toEpochSecond()));
      q.put("period2", Long.toString(d.after().plusDays(1).atStartOfDay(java.time.ZoneOffset.UTC).toEpochSecond()));
    }
    q.put("interval", chartInterval(interval));
    q.put("includePrePost", "false");
    return http.call(
        "bars",
        endpoint.get("/v8/finance/chart/" + ProviderEndpoint.segment(ys), q)
            .map(res -> toBars(symbol, interval, from, to, http.decode(checked(res, symbol), JsonNode.class))));
  }

  private List<Bar> toBars(String symbol, BarInterval interval, Instant from, Instant to, JsonNode body) {
    JsonNode chart = body.path("chart");
    notFoundIfError(chart.path("error"), symbol);
    JsonNode result = chart.path("result").path(0);
    if (result.isMissingNode()) {
      throw http.malformed("chart.result is empty");
    }
    JsonNode ts = result.path("timestamp");
    JsonNode quote = result.path("indicators").path("quote").path(0);
    // Yahoo stamps a daily bar at its session's start in the exchange's zone: its date there is
    // the trading date.
    ZoneId zone = BarRequests.zone(symbol);
    String currency = text(result.path("meta").get("currency"));
    List<Bar> out = new ArrayList<>(ts.size());
    for (int i = 0; i < ts.size(); i++) {
      Instant t = ProviderJson.epochSeconds(ts.get(i));
      BigDecimal o = decimal(quote.path("open").get(i));
      BigDecimal h = decimal(quote.path("high").get(i));
      BigDecimal l = decimal(quote.path("low").get(i));
      BigDecimal c = decimal(quote.path("close").get(i));
      if (t == null || o == null || h == null || l == null || c == null) {
        continue; // Yahoo pads its arrays with nulls (halts, the bar in progress)
      }
      if (!interval.intraday()) {
        t = BarRequests.start(symbol, interval, t, zone);
      }
      if (t.isBefore(from) || !t.isBefore(to)) {
        continue;
      }
      // prices in pence (GBp) and other minor units are answered in the major unit, as quotes are
      out.add(Currencies.toMajor(new Bar(t, o, h, l, c, ProviderJson.whole(quote.path("volume").get(i))), currency));
    }
    out.sort(Comparator.comparing(Bar::ts));
    return out;
  }

  static String chartInterval(BarInterval interval) {
    switch (interval) {
      case M1:
        return "1m";
      case M5:
        return "5m";
      case M15:
        return "15m";
      case H1:
        return "60m";
      case D1:
        return "1d";
      case W1:
        return "1wk";
      default:
        throw new IllegalArgumentException("interval " + interval);
    }
  }

  // ---- profile ------------------------------------------------------------------------

  @Override
  public Mono<Profile> profile(String symbol) {
    String ys = SymbolNormalizer.toProvider(Convention.YAHOO, symbol).orElse(symbol);
    return withSession(
        "profile",
        s -> {
          Map<String, String> q = new LinkedHashMap<>();
          q.put("modules", "assetProfile,price");
          q.put("crumb", s.crumb());
          return endpoint.get("/v10/finance/quoteSummary/" + ProviderEndpoint.segment(ys), q, Map.of("Cookie", s.cookie()));
        },
        res -> {
          JsonNode summary = http.decode(checked(res, symbol), JsonNode.class).path("quoteSummary");
          notFoundIfError(summary.path("error"), symbol);
          JsonNode result = summary.path("result").path(0);
          if (result.isMissingNode()) {
            throw new GatewayException.NotFound(symbol, "unknown symbol: " + symbol);
          }
          JsonNode ap = result.path("assetProfile");
          JsonNode price = result.path("price");
          String name = text(price.get("longName"));
          return new Profile(symbol, name != null ? name : text(price.get("shortName")), text(price.get("exchangeName")),
              text(ap.get("sector")), text(ap.get("industry")), text(price.get("currency")), text(ap.get("country")),
              text(ap.get("longBusinessSummary")), ProviderJson.whole(ap.get("fullTimeEmployees")), text(ap.get("website")),
              decimal(price.get("marketCap")), null, NAME);
        });
  }

  // ---- search and news ----------------------------------------------------------------

  @Override
  public Mono<List<SearchHit>> search(String query, int limit) {
    Map<String, String> q = new LinkedHashMap<>();
    q.put("q", query);
    q.put("quotesCount", Integer.toString(limit));
    q.put("newsCount", "0");
    return http.call(
        "search",
        endpoint.get("/v1/finance/search", q).map(res -> {
          JsonNode body = http.decode(checked(res, null), JsonNode.class);
          List<SearchHit> out = new ArrayList<>();
          for (JsonNode n : body.path("quotes")) {
            String s = text(n.get("symbol"));
            if (s == null) {
              continue; // Yahoo mixes in entries without a symbol (news topics...)
            }
            String name = text(n.get("longname"));
            String exchange = text(n.get("exchDisp"));
            out.add(new SearchHit(SymbolNormalizer.fromProvider(Convention.YAHOO, s), name != null ? name : text(n.get("shortname")),
                exchange != null ? exchange : text(n.get("exchange")), ProviderJson.instrumentType(text(n.get("quoteType"))),
                text(n.get("sector")), NAME));
            if (out.size() == limit) {
              break;
            }
          }
          return out;
        }));
  }

  @Override
  public Mono<List<NewsItem>> news(String symbol, int limit) {
    Map<String, String> q = new LinkedHashMap<>();
    q.put("q", SymbolNormalizer.toProvider(Convention.YAHOO, symbol).orElse(symbol));
    q.put("quotesCount", "0");
    q.put("newsCount", Integer.toString(limit));
    return http.call(
        "news",
        endpoint.get("/v1/finance/search", q).map(res -> {
          JsonNode body = http.decode(checked(res, null), JsonNode.class);
          List<NewsItem> out = new ArrayList<>();
          for (JsonNode n : body.path("news")) {
            String id = text(n.get("uuid"));
            String title = text(n.get("title"));
            Instant at = ProviderJson.epochSeconds(n.get("providerPublishTime"));
            if (id == null || title == null || at == null) {
              continue;
            }
            List<String> related = new ArrayList<>();
            for (JsonNode r : n.path("relatedTickers")) {
              String t = text(r);
              if (t != null) {
                related.add(SymbolNormalizer.fromProvider(Convention.YAHOO, t));
              }
            }
            out.add(new NewsItem(id, related.isEmpty() ? List.of(symbol) : related, title, null,
                text(n.get("publisher")), text(n.get("link")), at, NAME));
          }
          out.sort(Comparator.comparing(NewsItem::publishedAt).reversed());
          return out.size() > limit ? List.copyOf(out.subList(0, limit)) : out;
        }));
  }

  // ---- plumbing -----------------------------------------------------------------------

  /**
   * Runs a request that needs the session; on 401 (Yahoo's "Invalid Crumb") drops the session
   * and retries once with a fresh one. A second 401 is a rejection.
   */
  private <T> Mono<T> withSession(String operation, Function<Session, Mono<Response>> request, Function<Response, T> map) {
    return http.call(operation, attempt(request, map, true));
  }

  private <T> Mono<T> attempt(Function<Session, Mono<Response>> request, Function<Response, T> map, boolean mayRefresh) {
    return session
        .current()
        .flatMap(s -> request.apply(s).flatMap(res -> {
          if (res.status() == 401 && mayRefresh) {
            session.invalidate(s);
            return attempt(request, map, false);
          }
          return Mono.just(map.apply(res));
        }));
  }

  private byte[] checked(Response res, String symbol) {
    if (res.status() == 404 && symbol != null) {
      // chart and quoteSummary answer 404 {"...":{"error":{"code":"Not Found"}}}
      throw new GatewayException.NotFound(symbol, "unknown symbol: " + symbol);
    }
    http.checkStatus(res);
    if (res.status() != 200) {
      throw http.malformed("unexpected HTTP " + res.status());
    }
    return res.body();
  }

  private void notFoundIfError(JsonNode error, String symbol) {
    if (error.isMissingNode() || error.isNull()) {
      return;
    }
    if ("Not Found".equalsIgnoreCase(text(error.get("code")))) {
      throw new GatewayException.NotFound(symbol, "unknown symbol: " + symbol);
    }
    throw http.malformed("error " + text(error.get("code")));
  }
}
