package dev.quotegate.provider.alphavantage;

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
import java.time.DayOfWeek;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.time.temporal.TemporalAdjusters;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import tools.jackson.databind.JsonNode;

/**
 * Alpha Vantage: GLOBAL_QUOTE (one symbol per call), daily/weekly/intraday series,
 * SYMBOL_SEARCH and OVERVIEW. Every value arrives as a string, and every error arrives with
 * HTTP 200: a body holding {@code Note} or {@code Information} (rate limit, or a premium
 * endpoint) or {@code Error Message} (unknown symbol, bad call) instead of data.
 */
final class AlphaVantageAdapter extends ProviderAdapter
    implements QuoteProvider, BarProvider, ProfileProvider, SearchProvider {

  static final String NAME = "alphavantage";
  static final Set<Capability> OFFERED = EnumSet.of(Capability.QUOTES, Capability.BARS, Capability.PROFILE, Capability.SEARCH);
  private static final ZoneId NEW_YORK = ZoneId.of("America/New_York");
  private static final DateTimeFormatter INTRADAY = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss");
  /** A compact series holds the last 100 bars: longer ranges need outputsize=full. */
  private static final int COMPACT_BARS = 100;

  private final AlphaVantageProperties props;
  private final Clock clock;
  private final String key;

  AlphaVantageAdapter(UpstreamClient client, AlphaVantageProperties props, Clock clock) {
    // Alpha Vantage takes its key only in the URL; the endpoint redacts it from every error.
    super(NAME, OFFERED, props, Convention.ALPHA_VANTAGE, client, Map.of("Accept", "application/json"));
    this.props = props;
    this.clock = clock;
    this.key = props.apiKey().reveal();
  }

  @Override
  public Mono<Map<String, Quote>> quotes(List<String> symbols) {
    return Flux.fromIterable(symbols)
        .flatMap(s -> quote(s).map(q -> Map.entry(s, q)), props.maxConcurrency())
        .collectMap(Map.Entry::getKey, Map.Entry::getValue);
  }

  private Mono<Quote> quote(String symbol) {
    String as = SymbolNormalizer.toProvider(Convention.ALPHA_VANTAGE, symbol).orElse(null);
    if (as == null) {
      return Mono.empty();
    }
    Map<String, String> q = new LinkedHashMap<>();
    q.put("function", "GLOBAL_QUOTE");
    q.put("symbol", as);
    return query("quotes", q, symbol)
        .flatMap(
            body -> {
              JsonNode g = body.path("Global Quote");
              BigDecimal price = decimal(g.get("05. price"));
              if (price == null) {
                return Mono.empty(); // unknown symbols answer {"Global Quote": {}}
              }
              return Mono.just(new Quote(symbol, price, decimal(g.get("09. change")), decimal(g.get("10. change percent")),
                  decimal(g.get("02. open")), decimal(g.get("03. high")), decimal(g.get("04. low")),
                  decimal(g.get("08. previous close")), ProviderJson.whole(g.get("06. volume")), null, null,
                  asOf(text(g.get("07. latest trading day"))), NAME));
            });
  }

  /** Alpha Vantage gives only the trading day: its close, or now while that day is today. */
  private Instant asOf(String day) {
    Instant now = clock.instant();
    if (day == null) {
      return now;
    }
    try {
      Instant close = LocalDate.parse(day).atTime(16, 0).atZone(NEW_YORK).toInstant();
      return close.isBefore(now) ? close : now;
    } catch (DateTimeParseException e) {
      return now;
    }
  }

  @Override
  public Mono<List<Bar>> bars(String symbol, BarInterval interval, Instant from, Instant to) {
    String as = SymbolNormalizer.toProvider(Convention.ALPHA_VANTAGE, symbol).orElse(null);
    if (as == null) {
      return Mono.error(new GatewayException.NotFound(symbol, "alphavantage does not list " + symbol));
    }
    Map<String, String> q = new LinkedHashMap<>();
    switch (interval) {
      case D1:
        q.put("function", "TIME_SERIES_DAILY");
        q.put("symbol", as);
        // compact is the latest 100 bars: enough only when the range starts within them,
        // however short the range is
        LocalDate first = BarRequests.dates(symbol, from, to).before();
        q.put("outputsize", BarRequests.olderThanLatest(symbol, first, COMPACT_BARS, clock.instant()) ? "full" : "compact");
        break;
      case W1:
        q.put("function", "TIME_SERIES_WEEKLY");
        q.put("symbol", as);
        break;
      default:
        q.put("function", "TIME_SERIES_INTRADAY");
        q.put("symbol", as);
        q.put("interval", intradayInterval(interval));
        // compact: the latest 100 bars of the interval, counted back from now
        long back = Duration.between(from, clock.instant()).dividedBy(interval.length());
        q.put("outputsize", back > COMPACT_BARS ? "full" : "compact");
    }
    return query("bars", q, symbol).map(body -> toBars(symbol, body, interval, from, to));
  }

  private List<Bar> toBars(String symbol, JsonNode body, BarInterval interval, Instant from, Instant to) {
    JsonNode series = null;
    ZoneId zone = NEW_YORK;
    for (Map.Entry<String, JsonNode> e : body.properties()) {
      if (e.getKey().contains("Time Series")) {
        series = e.getValue();
      } else if (e.getKey().equals("Meta Data")) {
        for (Map.Entry<String, JsonNode> m : e.getValue().properties()) {
          if (m.getKey().endsWith("Time Zone")) {
            zone = ProviderJson.zone(text(m.getValue()));
          }
        }
      }
    }
    if (series == null || !series.isObject()) {
      throw http.malformed("no time series in the answer");
    }
    List<Bar> out = new ArrayList<>();
    for (Map.Entry<String, JsonNode> e : series.properties()) {
      Instant ts = barStart(symbol, e.getKey(), interval, zone);
      JsonNode v = e.getValue();
      BigDecimal o = decimal(v.get("1. open"));
      BigDecimal h = decimal(v.get("2. high"));
      BigDecimal l = decimal(v.get("3. low"));
      BigDecimal c = decimal(v.get("4. close"));
      if (ts == null || o == null || h == null || l == null || c == null || ts.isBefore(from) || !ts.isBefore(to)) {
        continue;
      }
      out.add(new Bar(ts, o, h, l, c, ProviderJson.whole(v.get("5. volume"))));
    }
    out.sort(Comparator.comparing(Bar::ts)); // Alpha Vantage lists newest first
    return out;
  }

  private static Instant barStart(String symbol, String key, BarInterval interval, ZoneId zone) {
    try {
      if (interval.intraday()) {
        return LocalDateTime.parse(key, INTRADAY).atZone(zone).toInstant();
      }
      // Daily bars are keyed by their trading date, weekly ones by their last trading day:
      // the gateway stamps both at the session's (the week's first session's) opening.
      return BarRequests.start(symbol, interval, LocalDate.parse(key));
    } catch (DateTimeParseException e) {
      return null;
    }
  }


  static String intradayInterval(BarInterval interval) {
    switch (interval) {
      case M1:
        return "1min";
      case M5:
        return "5min";
      case M15:
        return "15min";
      case H1:
        return "60min";
      default:
        throw new IllegalArgumentException("interval " + interval);
    }
  }

  @Override
  public Mono<Profile> profile(String symbol) {
    String as = SymbolNormalizer.toProvider(Convention.ALPHA_VANTAGE, symbol).orElse(null);
    if (as == null) {
      return Mono.error(new GatewayException.NotFound(symbol, "alphavantage does not list " + symbol));
    }
    Map<String, String> q = new LinkedHashMap<>();
    q.put("function", "OVERVIEW");
    q.put("symbol", as);
    return query("profile", q, symbol)
        .map(
            b -> {
              if (text(b.get("Symbol")) == null && text(b.get("Name")) == null) {
                throw new GatewayException.NotFound(symbol, "unknown symbol: " + symbol); // {}
              }
              return new Profile(symbol, text(b.get("Name")), text(b.get("Exchange")), text(b.get("Sector")),
                  text(b.get("Industry")), text(b.get("Currency")), text(b.get("Country")), text(b.get("Description")),
                  ProviderJson.whole(b.get("FullTimeEmployees")), text(b.get("OfficialSite")),
                  decimal(b.get("MarketCapitalization")), null, NAME);
            });
  }

  @Override
  public Mono<List<SearchHit>> search(String query, int limit) {
    Map<String, String> q = new LinkedHashMap<>();
    q.put("function", "SYMBOL_SEARCH");
    q.put("keywords", query);
    return query("search", q, null)
        .map(
            body -> {
              List<SearchHit> out = new ArrayList<>();
              for (JsonNode n : body.path("bestMatches")) {
                String s = text(n.get("1. symbol"));
                if (s == null) {
                  continue;
                }
                out.add(new SearchHit(SymbolNormalizer.fromProvider(Convention.ALPHA_VANTAGE, s), text(n.get("2. name")),
                    null, ProviderJson.instrumentType(text(n.get("3. type"))), null, NAME));
                if (out.size() == limit) {
                  break;
                }
              }
              return out;
            });
  }

  /** One call to {@code /query}: the key is added here, errors in the body become typed errors. */
  private Mono<JsonNode> query(String operation, Map<String, String> params, String symbol) {
    Map<String, String> q = new LinkedHashMap<>(params);
    q.put("apikey", key);
    return http.call(operation, endpoint.get("/query", q).map(res -> checkBody(http.decode(checked(res, symbol), JsonNode.class), symbol)));
  }

  private byte[] checked(Response res, String symbol) {
    http.checkStatus(res);
    if (res.status() == 404 && symbol != null) {
      throw new GatewayException.NotFound(symbol, "unknown symbol: " + symbol);
    }
    if (res.status() != 200) {
      throw http.malformed("unexpected HTTP " + res.status());
    }
    return res.body();
  }

  private JsonNode checkBody(JsonNode body, String symbol) {
    if (!body.isObject()) {
      throw http.malformed("answer is not a JSON object");
    }
    String error = text(body.get("Error Message"));
    if (error != null) {
      if (symbol != null) {
        throw new GatewayException.NotFound(symbol, "alphavantage does not know " + symbol);
      }
      throw new GatewayException.InvalidRequest("q", "rejected by alphavantage as an invalid call");
    }
    String note = text(body.get("Note"));
    String info = text(body.get("Information"));
    String message = note != null ? note : info;
    if (message != null) {
      String m = message.toLowerCase(Locale.ROOT);
      boolean rateLimit = note != null || m.contains("rate limit") || m.contains("call frequency") || m.contains("requests per");
      if (!rateLimit && m.contains("premium")) {
        throw new Upstream(NAME, UpstreamFailure.UNSUPPORTED, "premium endpoint: not available on this Alpha Vantage plan");
      }
      boolean daily = m.contains("per day") && !m.contains("per minute");
      throw new Upstream(NAME, UpstreamFailure.RATE_LIMITED,
          daily ? "daily request limit reached" : "request rate limit reached", daily ? untilUtcMidnight() : Duration.ofMinutes(1), null);
    }
    return body;
  }

  private Duration untilUtcMidnight() {
    Instant now = clock.instant();
    Instant midnight = LocalDate.ofInstant(now, ZoneOffset.UTC).plusDays(1).atTime(LocalTime.MIDNIGHT).toInstant(ZoneOffset.UTC);
    return Duration.between(now, midnight);
  }
}
