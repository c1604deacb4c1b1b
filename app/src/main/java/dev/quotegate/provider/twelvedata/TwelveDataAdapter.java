package dev.quotegate.provider.twelvedata;

import static dev.quotegate.provider.ProviderJson.decimal;
import static dev.quotegate.provider.ProviderJson.text;

import dev.quotegate.calendar.BarInterval;
import dev.quotegate.calendar.Calendars;
import dev.quotegate.platform.GatewayException;
import dev.quotegate.platform.GatewayException.Upstream;
import dev.quotegate.platform.GatewayException.UpstreamFailure;
import dev.quotegate.platform.UpstreamClient;
import dev.quotegate.platform.UpstreamClient.Response;
import dev.quotegate.provider.Bar;
import dev.quotegate.provider.BarProvider;
import dev.quotegate.provider.BarRequests;
import dev.quotegate.provider.Capability;
import dev.quotegate.provider.Currencies;
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
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
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
 * Twelve Data: quotes (comma-separated batch), time_series and symbol_search. Numbers arrive
 * as strings; a body with {@code status:"error"} is an error whatever the HTTP status, read by
 * its {@code code}. In a batch, one symbol's error only drops that symbol.
 */
final class TwelveDataAdapter extends ProviderAdapter implements QuoteProvider, BarProvider, SearchProvider {

  static final String NAME = "twelvedata";
  static final Set<Capability> OFFERED = EnumSet.of(Capability.QUOTES, Capability.BARS, Capability.SEARCH);
  private static final DateTimeFormatter DATE_TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss");
  private static final Set<String> US_EXCHANGES = Set.of("NASDAQ", "NYSE", "AMEX", "NYSE ARCA", "NYSEARCA", "CBOE", "BATS", "OTC", "IEX");

  private final TwelveDataProperties props;
  private final java.time.Clock clock;

  TwelveDataAdapter(UpstreamClient client, TwelveDataProperties props) {
    this(client, props, java.time.Clock.systemUTC());
  }

  TwelveDataAdapter(UpstreamClient client, TwelveDataProperties props, java.time.Clock clock) {
    super(NAME, OFFERED, props, Convention.TWELVE_DATA, client,
        Map.of("Authorization", "apikey " + props.apiKey().reveal(), "Accept", "application/json"));
    this.props = props;
    this.clock = clock;
  }

  @Override
  public Mono<Map<String, Quote>> quotes(List<String> symbols) {
    Map<String, String> asked = new LinkedHashMap<>();
    for (String s : symbols) {
      SymbolNormalizer.toProvider(Convention.TWELVE_DATA, s).ifPresent(t -> asked.put(t.toUpperCase(Locale.ROOT), s));
    }
    if (asked.isEmpty()) {
      return Mono.just(Map.of());
    }
    return json("quotes", "/quote", Map.of("symbol", String.join(",", asked.keySet())), asked.size() == 1 ? symbols.get(0) : null)
        .map(
            body -> {
              Map<String, Quote> out = new HashMap<>();
              if (body.has("symbol")) {
                // One symbol: the quote itself.
                put(out, asked, asked.keySet().iterator().next(), body);
              } else {
                // Several: an object keyed by symbol, each a quote or an error.
                for (Map.Entry<String, JsonNode> e : body.properties()) {
                  put(out, asked, e.getKey(), e.getValue());
                }
              }
              return out;
            })
        // A single unknown symbol answers {"code":400|404,"status":"error"}: absent, as in a batch.
        .onErrorResume(GatewayException.NotFound.class, e -> Mono.just(Map.of()));
  }

  private void put(Map<String, Quote> out, Map<String, String> asked, String key, JsonNode n) {
    String symbol = asked.get(key.toUpperCase(Locale.ROOT));
    if (symbol == null || "error".equals(text(n.get("status")))) {
      return; // not asked, or unknown to Twelve Data
    }
    BigDecimal price = decimal(n.get("close"));
    // The time of the price, by the first field present: last_quote_at, timestamp (epoch
    // seconds), datetime (a date or a local date-time on the exchange).
    Instant asOf = ProviderJson.epochSeconds(n.get("last_quote_at"));
    if (asOf == null) {
      asOf = ProviderJson.epochSeconds(n.get("timestamp"));
    }
    if (asOf == null) {
      asOf = quoteTime(symbol, text(n.get("datetime")));
    }
    if (price == null || asOf == null) {
      return;
    }
    JsonNode open = n.get("is_market_open");
    out.put(symbol, new Quote(symbol, price, decimal(n.get("change")), decimal(n.get("percent_change")), decimal(n.get("open")),
        decimal(n.get("high")), decimal(n.get("low")), decimal(n.get("previous_close")), ProviderJson.whole(n.get("volume")),
        text(n.get("currency")), open == null || !open.isBoolean() ? null : open.booleanValue(), asOf, NAME));
  }

  @Override
  public Mono<List<Bar>> bars(String symbol, BarInterval interval, Instant from, Instant to) {
    String ts = SymbolNormalizer.toProvider(Convention.TWELVE_DATA, symbol).orElse(null);
    if (ts == null) {
      return Mono.error(new GatewayException.NotFound(symbol, "twelvedata does not list " + symbol));
    }
    Map<String, String> q = new LinkedHashMap<>();
    q.put("symbol", ts);
    q.put("interval", interval(interval));
    if (interval.intraday()) {
      q.put("start_date", DATE_TIME.format(from.atOffset(ZoneOffset.UTC)));
      q.put("end_date", DATE_TIME.format(to.atOffset(ZoneOffset.UTC)));
      q.put("timezone", "UTC");
    } else {
      // Daily values carry a bare date on the exchange: ask by dates, a day more on each side
      // (end_date is the latest value's bound whatever its inclusiveness), keep the range's own.
      BarRequests.Dates d = BarRequests.dates(symbol, from, to);
      q.put("start_date", d.before().toString());
      q.put("end_date", d.after().toString());
    }
    q.put("outputsize", "5000");
    return json("bars", "/time_series", q, symbol)
        .map(
            body -> {
              List<Bar> out = new ArrayList<>();
              String currency = text(body.path("meta").get("currency"));
              for (JsonNode v : body.path("values")) {
                Instant t = barStart(symbol, interval, text(v.get("datetime")));
                BigDecimal o = decimal(v.get("open"));
                BigDecimal h = decimal(v.get("high"));
                BigDecimal l = decimal(v.get("low"));
                BigDecimal c = decimal(v.get("close"));
                if (t == null || o == null || h == null || l == null || c == null || t.isBefore(from) || !t.isBefore(to)) {
                  continue;
                }
                out.add(Currencies.toMajor(new Bar(t, o, h, l, c, ProviderJson.whole(v.get("volume"))), currency));
              }
              out.sort(Comparator.comparing(Bar::ts)); // Twelve Data lists newest first
              return out;
            });
  }

  /**
   * A quote's {@code datetime}: a local date-time on the symbol's exchange, or a bare trading
   * date, read as that session's close (never later than now).
   */
  private Instant quoteTime(String symbol, String datetime) {
    if (datetime == null) {
      return null;
    }
    try {
      java.time.ZoneId zone = BarRequests.zone(symbol);
      Instant t = datetime.length() <= 10
          ? dev.quotegate.calendar.Calendars.forSymbol(symbol).sessionClose(LocalDate.parse(datetime))
              .orElse(LocalDate.parse(datetime).plusDays(1).atStartOfDay(zone).toInstant())
          : LocalDateTime.parse(datetime, DATE_TIME).atZone(zone).toInstant();
      Instant now = clock.instant();
      return t.isAfter(now) ? now : t;
    } catch (java.time.format.DateTimeParseException e) {
      return null;
    }
  }

  /** Intraday datetimes are UTC (we ask {@code timezone=UTC}); dates are trading dates on the exchange. */
  private static Instant barStart(String symbol, BarInterval interval, String datetime) {
    if (datetime == null) {
      return null;
    }
    try {
      if (datetime.length() <= 10) {
        return BarRequests.start(symbol, interval, LocalDate.parse(datetime));
      }
      return LocalDateTime.parse(datetime, DATE_TIME).toInstant(ZoneOffset.UTC);
    } catch (java.time.format.DateTimeParseException e) {
      return null;
    }
  }


  static String interval(BarInterval interval) {
    switch (interval) {
      case M1:
        return "1min";
      case M5:
        return "5min";
      case M15:
        return "15min";
      case H1:
        return "1h";
      case D1:
        return "1day";
      case W1:
        return "1week";
      default:
        throw new IllegalArgumentException("interval " + interval);
    }
  }

  @Override
  public Mono<List<SearchHit>> search(String query, int limit) {
    Map<String, String> q = new LinkedHashMap<>();
    q.put("symbol", query);
    q.put("outputsize", Integer.toString(limit));
    return json("search", "/symbol_search", q, null)
        .map(
            body -> {
              List<SearchHit> out = new ArrayList<>();
              for (JsonNode n : body.path("data")) {
                String s = text(n.get("symbol"));
                if (s == null) {
                  continue;
                }
                String exchange = text(n.get("exchange"));
                String mic = text(n.get("mic_code"));
                String suffix = Calendars.suffixOfMic(mic);
                boolean us = exchange == null || US_EXCHANGES.contains(exchange.toUpperCase(Locale.ROOT));
                // A non-US listing keeps its exchange: the suffix of its MIC (XPAR -> .PA, which the
                // name "Euronext" alone cannot tell), else the exchange code; the MIC goes along.
                String gateway = us
                    ? SymbolNormalizer.fromProvider(Convention.TWELVE_DATA, s)
                    : suffix != null
                        ? SymbolNormalizer.canonical(s + "." + suffix)
                        : SymbolNormalizer.fromProvider(Convention.TWELVE_DATA, s + ":" + exchange);
                out.add(new SearchHit(gateway, text(n.get("instrument_name")), exchange,
                    ProviderJson.instrumentType(text(n.get("instrument_type"))), null, NAME, mic));
                if (out.size() == limit) {
                  break;
                }
              }
              return out;
            });
  }

  private Mono<JsonNode> json(String operation, String path, Map<String, String> query, String symbol) {
    return http.call(operation, endpoint.get(path, query).map(res -> read(res, operation, symbol)));
  }

  /** The body's {@code status:"error"} first (whatever the HTTP status), then the HTTP status. */
  private JsonNode read(Response res, String operation, String symbol) {
    JsonNode body = null;
    try {
      body = http.decode(res.body(), JsonNode.class);
    } catch (Upstream e) {
      if (res.status() == 200) {
        throw e;
      }
    }
    if (body != null && body.isObject() && "error".equals(text(body.get("status")))) {
      Long code = ProviderJson.whole(body.get("code"));
      throw byCode(code == null ? res.status() : code.intValue(), res, operation, symbol);
    }
    if (res.status() != 200) {
      throw byCode(res.status(), res, operation, symbol);
    }
    return body;
  }

  private RuntimeException byCode(int code, Response res, String operation, String symbol) {
    switch (code) {
      case 400:
      case 404:
        if (symbol != null) {
          return new GatewayException.NotFound(symbol, "unknown symbol: " + symbol);
        }
        return code == 404
            ? http.malformed("HTTP 404 on " + operation)
            : new GatewayException.InvalidRequest("q", "rejected by twelvedata as an invalid request");
      case 401:
        return new Upstream(NAME, UpstreamFailure.REJECTED, "API key rejected (code 401)");
      case 403:
        return new Upstream(NAME, UpstreamFailure.UNSUPPORTED, operation + " is not available on this Twelve Data plan");
      case 429:
        return new Upstream(NAME, UpstreamFailure.RATE_LIMITED, "credits exhausted (code 429)", res.retryAfter(), null);
      default:
        if (code >= 500) {
          return new Upstream(NAME, UpstreamFailure.UNAVAILABLE, "code " + code, res.retryAfter(), null);
        }
        return http.malformed("unexpected code " + code + " on " + operation);
    }
  }
}
