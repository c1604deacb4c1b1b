package dev.quotegate.calendar;

import de.focus_shift.jollyday.core.HolidayCalendar;
import java.time.DayOfWeek;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.Month;
import java.time.ZoneId;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The trading calendars the gateway knows and which symbol trades on which: the exchange a
 * Yahoo-style suffix names ({@code VOD.L} London, {@code SAP.DE} XETRA, {@code 7203.T} Tokyo),
 * the exchange of an index ({@code ^FTSE}), currency pairs ({@code EURUSD=X}, 24x5), crypto
 * pairs ({@code BTC-USD}, 24x7); everything else trades in New York (NYSE calendar).
 *
 * <p>Built once, eagerly, with every exchange's closing dates of the years around today
 * ({@link #init()} at start-up): Jollyday reads its XML then, never on a request.
 */
public final class Calendars {

  private static final Pattern CRYPTO = Pattern.compile("[A-Z0-9]{2,10}-(USD|EUR|GBP|JPY|USDT|USDC|BTC|ETH)");

  /** Yahoo exchange suffix -> MIC. */
  private static final Map<String, String> SUFFIXES = Map.ofEntries(
      Map.entry("L", "XLON"), Map.entry("TO", "XTSE"), Map.entry("V", "XTSX"), Map.entry("DE", "XETR"),
      Map.entry("F", "XFRA"), Map.entry("PA", "XPAR"), Map.entry("AS", "XAMS"), Map.entry("BR", "XBRU"),
      Map.entry("LS", "XLIS"), Map.entry("MI", "XMIL"), Map.entry("SW", "XSWX"), Map.entry("HK", "XHKG"),
      Map.entry("T", "XTKS"), Map.entry("AX", "XASX"), Map.entry("BO", "XBOM"), Map.entry("NS", "XNSE"),
      Map.entry("SS", "XSHG"), Map.entry("SZ", "XSHE"), Map.entry("VN", "XSTC"), Map.entry("KS", "XKRX"),
      Map.entry("SA", "BVMF"));

  /** Index -> the exchange whose days it follows; unlisted indices are US ones. */
  private static final Map<String, String> INDICES = Map.ofEntries(
      Map.entry("^FTSE", "XLON"), Map.entry("^FTMC", "XLON"), Map.entry("^FTAS", "XLON"),
      Map.entry("^GDAXI", "XETR"), Map.entry("^MDAXI", "XETR"), Map.entry("^TECDAX", "XETR"),
      Map.entry("^STOXX50E", "XETR"), Map.entry("^STOXX", "XETR"), Map.entry("^FCHI", "XPAR"),
      Map.entry("^AEX", "XAMS"), Map.entry("^BFX", "XBRU"), Map.entry("^SSMI", "XSWX"), Map.entry("^N225", "XTKS"),
      Map.entry("^TOPX", "XTKS"), Map.entry("^HSI", "XHKG"), Map.entry("^GSPTSE", "XTSE"), Map.entry("^AXJO", "XASX"),
      Map.entry("^AORD", "XASX"), Map.entry("^BSESN", "XBOM"), Map.entry("^NSEI", "XNSE"), Map.entry("^SSEC", "XSHG"),
      Map.entry("^KS11", "XKRX"), Map.entry("^BVSP", "BVMF"));

  private static final class Holder {
    static final Calendars INSTANCE = new Calendars();
  }

  private final Map<String, TradingCalendar> byId = new LinkedHashMap<>();

  private Calendars() {
    add(MarketCalendar.nyse());
    HolidayCalendar target = HolidayCalendar.TARGET;
    add(ExchangeCalendar.builder("XLON", "London Stock Exchange", ZoneId.of("Europe/London"))
        .hours(LocalTime.of(8, 0), LocalTime.of(16, 30))
        .closures(Holidays.jollyday(HolidayCalendar.UNITED_KINGDOM, Holidays.daysOff(), "eng"),
            "England and Wales bank holidays (Jollyday gb/eng)")
        .earlyClose(d -> isEve(d) ? LocalTime.of(12, 30) : null)
        .build());
    var xetraDays = Holidays.plusFixed(Holidays.jollyday(target, Holidays.daysOff()), 12, 24, 12, 31);
    add(ExchangeCalendar.builder("XETR", "Xetra (Deutsche Börse)", ZoneId.of("Europe/Berlin"))
        .hours(LocalTime.of(9, 0), LocalTime.of(17, 30))
        .closures(xetraDays, "TARGET closing days (Jollyday target), Christmas Eve and New Year's Eve")
        .build());
    add(ExchangeCalendar.builder("XFRA", "Börse Frankfurt", ZoneId.of("Europe/Berlin"))
        .hours(LocalTime.of(8, 0), LocalTime.of(22, 0))
        .closures(xetraDays, "TARGET closing days (Jollyday target), Christmas Eve and New Year's Eve")
        .build());
    for (String[] e : new String[][] {
        {"XPAR", "Euronext Paris", "Europe/Paris"}, {"XAMS", "Euronext Amsterdam", "Europe/Amsterdam"},
        {"XBRU", "Euronext Brussels", "Europe/Brussels"}}) {
      add(ExchangeCalendar.builder(e[0], e[1], ZoneId.of(e[2]))
          .hours(LocalTime.of(9, 0), LocalTime.of(17, 30))
          .closures(Holidays.jollyday(target, Holidays.daysOff()), "Euronext's closing days: TARGET (Jollyday target)")
          .earlyClose(d -> isEve(d) ? LocalTime.of(14, 5) : null)
          .build());
    }
    add(ExchangeCalendar.builder("XLIS", "Euronext Lisbon", ZoneId.of("Europe/Lisbon"))
        .hours(LocalTime.of(8, 0), LocalTime.of(16, 30))
        .closures(Holidays.jollyday(target, Holidays.daysOff()), "Euronext's closing days: TARGET (Jollyday target)")
        .earlyClose(d -> isEve(d) ? LocalTime.of(13, 5) : null)
        .build());
    add(ExchangeCalendar.builder("XMIL", "Borsa Italiana", ZoneId.of("Europe/Rome"))
        .hours(LocalTime.of(9, 0), LocalTime.of(17, 30))
        .closures(Holidays.plusFixed(Holidays.jollyday(target, Holidays.daysOff()), 8, 15, 12, 24, 12, 31),
            "TARGET closing days (Jollyday target), 15 August, Christmas Eve, New Year's Eve")
        .build());
    add(ExchangeCalendar.builder("XSWX", "SIX Swiss Exchange", ZoneId.of("Europe/Zurich"))
        .hours(LocalTime.of(9, 0), LocalTime.of(17, 30))
        .closures(Holidays.plusFixed(Holidays.jollyday(HolidayCalendar.SWITZERLAND, Holidays.publicOnly(), "zh"), 12, 24, 12, 31),
            "Zurich public holidays (Jollyday ch/zh), Christmas Eve, New Year's Eve")
        .build());
    var toronto = Holidays.plusFirstMondayOfAugust(Holidays.jollyday(HolidayCalendar.CANADA, Holidays.publicOnly(), "on"));
    add(ExchangeCalendar.builder("XTSE", "Toronto Stock Exchange", ZoneId.of("America/Toronto"))
        .hours(LocalTime.of(9, 30), LocalTime.of(16, 0))
        .closures(toronto, "Ontario public holidays (Jollyday ca/on) and the Civic Holiday")
        .build());
    add(ExchangeCalendar.builder("XTSX", "TSX Venture Exchange", ZoneId.of("America/Toronto"))
        .hours(LocalTime.of(9, 30), LocalTime.of(16, 0))
        .closures(toronto, "Ontario public holidays (Jollyday ca/on) and the Civic Holiday")
        .build());
    add(ExchangeCalendar.builder("XTKS", "Tokyo Stock Exchange", ZoneId.of("Asia/Tokyo"))
        .hours(LocalTime.of(9, 0), LocalTime.of(15, 30))
        .lunchBreak(LocalTime.of(11, 30), LocalTime.of(12, 30))
        .closures(Holidays.plusFixed(Holidays.japan(Holidays.jollyday(HolidayCalendar.JAPAN, Holidays.daysOff())), 1, 2, 1, 3, 12, 31),
            "Japanese national holidays (Jollyday jp, with the equinoxes and the substitute and citizens' holidays)"
                + " and the year-end days 31 December, 2 and 3 January")
        .build());
    var hongKong = Holidays.memo(Holidays.hongKong(Holidays.jollyday(HolidayCalendar.HONG_KONG, Holidays.daysOff())));
    add(ExchangeCalendar.builder("XHKG", "Hong Kong Exchanges", ZoneId.of("Asia/Hong_Kong"))
        .hours(LocalTime.of(9, 30), LocalTime.of(16, 0))
        .lunchBreak(LocalTime.of(12, 0), LocalTime.of(13, 0))
        .closures(hongKong, "Hong Kong general holidays (Jollyday hk, the lunar ones from ICU's Chinese calendar)")
        .earlyClose(d -> isEve(d) || isLunarNewYearsEve(d, hongKong) ? LocalTime.of(12, 0) : null)
        .build());
    add(ExchangeCalendar.builder("XASX", "ASX", ZoneId.of("Australia/Sydney"))
        .hours(LocalTime.of(10, 0), LocalTime.of(16, 0))
        .closures(Holidays.jollyday(HolidayCalendar.AUSTRALIA,
                Holidays.keys(Set.of("NEW_YEAR", "NATIONAL_DAY", "christian.GOOD_FRIDAY", "christian.EASTER_MONDAY", "ANZAC",
                    "QUEENS_BIRTHDAY", "KINGS_BIRTHDAY", "CHRISTMAS", "BOXING_DAY")), "nsw"),
            "ASX's closing days among the NSW holidays (Jollyday au/nsw)")
        .build());
    var india = Holidays.jollyday(HolidayCalendar.INDIA, Holidays.publicOnly());
    add(ExchangeCalendar.builder("XNSE", "National Stock Exchange of India", ZoneId.of("Asia/Kolkata"))
        .hours(LocalTime.of(9, 15), LocalTime.of(15, 30))
        .closures(india, "Indian national holidays (Jollyday in); the exchange's religious holidays are not known")
        .build());
    add(ExchangeCalendar.builder("XBOM", "BSE", ZoneId.of("Asia/Kolkata"))
        .hours(LocalTime.of(9, 15), LocalTime.of(15, 30))
        .closures(india, "Indian national holidays (Jollyday in); the exchange's religious holidays are not known")
        .build());
    add(ExchangeCalendar.builder("BVMF", "B3", ZoneId.of("America/Sao_Paulo"))
        .hours(LocalTime.of(10, 0), LocalTime.of(17, 0))
        .closures(Holidays.jollyday(HolidayCalendar.BRAZIL, Holidays.publicOnly()), "Brazilian national holidays (Jollyday br)")
        .build());
    String none = "weekends only: no maintained holiday source resolves for this market";
    add(ExchangeCalendar.builder("XSHG", "Shanghai Stock Exchange", ZoneId.of("Asia/Shanghai"))
        .hours(LocalTime.of(9, 30), LocalTime.of(15, 0)).lunchBreak(LocalTime.of(11, 30), LocalTime.of(13, 0))
        .closures(y -> Set.of(), none).build());
    add(ExchangeCalendar.builder("XSHE", "Shenzhen Stock Exchange", ZoneId.of("Asia/Shanghai"))
        .hours(LocalTime.of(9, 30), LocalTime.of(15, 0)).lunchBreak(LocalTime.of(11, 30), LocalTime.of(13, 0))
        .closures(y -> Set.of(), none).build());
    add(ExchangeCalendar.builder("XKRX", "Korea Exchange", ZoneId.of("Asia/Seoul"))
        .hours(LocalTime.of(9, 0), LocalTime.of(15, 30)).closures(y -> Set.of(), none).build());
    add(ExchangeCalendar.builder("XSTC", "Ho Chi Minh Stock Exchange", ZoneId.of("Asia/Ho_Chi_Minh"))
        .hours(LocalTime.of(9, 0), LocalTime.of(15, 0)).lunchBreak(LocalTime.of(11, 30), LocalTime.of(13, 0))
        .closures(y -> Set.of(), none).build());
    add(ContinuousCalendar.CRYPTO);
    add(ContinuousCalendar.FX);
  }

  private void add(TradingCalendar c) {
    byId.put(c.id(), c);
  }

  private static boolean isEve(LocalDate d) {
    return (d.getMonth() == Month.DECEMBER && (d.getDayOfMonth() == 24 || d.getDayOfMonth() == 31));
  }

  private static boolean isLunarNewYearsEve(LocalDate d, java.util.function.IntFunction<Set<LocalDate>> hk) {
    // The eve of the first day of the Lunar New Year holidays: the earliest holiday in late
    // January or February that starts a run of holidays.
    if (d.getMonthValue() > 2) {
      return false;
    }
    Set<LocalDate> holidays = hk.apply(d.getYear());
    LocalDate next = d.plusDays(1);
    return holidays.contains(next) && holidays.contains(next.plusDays(1)) && !holidays.contains(d)
        && next.getDayOfWeek() != DayOfWeek.SATURDAY && next.getDayOfWeek() != DayOfWeek.SUNDAY;
  }

  /** Builds every calendar now (call at start-up, off any event loop). */
  public static void init() {
    Holder.INSTANCE.byId.size();
  }

  /** Every calendar, NYSE first. */
  public static Collection<TradingCalendar> all() {
    return Holder.INSTANCE.byId.values();
  }

  /** The calendar {@code id} (a MIC, {@code CRYPTO} or {@code FX}), or null. */
  public static TradingCalendar byId(String id) {
    return Holder.INSTANCE.byId.get(id);
  }

  /** The calendar {@code symbol} (gateway form) trades on. */
  public static TradingCalendar forSymbol(String symbol) {
    return Holder.INSTANCE.byId.get(micOf(symbol));
  }

  /** The MIC (or {@code CRYPTO}, {@code FX}) of the market {@code symbol} trades on. */
  public static String micOf(String symbol) {
    if (symbol == null) {
      return "XNYS";
    }
    if (symbol.endsWith("=X") || symbol.endsWith("=F")) {
      return "FX";
    }
    if (CRYPTO.matcher(symbol).matches()) {
      return "CRYPTO";
    }
    if (symbol.startsWith("^")) {
      return INDICES.getOrDefault(symbol, "XNYS");
    }
    int dot = symbol.lastIndexOf('.');
    if (dot > 0) {
      String mic = SUFFIXES.get(symbol.substring(dot + 1));
      if (mic != null) {
        return mic;
      }
    }
    return "XNYS";
  }

  /** The Yahoo-style suffix ({@code L}) of an exchange's MIC ({@code XLON}), or null (US or unknown). */
  public static String suffixOfMic(String mic) {
    if (mic == null) {
      return null;
    }
    for (Map.Entry<String, String> e : SUFFIXES.entrySet()) {
      if (e.getValue().equalsIgnoreCase(mic.trim())) {
        return e.getKey();
      }
    }
    return null;
  }

  /** The exchange suffixes this registry maps, for the symbol normaliser. */
  public static Set<String> suffixes() {
    return SUFFIXES.keySet();
  }
}
