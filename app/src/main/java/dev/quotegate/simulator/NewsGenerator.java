package dev.quotegate.simulator;

import static java.util.Objects.requireNonNull;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Deterministic generated headlines. Each instrument has its own feed: every hour of the clock
 * (markets open or not) carries an article with a probability of about one in six, published at a
 * hashed minute of that hour; the general feed (no symbol) has about two articles an hour about
 * random instruments. Pure function of {@code (seed, universe, now)}; thread-safe.
 */
final class NewsGenerator {

  private static final long HOUR_MS = 3_600_000L;
  /** How far back a feed is searched for articles. */
  private static final int MAX_LOOKBACK_HOURS = 24 * 120;

  private static final List<String> SOURCES =
      List.of("Simulated Wire", "Market Dispatch", "The Quotegate Ledger", "Tape Reader Daily",
          "Open Outcry News", "Closing Bell Review");

  private static final List<String> UP =
      List.of("%s shares climb %s%% as analysts lift price targets",
          "%s rallies after upbeat quarterly guidance",
          "%s gains on reports of expanded buyback",
          "Investors pile into %s ahead of earnings",
          "%s hits session high as %s sector rotates higher");
  private static final List<String> DOWN =
      List.of("%s slips %s%% after cautious outlook",
          "%s falls as margin pressure weighs on results",
          "Analyst downgrade sends %s lower",
          "%s retreats while %s sector lags the market",
          "%s drops on supply-chain concerns");
  private static final List<String> NEUTRAL =
      List.of("%s to present at industry conference next week",
          "%s announces leadership changes",
          "%s declares regular quarterly dividend",
          "What to watch in %s's next earnings report",
          "%s expands partnership in the %s sector");

  private final long seed;
  private final Universe universe;
  private final PriceModel prices;

  NewsGenerator(long seed, Universe universe, PriceModel prices) {
    this.seed = seed;
    this.universe = requireNonNull(universe, "universe");
    this.prices = requireNonNull(prices, "prices");
  }

  /** Up to {@code limit} articles about {@code instrument} published at or before now, newest first. */
  List<NewsItem> forInstrument(Instrument instrument, Instant now, int limit) {
    long symbolKey = PriceModel.mix(seed ^ instrument.symbol().hashCode() * 0x9E3779B97F4A7C15L);
    List<NewsItem> items = new ArrayList<>();
    long hour = Math.floorDiv(now.toEpochMilli(), HOUR_MS);
    for (int back = 0; back < MAX_LOOKBACK_HOURS && items.size() < limit; back++) {
      long h = hour - back;
      long key = PriceModel.mix(symbolKey ^ h * 0xD6E8FEB86659FD93L);
      if (PriceModel.unit(key) < 1.0 / 6) {
        addIfPublished(items, key, h, instrument, now);
      }
    }
    return items;
  }

  /** Up to {@code limit} articles across the market, newest first. */
  List<NewsItem> general(Instant now, int limit) {
    List<NewsItem> items = new ArrayList<>();
    long hour = Math.floorDiv(now.toEpochMilli(), HOUR_MS);
    for (int back = 0; back < MAX_LOOKBACK_HOURS && items.size() < limit; back++) {
      long h = hour - back;
      // two slots an hour, the later slot first so the feed stays newest first
      for (int slot = 1; slot >= 0 && items.size() < limit; slot--) {
        long key = PriceModel.mix(seed ^ h * 0xA0761D6478BD642FL ^ slot * 0xE7037ED1A0B428DBL);
        Instrument about = universe.instruments().get(
            (int) Math.floorMod(PriceModel.mix(key + 7), (long) universe.size()));
        addIfPublished(items, key, h, about, now);
      }
    }
    items.sort((a, b) -> b.publishedAt().compareTo(a.publishedAt()));
    return items;
  }

  private void addIfPublished(List<NewsItem> items, long key, long hour, Instrument ins, Instant now) {
    Instant published =
        Instant.ofEpochMilli(hour * HOUR_MS + (long) (PriceModel.unit(PriceModel.mix(key + 1)) * HOUR_MS));
    if (published.isAfter(now)) {
      return;
    }
    double price = prices.price(ins, published);
    double previous = prices.price(ins, published.minusSeconds(86_400));
    double pct = (price / previous - 1) * 100;
    String pctText = String.format(Locale.ROOT, "%.1f", Math.abs(pct));
    List<String> templates = pct > 1 ? UP : pct < -1 ? DOWN : NEUTRAL;
    String template = templates.get((int) Math.floorMod(PriceModel.mix(key + 2), (long) templates.size()));
    String headline = format(template, ins.name(), pctText, ins.sector());
    String summary = String.format(Locale.ROOT,
        "%s (%s), a %s company listed on %s, traded near $%.2f. %s",
        ins.name(), ins.symbol(), ins.industry().toLowerCase(Locale.ROOT), ins.exchange(), price,
        pct > 1 ? "Buyers stayed in control through the session."
            : pct < -1 ? "Sellers pressed the stock for most of the day."
            : "Trading was orderly with no large moves.");
    String source = SOURCES.get((int) Math.floorMod(PriceModel.mix(key + 3), (long) SOURCES.size()));
    String id = Long.toHexString(PriceModel.mix(key + 4));
    items.add(new NewsItem(id, List.of(ins.symbol()), headline, summary, source,
        "https://news.quotegate.example/" + ins.symbol().toLowerCase(Locale.ROOT) + "/" + id,
        published));
  }

  /** Fills the template's %s placeholders in order with name, percent, sector as it needs. */
  private static String format(String template, String name, String pct, String sector) {
    int placeholders = template.split("%s", -1).length - 1;
    if (placeholders == 1) {
      return String.format(Locale.ROOT, template, name);
    }
    return template.contains("%%")
        ? String.format(Locale.ROOT, template, name, pct)
        : String.format(Locale.ROOT, template, name, sector.toLowerCase(Locale.ROOT));
  }
}
