package dev.quotegate.provider;

import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The one place that translates symbols between the gateway's form and each provider's.
 *
 * <p><b>Gateway form</b> (what {@code web.SymbolParams} accepts and every response carries):
 * upper case; share classes after a dot ({@code BRK.B}; {@code BRK-B} is read as the same
 * instrument); non-US listings with Yahoo-style exchange suffixes ({@code VOD.L},
 * {@code SHOP.TO}, {@code VNM.VN}); indices with a caret ({@code ^GSPC}); currency pairs as
 * {@code EURUSD=X}; futures as {@code CL=F}.
 *
 * <p>A suffix after the last dot is an exchange when it is in {@link #EXCHANGES}, otherwise a
 * one-letter suffix is a share class. So {@code X.V} is TSX Venture, not class V.
 *
 * <p>{@link #toProvider} answers empty when the provider cannot serve the symbol at all
 * (Polygon is US-only, Alpha Vantage has no index quotes...): routing skips such providers
 * rather than caching "unknown symbol".
 */
public final class SymbolNormalizer {

  /** Each provider's symbol convention. */
  public enum Convention {
    /** {@code BRK-B}, {@code VOD.L}, {@code ^GSPC}, {@code EURUSD=X}, {@code CL=F}. */
    YAHOO,
    /** {@code BRK.B}, {@code VOD.L}, {@code ^GSPC}; no currency pairs or futures. */
    FINNHUB,
    /** {@code BRK-B}, {@code TSCO.LON} (its own suffixes); equities only. */
    ALPHA_VANTAGE,
    /** {@code BRK.B}; US equities only. */
    POLYGON,
    /** {@code BRK.B}, {@code VOD:LSE} (exchange code), {@code EUR/USD}. */
    TWELVE_DATA
  }

  /**
   * Yahoo exchange suffix -> {Alpha Vantage suffix, Twelve Data exchange}; null where that
   * provider has no such market (or we could not verify its code).
   */
  static final Map<String, String[]> EXCHANGES =
      Map.ofEntries(
          Map.entry("L", new String[] {"LON", "LSE"}),
          Map.entry("TO", new String[] {"TRT", "TSX"}),
          Map.entry("V", new String[] {"TRV", "TSXV"}),
          Map.entry("DE", new String[] {"DEX", "XETR"}),
          Map.entry("F", new String[] {"FRK", "FSX"}),
          Map.entry("PA", new String[] {"PAR", "Euronext"}),
          Map.entry("AS", new String[] {"AMS", "Euronext"}),
          Map.entry("BR", new String[] {"BRU", "Euronext"}),
          Map.entry("MI", new String[] {null, "MTA"}),
          Map.entry("SW", new String[] {null, "SIX"}),
          Map.entry("HK", new String[] {null, "HKEX"}),
          Map.entry("T", new String[] {null, "JPX"}),
          Map.entry("AX", new String[] {null, "ASX"}),
          Map.entry("BO", new String[] {"BSE", "BSE"}),
          Map.entry("NS", new String[] {null, "NSE"}),
          Map.entry("SS", new String[] {"SHH", "SSE"}),
          Map.entry("SZ", new String[] {"SHZ", "SZSE"}),
          Map.entry("VN", new String[] {null, "HOSE"}),
          Map.entry("KS", new String[] {null, "KRX"}),
          Map.entry("SA", new String[] {"SAO", "Bovespa"}));

  private SymbolNormalizer() {}

  /** The parts of a gateway symbol. */
  record Parsed(Kind kind, String root, String shareClass, String exchange) {}

  enum Kind {
    EQUITY,
    INDEX,
    CURRENCY,
    FUTURE
  }

  /** The gateway form of {@code symbol}: upper case, share classes after a dot. */
  public static String canonical(String symbol) {
    Parsed p = parse(symbol);
    switch (p.kind()) {
      case INDEX:
        return "^" + p.root();
      case CURRENCY:
        return p.root() + "=X";
      case FUTURE:
        return p.root() + "=F";
      default:
        return equity(p.root(), p.shareClass(), ".", p.exchange() == null ? "" : "." + p.exchange());
    }
  }

  /** {@code symbol} (gateway form) as {@code convention} writes it, or empty if unsupported. */
  public static Optional<String> toProvider(Convention convention, String symbol) {
    Parsed p = parse(symbol);
    switch (convention) {
      case YAHOO:
        if (p.kind() == Kind.EQUITY) {
          return Optional.of(equity(p.root(), p.shareClass(), "-", p.exchange() == null ? "" : "." + p.exchange()));
        }
        return Optional.of(canonical(symbol));
      case FINNHUB:
        if (p.kind() == Kind.INDEX) {
          return Optional.of("^" + p.root());
        }
        if (p.kind() != Kind.EQUITY) {
          return Optional.empty();
        }
        return Optional.of(equity(p.root(), p.shareClass(), ".", p.exchange() == null ? "" : "." + p.exchange()));
      case ALPHA_VANTAGE:
        if (p.kind() != Kind.EQUITY) {
          return Optional.empty();
        }
        if (p.exchange() == null) {
          return Optional.of(equity(p.root(), p.shareClass(), "-", ""));
        }
        String av = EXCHANGES.get(p.exchange())[0];
        return av == null ? Optional.empty() : Optional.of(equity(p.root(), p.shareClass(), "-", "." + av));
      case POLYGON:
        if (p.kind() != Kind.EQUITY || p.exchange() != null) {
          return Optional.empty();
        }
        return Optional.of(equity(p.root(), p.shareClass(), ".", ""));
      case TWELVE_DATA:
        if (p.kind() == Kind.CURRENCY && p.root().length() == 6) {
          return Optional.of(p.root().substring(0, 3) + "/" + p.root().substring(3));
        }
        if (p.kind() != Kind.EQUITY) {
          return Optional.empty();
        }
        if (p.exchange() == null) {
          return Optional.of(equity(p.root(), p.shareClass(), ".", ""));
        }
        String td = EXCHANGES.get(p.exchange())[1];
        return td == null ? Optional.empty() : Optional.of(equity(p.root(), p.shareClass(), ".", ":" + td));
      default:
        throw new IllegalArgumentException("unknown convention " + convention);
    }
  }

  /**
   * A symbol as {@code convention} wrote it (in a search result, say) in gateway form. Best
   * effort: a provider symbol the table does not know is upper-cased and kept.
   */
  public static String fromProvider(Convention convention, String providerSymbol) {
    String s = providerSymbol.trim().toUpperCase(Locale.ROOT);
    switch (convention) {
      case ALPHA_VANTAGE: {
        int dot = s.lastIndexOf('.');
        if (dot > 0) {
          String suffix = s.substring(dot + 1);
          for (Map.Entry<String, String[]> e : EXCHANGES.entrySet()) {
            if (suffix.equals(e.getValue()[0])) {
              return canonical(s.substring(0, dot) + "." + e.getKey());
            }
          }
        }
        return canonical(s);
      }
      case TWELVE_DATA: {
        if (s.length() == 7 && s.charAt(3) == '/') {
          return s.substring(0, 3) + s.substring(4) + "=X";
        }
        int colon = s.indexOf(':');
        if (colon > 0) {
          String code = providerSymbol.substring(colon + 1).trim();
          for (Map.Entry<String, String[]> e : EXCHANGES.entrySet()) {
            if (code.equalsIgnoreCase(e.getValue()[1]) && !"Euronext".equals(code)) {
              return canonical(s.substring(0, colon) + "." + e.getKey());
            }
          }
          return canonical(s.substring(0, colon));
        }
        return canonical(s);
      }
      default:
        return canonical(s);
    }
  }

  static Parsed parse(String symbol) {
    String s = symbol.trim().toUpperCase(Locale.ROOT);
    if (s.startsWith("^")) {
      return new Parsed(Kind.INDEX, s.substring(1), null, null);
    }
    if (s.endsWith("=X")) {
      return new Parsed(Kind.CURRENCY, s.substring(0, s.length() - 2), null, null);
    }
    if (s.endsWith("=F")) {
      return new Parsed(Kind.FUTURE, s.substring(0, s.length() - 2), null, null);
    }
    String exchange = null;
    int dot = s.lastIndexOf('.');
    if (dot > 0 && EXCHANGES.containsKey(s.substring(dot + 1))) {
      exchange = s.substring(dot + 1);
      s = s.substring(0, dot);
    }
    String shareClass = null;
    int sep = Math.max(s.lastIndexOf('.'), s.lastIndexOf('-'));
    if (sep > 0 && sep == s.length() - 2 && Character.isLetter(s.charAt(sep + 1))) {
      shareClass = s.substring(sep + 1);
      s = s.substring(0, sep);
    }
    return new Parsed(Kind.EQUITY, s, shareClass, exchange);
  }

  private static String equity(String root, String shareClass, String classSeparator, String exchangePart) {
    return root + (shareClass == null ? "" : classSeparator + shareClass) + exchangePart;
  }
}
