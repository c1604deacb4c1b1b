package dev.quotegate.provider;

import java.util.EnumSet;
import java.util.Set;

/** The kinds of data a provider can be used for; routing keeps one provider chain per kind. */
public enum Capability {
  /** Real-time or delayed quotes ({@link QuoteProvider}). */
  QUOTES,
  /** OHLCV bars ({@link BarProvider}). */
  BARS,
  /** Company profiles ({@link ProfileProvider}). */
  PROFILE,
  /** Company news ({@link NewsProvider}). */
  NEWS,
  /** Symbol search ({@link SearchProvider}). */
  SEARCH,
  /** The listed universe movers and sectors are computed over ({@link UniverseProvider}). */
  UNIVERSE;

  /**
   * The capabilities {@code provider} is configured for, checked against what it offers: a
   * capability it does not offer is a configuration error, reported at startup.
   */
  public static Set<Capability> configured(String provider, Set<Capability> useFor, Set<Capability> offered) {
    EnumSet<Capability> out = useFor == null || useFor.isEmpty() ? EnumSet.noneOf(Capability.class) : EnumSet.copyOf(useFor);
    EnumSet<Capability> extra = EnumSet.copyOf(out);
    extra.removeAll(offered);
    if (!extra.isEmpty()) {
      throw new IllegalArgumentException(
          "quotegate.providers." + provider + ".use-for lists " + extra + ", which " + provider
              + " does not offer (it offers " + offered + ")");
    }
    return java.util.Collections.unmodifiableSet(out);
  }
}
