package dev.quotegate.provider;

import java.util.List;
import java.util.Objects;
import java.util.function.Function;

/**
 * A kind of data a provider can serve, tied to its SPI type: {@link #QUOTES} to {@link
 * QuoteProvider}, {@link #BARS} to {@link BarProvider} and so on. A provider has a capability
 * when it is a bean of that SPI type; the {@link ProviderRouter} keeps one ordered chain per
 * capability and never calls a provider for a capability it lacks.
 *
 * @param <P> the SPI type
 */
public final class ProviderKind<P> {

  public static final ProviderKind<QuoteProvider> QUOTES =
      new ProviderKind<>("quotes", QuoteProvider.class, QuoteProvider::name);
  public static final ProviderKind<BarProvider> BARS =
      new ProviderKind<>("bars", BarProvider.class, BarProvider::name);
  public static final ProviderKind<ProfileProvider> PROFILE =
      new ProviderKind<>("profile", ProfileProvider.class, ProfileProvider::name);
  public static final ProviderKind<NewsProvider> NEWS =
      new ProviderKind<>("news", NewsProvider.class, NewsProvider::name);
  public static final ProviderKind<SearchProvider> SEARCH =
      new ProviderKind<>("search", SearchProvider.class, SearchProvider::name);
  public static final ProviderKind<UniverseProvider> UNIVERSE =
      new ProviderKind<>("universe", UniverseProvider.class, UniverseProvider::name);

  /** Every capability, in a fixed order. */
  public static final List<ProviderKind<?>> ALL = List.of(QUOTES, BARS, PROFILE, NEWS, SEARCH, UNIVERSE);

  private final String key;
  private final Class<P> type;
  private final Function<P, String> nameOf;

  private ProviderKind(String key, Class<P> type, Function<P, String> nameOf) {
    this.key = key;
    this.type = type;
    this.nameOf = nameOf;
  }

  /** The configuration key ({@code quotegate.routing.<key>}) and metrics tag value. */
  public String key() {
    return key;
  }

  /** The SPI type whose beans have this capability. */
  public Class<P> type() {
    return type;
  }

  /** The provider's name, as its SPI reports it. */
  public String nameOf(P provider) {
    return Objects.requireNonNull(nameOf.apply(provider), "provider name");
  }

  @Override
  public String toString() {
    return key;
  }
}
