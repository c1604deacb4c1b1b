package dev.quotegate.provider;

import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import java.time.Duration;
import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.validation.annotation.Validated;

/**
 * Which providers serve which data, in which order. Each chain names providers by their
 * {@code name()}; the first available one is asked, and when it fails (or its circuit is open,
 * it is cooling down or its quota is spent) the next one is. A chain left empty means every
 * provider with that capability, in bean order (fine with one provider; name the chain
 * explicitly as soon as there are more). A named provider without the capability is skipped.
 *
 * @param quotes chain for quotes, e.g. {@code [yahoo, finnhub, sim]}
 * @param bars chain for OHLCV bars
 * @param profile chain for company profiles
 * @param news chain for company news
 * @param search chain for symbol search (symbol overrides do not apply)
 * @param universe chain for the listed universe movers and sectors are computed over
 * @param overrides per-symbol exceptions, first match wins; a kind an override leaves empty
 *     uses the main chain
 * @param deadline longest one walk along a chain may take before it fails as a timeout: a
 *     backstop (each provider's own timeout ends its calls sooner) so that no request and no
 *     coalesced fetch can wait forever
 */
@Validated
@ConfigurationProperties("quotegate.routing")
public record RoutingProperties(
    List<String> quotes,
    List<String> bars,
    List<String> profile,
    List<String> news,
    List<String> search,
    List<String> universe,
    List<@Valid Override> overrides,
    Duration deadline) {

  public RoutingProperties {
    deadline = deadline == null ? Duration.ofSeconds(30) : deadline;
    quotes = quotes == null ? List.of() : List.copyOf(quotes);
    bars = bars == null ? List.of() : List.copyOf(bars);
    profile = profile == null ? List.of() : List.copyOf(profile);
    news = news == null ? List.of() : List.copyOf(news);
    search = search == null ? List.of() : List.copyOf(search);
    universe = universe == null ? List.of() : List.copyOf(universe);
    overrides = overrides == null ? List.of() : List.copyOf(overrides);
  }

  /** The configured chain for {@code capability} (may be empty). */
  List<String> chain(ProviderKind<?> capability) {
    return capability == ProviderKind.UNIVERSE ? universe : pick(capability, quotes, bars, profile, news, search);
  }

  /**
   * Chains for the symbols that match {@code symbols}.
   *
   * @param symbols glob over the upper-case symbol: {@code *} any run of characters, {@code ?}
   *     one; e.g. {@code *.L} (London listings), {@code ^*} (indices), {@code *=X} (currencies)
   * @param quotes chain for quotes of matching symbols
   * @param bars chain for bars of matching symbols
   * @param profile chain for profiles of matching symbols
   * @param news chain for news of matching symbols
   */
  public record Override(
      @NotBlank String symbols,
      List<String> quotes,
      List<String> bars,
      List<String> profile,
      List<String> news) {

    public Override {
      quotes = quotes == null ? List.of() : List.copyOf(quotes);
      bars = bars == null ? List.of() : List.copyOf(bars);
      profile = profile == null ? List.of() : List.copyOf(profile);
      news = news == null ? List.of() : List.copyOf(news);
    }

    List<String> chain(ProviderKind<?> capability) {
      return capability == ProviderKind.UNIVERSE ? List.of() : pick(capability, quotes, bars, profile, news, List.of());
    }
  }

  private static List<String> pick(
      ProviderKind<?> c,
      List<String> quotes,
      List<String> bars,
      List<String> profile,
      List<String> news,
      List<String> search) {
    if (c == ProviderKind.QUOTES) {
      return quotes;
    }
    if (c == ProviderKind.BARS) {
      return bars;
    }
    if (c == ProviderKind.PROFILE) {
      return profile;
    }
    if (c == ProviderKind.NEWS) {
      return news;
    }
    return search;
  }
}
