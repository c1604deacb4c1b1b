package dev.quotegate.simulator;

import static java.util.Objects.requireNonNull;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import tools.jackson.databind.json.JsonMapper;

/**
 * The {@code /v1/*} endpoints as pure functions from a parsed request to a {@link Reply}: no I/O,
 * CPU only, so they may run on an event loop. Faults are applied around them by {@link Simulator}.
 */
final class SimulatorApi {

  /** Latest instant bars may be asked about (2100-01-01T00:00:00Z), in epoch seconds. */
  private static final long MAX_EPOCH_SECOND = 4_102_444_800L;
  private static final int MAX_LIMIT = 50;

  /** A complete HTTP answer. */
  record Reply(int status, byte[] body, Map<String, String> headers) {
    Reply(int status, byte[] body) {
      this(status, body, Map.of());
    }
  }

  /** Parsed request facts the stats need before any fault is applied. */
  record Target(String endpoint, int symbols, Set<String> quoteSymbols) {
    Target(String endpoint, int symbols) {
      this(endpoint, symbols, Set.of());
    }
  }

  private final Universe universe;
  private final PriceModel prices;
  private final NewsGenerator news;
  private final JsonMapper json;
  private final Clock clock;
  private final int batchLimit;
  private final int maxBars;

  SimulatorApi(Universe universe, PriceModel prices, NewsGenerator news, JsonMapper json,
      Clock clock, int batchLimit, int maxBars) {
    this.universe = requireNonNull(universe, "universe");
    this.prices = requireNonNull(prices, "prices");
    this.news = requireNonNull(news, "news");
    this.json = requireNonNull(json, "json");
    this.clock = requireNonNull(clock, "clock");
    this.batchLimit = batchLimit;
    this.maxBars = maxBars;
  }

  /** Classifies a {@code /v1/*} request for the stats: endpoint name and symbols named. */
  static Target target(String path, Map<String, List<String>> params) {
    String rest = path.substring("/v1/".length());
    int slash = rest.indexOf('/');
    String head = slash < 0 ? rest : rest.substring(0, slash);
    boolean hasSubPath = slash >= 0 && slash < rest.length() - 1;
    return switch (head) {
      case "symbols", "search" -> new Target(slash < 0 ? head : "unknown", 0);
      case "quotes" -> {
        Set<String> named = symbolList(params);
        yield slash < 0 ? new Target(head, named.size(), named) : new Target("unknown", named.size());
      }
      case "news" -> new Target(slash < 0 ? head : "unknown",
          first(params, "symbol").filter(s -> !s.isBlank()).isPresent() ? 1 : 0);
      case "bars", "profile" -> hasSubPath ? new Target(head, 1) : new Target("unknown", 0);
      default -> new Target("unknown", 0);
    };
  }

  Reply handle(String endpoint, String path, Map<String, List<String>> params) {
    Instant now = clock.instant();
    return switch (endpoint) {
      case "symbols" -> symbols();
      case "quotes" -> quotes(params, now);
      case "bars" -> bars(lastSegment(path), params, now);
      case "profile" -> profile(lastSegment(path), now);
      case "news" -> news(params, now);
      case "search" -> search(params);
      default -> error(404, "not found: " + path);
    };
  }

  // --- endpoints ------------------------------------------------------------------------------

  private record SymbolView(String symbol, String name, String exchange, String sector,
      String industry, String currency) {}

  private record SymbolsView(int count, List<SymbolView> symbols) {}

  private Reply symbols() {
    List<SymbolView> list = universe.instruments().stream()
        .map(i -> new SymbolView(i.symbol(), i.name(), i.exchange(), i.sector(), i.industry(),
            i.currency()))
        .toList();
    return ok(new SymbolsView(list.size(), list));
  }

  private record QuoteView(String symbol, BigDecimal price, BigDecimal change,
      BigDecimal changePercent, BigDecimal open, BigDecimal high, BigDecimal low,
      BigDecimal previousClose, long volume, String currency, long timestamp, boolean marketOpen) {}

  private record QuotesView(List<QuoteView> quotes, List<String> missing) {}

  private Reply quotes(Map<String, List<String>> params, Instant now) {
    Set<String> symbols = symbolList(params);
    if (symbols.isEmpty()) {
      return error(400, "symbols is required: /v1/quotes?symbols=AAPL,MSFT");
    }
    if (symbols.size() > batchLimit) {
      return error(400, "too many symbols: " + symbols.size() + " > " + batchLimit);
    }
    List<QuoteView> quotes = new ArrayList<>();
    List<String> missing = new ArrayList<>();
    for (String symbol : symbols) {
      Optional<Instrument> instrument = universe.find(symbol);
      if (instrument.isEmpty()) {
        missing.add(symbol);
        continue;
      }
      quotes.add(quoteView(instrument.get(), prices.quote(instrument.get(), now)));
    }
    return ok(new QuotesView(quotes, missing));
  }

  static QuoteView quoteView(Instrument ins, Quote q) {
    BigDecimal price = price(q.price());
    BigDecimal previousClose = price(q.previousClose());
    BigDecimal change = price.subtract(previousClose);
    BigDecimal changePercent = change.multiply(BigDecimal.valueOf(100))
        .divide(previousClose, 4, RoundingMode.HALF_UP).stripTrailingZeros();
    return new QuoteView(ins.symbol(), price, change.stripTrailingZeros(), changePercent,
        price(q.open()), price(q.high()), price(q.low()), previousClose, q.volume(),
        ins.currency(), q.lastTrade().toEpochMilli(), q.marketOpen());
  }

  private record BarView(long t, BigDecimal o, BigDecimal h, BigDecimal l, BigDecimal c, long v) {}

  private record BarsView(String symbol, String interval, List<BarView> bars) {}

  private Reply bars(String symbol, Map<String, List<String>> params, Instant now) {
    Optional<Instrument> instrument = universe.find(symbol);
    if (instrument.isEmpty()) {
      return error(404, "unknown symbol: " + symbol);
    }
    Optional<String> code = first(params, "interval");
    if (code.isEmpty()) {
      return error(400, "interval is required: one of 1m, 5m, 15m, 1h, 1d, 1wk");
    }
    Optional<BarInterval> interval = BarInterval.fromCode(code.get());
    if (interval.isEmpty()) {
      return error(400, "bad interval: " + code.get() + " (one of 1m, 5m, 15m, 1h, 1d, 1wk)");
    }
    long to;
    long from;
    try {
      to = first(params, "to").map(Long::parseLong).orElse(now.getEpochSecond());
      from = first(params, "from").map(Long::parseLong)
          .orElse(to - defaultLookback(interval.get()).toSeconds());
    } catch (NumberFormatException e) {
      return error(400, "from and to must be epoch seconds");
    }
    if (from < 0 || to < 0 || from > MAX_EPOCH_SECOND || to > MAX_EPOCH_SECOND) {
      return error(400, "from and to must be epoch seconds in [0, " + MAX_EPOCH_SECOND + "]");
    }
    if (from > to) {
      return error(400, "bad range: from " + from + " > to " + to);
    }
    List<Bar> bars;
    try {
      bars = prices.bars(instrument.get(), interval.get(), Instant.ofEpochSecond(from),
          Instant.ofEpochSecond(to), now, maxBars);
    } catch (PriceModel.TooManyBarsException e) {
      return error(400, e.getMessage());
    }
    List<BarView> views = bars.stream()
        .map(b -> new BarView(b.start().getEpochSecond(), price(b.open()), price(b.high()),
            price(b.low()), price(b.close()), b.volume()))
        .toList();
    return ok(new BarsView(instrument.get().symbol(), interval.get().code(), views));
  }

  private static Duration defaultLookback(BarInterval interval) {
    return switch (interval) {
      case ONE_MINUTE -> Duration.ofDays(1);
      case FIVE_MINUTES -> Duration.ofDays(5);
      case FIFTEEN_MINUTES -> Duration.ofDays(10);
      case ONE_HOUR -> Duration.ofDays(30);
      case ONE_DAY -> Duration.ofDays(365);
      case ONE_WEEK -> Duration.ofDays(5 * 365);
    };
  }

  private record ProfileView(String symbol, String name, String exchange, String sector,
      String industry, String currency, String country, String description, long employees,
      String website, long marketCap) {}

  private Reply profile(String symbol, Instant now) {
    Optional<Instrument> found = universe.find(symbol);
    if (found.isEmpty()) {
      return error(404, "unknown symbol: " + symbol);
    }
    Instrument i = found.get();
    String description = String.format(Locale.ROOT,
        "%s (%s: %s) is a US company in the %s sector (%s). It employs about %,d people.",
        i.name(), i.exchange(), i.symbol(), i.sector(), i.industry(), i.employees());
    long marketCap = Math.round(prices.price(i, now) * i.sharesOutstanding());
    return ok(new ProfileView(i.symbol(), i.name(), i.exchange(), i.sector(), i.industry(),
        i.currency(), i.country(), description, i.employees(), i.website(), marketCap));
  }

  private record NewsItemView(String id, List<String> symbols, String headline, String summary,
      String source, String url, long publishedAt) {}

  private record NewsView(List<NewsItemView> news) {}

  private Reply news(Map<String, List<String>> params, Instant now) {
    Optional<Integer> limit = limit(params);
    if (limit.isEmpty()) {
      return error(400, "limit must be an integer in [1, " + MAX_LIMIT + "]");
    }
    Optional<String> symbol = first(params, "symbol").filter(s -> !s.isBlank());
    List<NewsItem> items;
    if (symbol.isPresent()) {
      Optional<Instrument> instrument = universe.find(symbol.get());
      if (instrument.isEmpty()) {
        return error(404, "unknown symbol: " + symbol.get());
      }
      items = news.forInstrument(instrument.get(), now, limit.get());
    } else {
      items = news.general(now, limit.get());
    }
    return ok(new NewsView(items.stream()
        .map(n -> new NewsItemView(n.id(), n.symbols(), n.headline(), n.summary(), n.source(),
            n.url(), n.publishedAt().toEpochMilli()))
        .toList()));
  }

  private record SearchResultView(String symbol, String name, String exchange, String type,
      String sector) {}

  private record SearchView(List<SearchResultView> results) {}

  private Reply search(Map<String, List<String>> params) {
    Optional<String> q = first(params, "q").map(String::trim).filter(s -> !s.isEmpty());
    if (q.isEmpty()) {
      return error(400, "q is required: /v1/search?q=app");
    }
    Optional<Integer> limit = limit(params);
    if (limit.isEmpty()) {
      return error(400, "limit must be an integer in [1, " + MAX_LIMIT + "]");
    }
    return ok(new SearchView(universe.search(q.get(), limit.get()).stream()
        .map(i -> new SearchResultView(i.symbol(), i.name(), i.exchange(), "EQUITY", i.sector()))
        .toList()));
  }

  // --- helpers --------------------------------------------------------------------------------

  /** Prices: 2 decimals, 4 below $1, as plain JSON numbers without trailing zeros. */
  static BigDecimal price(double value) {
    int scale = Math.abs(value) < 1 ? 4 : 2;
    BigDecimal rounded = BigDecimal.valueOf(value).setScale(scale, RoundingMode.HALF_UP);
    return rounded.signum() == 0 ? BigDecimal.ZERO : rounded.stripTrailingZeros();
  }

  private static Set<String> symbolList(Map<String, List<String>> params) {
    Set<String> symbols = new LinkedHashSet<>();
    for (String value : params.getOrDefault("symbols", List.of())) {
      for (String s : value.split(",")) {
        String trimmed = s.trim();
        if (!trimmed.isEmpty()) {
          symbols.add(trimmed.toUpperCase(Locale.ROOT));
        }
      }
    }
    return symbols;
  }

  private static Optional<Integer> limit(Map<String, List<String>> params) {
    Optional<String> raw = first(params, "limit");
    if (raw.isEmpty()) {
      return Optional.of(10);
    }
    try {
      int limit = Integer.parseInt(raw.get().trim());
      return limit >= 1 && limit <= MAX_LIMIT ? Optional.of(limit) : Optional.empty();
    } catch (NumberFormatException e) {
      return Optional.empty();
    }
  }

  private static Optional<String> first(Map<String, List<String>> params, String name) {
    List<String> values = params.get(name);
    return values == null || values.isEmpty() ? Optional.empty() : Optional.of(values.get(0));
  }

  private static String lastSegment(String path) {
    return path.substring(path.lastIndexOf('/') + 1);
  }

  private record ErrorView(String error) {}

  Reply ok(Object body) {
    return new Reply(200, json.writeValueAsBytes(body));
  }

  Reply error(int status, String message) {
    return new Reply(status, json.writeValueAsBytes(new ErrorView(message)));
  }

  Reply error(int status, String message, Map<String, String> headers) {
    return new Reply(status, json.writeValueAsBytes(new ErrorView(message)), headers);
  }
}
