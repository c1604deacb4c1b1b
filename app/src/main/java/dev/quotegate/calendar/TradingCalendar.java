package dev.quotegate.calendar;

import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.Objects;
import java.util.Optional;

/**
 * The regular sessions of one market: an exchange (NYSE, LSE, XETRA, Tokyo...), or a market
 * that trades around the clock (crypto, every day) or the week (FX). All methods are pure,
 * thread-safe and cheap (no I/O, no locks), so they may be called on an event loop.
 */
public interface TradingCalendar {

  /** Longest run of days without a session any calendar has; bounds the scans below. */
  int MAX_SCAN_DAYS = 16;

  /** The market's identifier: the ISO 10383 MIC of an exchange ({@code XNYS}, {@code XLON}), or {@code CRYPTO}, {@code FX}. */
  String id();

  /** The zone the market's sessions and trading dates are in. */
  ZoneId zone();

  /** The session held on {@code date}, or empty when there is none. */
  Optional<Session> session(LocalDate date);

  /** Whether a session is held on {@code date}. */
  default boolean isTradingDay(LocalDate date) {
    return session(date).isPresent();
  }

  /** Opening instant of the session on {@code date}, empty on a day without one. */
  default Optional<Instant> sessionOpen(LocalDate date) {
    return session(date).map(Session::open);
  }

  /** Closing instant of the session on {@code date}, if any. */
  default Optional<Instant> sessionClose(LocalDate date) {
    return session(date).map(Session::close);
  }

  /** The trading date of {@code instant} in the market's zone. */
  default LocalDate dateOf(Instant instant) {
    return LocalDate.ofInstant(Objects.requireNonNull(instant, "instant"), zone());
  }

  /** Whether the market is open at {@code instant}. */
  default boolean isOpen(Instant instant) {
    return session(dateOf(instant)).map(s -> s.contains(instant)).orElse(false);
  }

  /** The session in progress at {@code instant}, if any. */
  default Optional<Session> sessionAt(Instant instant) {
    return session(dateOf(instant)).filter(s -> s.contains(instant));
  }

  /** The first session opening strictly after {@code instant}. */
  default Instant nextOpen(Instant instant) {
    LocalDate date = dateOf(instant);
    for (int i = 0; i < MAX_SCAN_DAYS; i++, date = date.plusDays(1)) {
      Optional<Session> session = session(date);
      if (session.isPresent() && session.get().open().isAfter(instant)) {
        return session.get().open();
      }
    }
    throw new IllegalStateException(id() + ": no session within " + MAX_SCAN_DAYS + " days of " + instant);
  }

  /**
   * The close of the session in progress at {@code instant} or, when the market is closed, of
   * the next session; always strictly after {@code instant}.
   */
  default Instant nextClose(Instant instant) {
    LocalDate date = dateOf(instant);
    for (int i = 0; i < MAX_SCAN_DAYS; i++, date = date.plusDays(1)) {
      Optional<Session> session = session(date);
      if (session.isPresent() && session.get().close().isAfter(instant)) {
        return session.get().close();
      }
    }
    throw new IllegalStateException(id() + ": no session within " + MAX_SCAN_DAYS + " days of " + instant);
  }

  /** The most recent session that opened at or before {@code instant}. */
  default Session currentOrPreviousSession(Instant instant) {
    LocalDate date = dateOf(instant);
    for (int i = 0; i < MAX_SCAN_DAYS; i++, date = date.minusDays(1)) {
      Optional<Session> session = session(date);
      if (session.isPresent() && !session.get().open().isAfter(instant)) {
        return session.get();
      }
    }
    throw new IllegalStateException(id() + ": no session within " + MAX_SCAN_DAYS + " days of " + instant);
  }

  /** The first trading day strictly after {@code date}. */
  default LocalDate nextTradingDay(LocalDate date) {
    LocalDate d = date.plusDays(1);
    for (int i = 0; i < MAX_SCAN_DAYS; i++, d = d.plusDays(1)) {
      if (isTradingDay(d)) {
        return d;
      }
    }
    throw new IllegalStateException(id() + ": no trading day within " + MAX_SCAN_DAYS + " days of " + date);
  }

  /** The last trading day strictly before {@code date}. */
  default LocalDate previousTradingDay(LocalDate date) {
    LocalDate d = date.minusDays(1);
    for (int i = 0; i < MAX_SCAN_DAYS; i++, d = d.minusDays(1)) {
      if (isTradingDay(d)) {
        return d;
      }
    }
    throw new IllegalStateException(id() + ": no trading day within " + MAX_SCAN_DAYS + " days of " + date);
  }

  /**
   * The canonical timestamp of the daily bar of trading date {@code date}: its session's
   * opening instant; local midnight when the calendar knows no session that day (a provider
   * had a bar on a day this calendar took for a holiday).
   */
  default Instant dailyBarStart(LocalDate date) {
    return sessionOpen(date).orElseGet(() -> date.atStartOfDay(zone()).toInstant());
  }
}
