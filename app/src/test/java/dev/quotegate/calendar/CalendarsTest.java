package dev.quotegate.calendar;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.time.LocalDate;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Exchange calendars beyond NYSE, checked against each exchange's published 2025 calendar
 * (the exchanges' holiday pages: londonstockexchange.com, deutsche-boerse.com, euronext.com,
 * tsx.com, jpx.co.jp, hkex.com.hk).
 */
class CalendarsTest {

  private static LocalDate d(String s) {
    return LocalDate.parse(s);
  }

  @ParameterizedTest(name = "{0} on {1}: trading={2}")
  @CsvSource({
      // London: England and Wales bank holidays
      "XLON, 2025-01-01, false", "XLON, 2025-04-18, false", "XLON, 2025-04-21, false", "XLON, 2025-05-05, false",
      "XLON, 2025-05-26, false", "XLON, 2025-08-25, false", "XLON, 2025-12-25, false", "XLON, 2025-12-26, false",
      "XLON, 2025-12-24, true", "XLON, 2025-07-04, true",
      // Xetra: TARGET days plus Christmas Eve and New Year's Eve; open on German Unity Day and Whit Monday
      "XETR, 2025-05-01, false", "XETR, 2025-12-24, false", "XETR, 2025-12-31, false", "XETR, 2025-10-03, true",
      "XETR, 2025-06-09, true",
      // Euronext: TARGET days; open on Bastille Day and Ascension
      "XPAR, 2025-04-21, false", "XPAR, 2025-05-01, false", "XPAR, 2025-07-14, true", "XPAR, 2025-05-29, true",
      "XAMS, 2025-12-26, false",
      // Toronto: Ontario public holidays and the Civic Holiday; open on Easter Monday, 30 September, 11 November
      "XTSE, 2025-02-17, false", "XTSE, 2025-05-19, false", "XTSE, 2025-07-01, false", "XTSE, 2025-08-04, false",
      "XTSE, 2025-09-01, false", "XTSE, 2025-10-13, false", "XTSE, 2025-04-21, true", "XTSE, 2025-11-11, true",
      "XTSE, 2025-09-30, true",
      // Tokyo: national holidays and the year-end days
      "XTKS, 2025-01-02, false", "XTKS, 2025-01-03, false", "XTKS, 2025-01-13, false", "XTKS, 2025-02-24, false",
      "XTKS, 2025-05-06, false", "XTKS, 2025-12-31, false", "XTKS, 2025-12-30, true",
      // Hong Kong: general holidays (Lunar New Year, Ching Ming, Buddha's Birthday, National Day)
      "XHKG, 2025-01-29, false", "XHKG, 2025-01-30, false", "XHKG, 2025-04-04, false", "XHKG, 2025-05-05, false",
      "XHKG, 2025-10-01, false", "XHKG, 2025-01-28, true",
      // around the clock
      "CRYPTO, 2025-07-05, true", "FX, 2025-07-05, false", "FX, 2025-07-07, true"})
  void tradingDaysMatchThePublishedCalendars(String mic, String date, boolean trading) {
    assertThat(Calendars.byId(mic).isTradingDay(d(date))).as(mic + " " + date).isEqualTo(trading);
  }

  @ParameterizedTest(name = "{0}: {1}")
  @CsvSource({
      "VOD.L, XLON", "SAP.DE, XETR", "SAP.F, XFRA", "MC.PA, XPAR", "ASML.AS, XAMS", "SHOP.TO, XTSE", "7203.T, XTKS",
      "0700.HK, XHKG", "BHP.AX, XASX", "^FTSE, XLON", "^GDAXI, XETR", "^N225, XTKS", "^GSPC, XNYS", "AAPL, XNYS",
      "BRK.B, XNYS", "BRK-B, XNYS", "BTC-USD, CRYPTO", "ETH-EUR, CRYPTO", "EURUSD=X, FX", "CL=F, FX"})
  void symbolsMapToTheirMarket(String symbol, String mic) {
    assertThat(Calendars.micOf(symbol)).isEqualTo(mic);
    assertThat(Calendars.forSymbol(symbol).id()).isEqualTo(mic);
  }

  @ParameterizedTest(name = "{0} {1}")
  @CsvSource({
      // local opening times in UTC (summer time where it applies)
      "XLON, 2025-07-01, 2025-07-01T07:00:00Z, 2025-07-01T15:30:00Z",
      "XETR, 2025-01-06, 2025-01-06T08:00:00Z, 2025-01-06T16:30:00Z",
      "XTKS, 2025-07-01, 2025-07-01T00:00:00Z, 2025-07-01T06:30:00Z",
      "XTSE, 2025-07-02, 2025-07-02T13:30:00Z, 2025-07-02T20:00:00Z",
      // early closes: London Christmas Eve 12:30, Hong Kong's Lunar New Year's Eve at noon
      "XLON, 2025-12-24, 2025-12-24T08:00:00Z, 2025-12-24T12:30:00Z",
      "XHKG, 2025-01-28, 2025-01-28T01:30:00Z, 2025-01-28T04:00:00Z",
      "CRYPTO, 2025-07-05, 2025-07-05T00:00:00Z, 2025-07-06T00:00:00Z"})
  void sessionsOpenAndCloseAtLocalTimes(String mic, String date, String open, String close) {
    Session s = Calendars.byId(mic).session(d(date)).orElseThrow();
    assertThat(s.open()).isEqualTo(Instant.parse(open));
    assertThat(s.close()).isEqualTo(Instant.parse(close));
  }

  @org.junit.jupiter.api.Test
  void tokyoPausesAtLunch() {
    TradingCalendar tokyo = Calendars.byId("XTKS");
    assertThat(tokyo.isOpen(Instant.parse("2025-07-01T02:00:00Z"))).as("11:00 Tokyo").isTrue();
    assertThat(tokyo.isOpen(Instant.parse("2025-07-01T03:00:00Z"))).as("12:00 Tokyo").isFalse();
    assertThat(tokyo.isOpen(Instant.parse("2025-07-01T04:00:00Z"))).as("13:00 Tokyo").isTrue();
  }
}
