package dev.quotegate.calendar;

import de.focus_shift.jollyday.core.Holiday;
import de.focus_shift.jollyday.core.HolidayCalendar;
import de.focus_shift.jollyday.core.HolidayManager;
import de.focus_shift.jollyday.core.HolidayType;
import de.focus_shift.jollyday.core.ManagerParameters;
import java.time.DayOfWeek;
import java.time.LocalDate;
import java.time.Month;
import java.time.Year;
import java.time.temporal.TemporalAdjusters;
import java.util.HashSet;
import java.util.Set;
import java.util.function.IntFunction;
import java.util.function.Predicate;

/**
 * Closing dates of exchanges from Jollyday (de.focus-shift), a maintained holiday library:
 * public and bank holidays of a country or region, the TARGET closing days, plus the fixed
 * extra closures each exchange publishes on top (XETRA's Christmas Eve and New Year's Eve,
 * Tokyo's year-end days...). A holiday moved to another date ({@code observed}) counts on the
 * date it is observed. Jollyday reads its XML when a manager is made: only ever at start-up,
 * while the calendars are built.
 */
final class Holidays {

  private Holidays() {}

  /** Jollyday's holidays of {@code calendar} (in {@code regions}) that {@code keep} accepts. */
  static IntFunction<Set<LocalDate>> jollyday(HolidayCalendar calendar, Predicate<Holiday> keep, String... regions) {
    HolidayManager manager = HolidayManager.getInstance(ManagerParameters.create(calendar));
    return year -> {
      Set<LocalDate> out = new HashSet<>();
      for (Holiday h : manager.getHolidays(Year.of(year), regions)) {
        if (keep.test(h)) {
          out.add(h.getActualDate());
        }
      }
      return out;
    };
  }

  /** Every holiday but observances (days that are not days off). */
  static Predicate<Holiday> daysOff() {
    return h -> h.getType() != HolidayType.OBSERVANCE;
  }

  /** Public holidays only (no bank holidays, no observances). */
  static Predicate<Holiday> publicOnly() {
    return h -> h.getType() == HolidayType.PUBLIC_HOLIDAY;
  }

  /** Holidays whose Jollyday key is one of {@code keys}. */
  static Predicate<Holiday> keys(Set<String> keys) {
    return h -> keys.contains(h.getPropertiesKey());
  }

  /** {@code base} plus fixed dates (month, day) every year. */
  static IntFunction<Set<LocalDate>> plusFixed(IntFunction<Set<LocalDate>> base, int... monthDays) {
    return year -> {
      Set<LocalDate> out = new HashSet<>(base.apply(year));
      for (int i = 0; i < monthDays.length; i += 2) {
        out.add(LocalDate.of(year, monthDays[i], monthDays[i + 1]));
      }
      return out;
    };
  }

  /** {@code base} plus the first Monday of August (Toronto's Civic Holiday, a bank holiday in Jollyday). */
  static IntFunction<Set<LocalDate>> plusFirstMondayOfAugust(IntFunction<Set<LocalDate>> base) {
    return year -> {
      Set<LocalDate> out = new HashSet<>(base.apply(year));
      out.add(LocalDate.of(year, Month.AUGUST, 1).with(TemporalAdjusters.firstInMonth(DayOfWeek.MONDAY)));
      return out;
    };
  }

  /**
   * Japan's national holidays: Jollyday's, corrected where its data is out of date (the
   * Emperor's Birthday), plus what it lacks: the vernal and autumnal
   * equinox days (the Cabinet's formula, valid 1980-2099), the substitute holiday (a holiday on
   * a Sunday moves to the next weekday that is not one) and the citizens' holiday (a weekday
   * between two holidays).
   */
  static IntFunction<Set<LocalDate>> japan(IntFunction<Set<LocalDate>> base) {
    return year -> {
      Set<LocalDate> h = new HashSet<>(base.apply(year));
      // The Emperor's Birthday moved with the 2019 accession: 23 February from 2020 (none in
      // 2019); Jollyday still has 23 December.
      if (year >= 2019) {
        h.remove(LocalDate.of(year, 12, 23));
      }
      if (year >= 2020) {
        h.add(LocalDate.of(year, 2, 23));
      }
      int y = year - 1980;
      h.add(LocalDate.of(year, 3, (int) Math.floor(20.8431 + 0.242194 * y - Math.floor(y / 4.0))));
      h.add(LocalDate.of(year, 9, (int) Math.floor(23.2488 + 0.242194 * y - Math.floor(y / 4.0))));
      Set<LocalDate> national = new HashSet<>(h);
      for (LocalDate d : national) {
        if (d.getDayOfWeek() == DayOfWeek.SUNDAY) {
          LocalDate sub = d.plusDays(1);
          while (h.contains(sub)) {
            sub = sub.plusDays(1);
          }
          h.add(sub);
        }
      }
      for (LocalDate d : national) {
        LocalDate between = d.plusDays(1);
        if (national.contains(between.plusDays(1)) && !h.contains(between) && between.getDayOfWeek() != DayOfWeek.SUNDAY) {
          h.add(between);
        }
      }
      return h;
    };
  }

  /**
   * Hong Kong's general holidays: Jollyday's, plus the lunar ones its data lacks, from ICU's
   * Chinese calendar: the first three days of the Lunar New Year (the fourth when one of them
   * is a Sunday), Ching Ming (the solar term, by the usual formula for 2001-2099), Buddha's
   * Birthday (4/8), Tuen Ng (5/5), the day following Mid-Autumn (8/16) and Chung Yeung (9/9); a
   * holiday on a Sunday moves to the next day.
   */
  static IntFunction<Set<LocalDate>> hongKong(IntFunction<Set<LocalDate>> base) {
    return year -> {
      Set<LocalDate> h = new HashSet<>(base.apply(year));
      Set<LocalDate> lunar = new HashSet<>();
      LocalDate newYear = lunarDate(year, 1, 1);
      boolean sunday = false;
      for (int i = 0; i < 3; i++) {
        LocalDate d = newYear.plusDays(i);
        sunday |= d.getDayOfWeek() == DayOfWeek.SUNDAY;
        if (d.getDayOfWeek() != DayOfWeek.SUNDAY) {
          h.add(d);
        }
      }
      if (sunday) {
        h.add(newYear.plusDays(3));
      }
      int yy = year % 100;
      lunar.add(LocalDate.of(year, 4, (int) Math.floor(yy * 0.2422 + 4.81) - yy / 4));
      lunar.add(lunarDate(year, 4, 8));
      lunar.add(lunarDate(year, 5, 5));
      lunar.add(lunarDate(year, 8, 16));
      lunar.add(lunarDate(year, 9, 9));
      for (LocalDate d : lunar) {
        LocalDate day = d;
        if (day.getDayOfWeek() == DayOfWeek.SUNDAY) {
          day = day.plusDays(1);
        }
        while (h.contains(day) && !day.equals(d)) {
          day = day.plusDays(1);
        }
        h.add(day);
      }
      return h;
    };
  }

  /** The Gregorian date of lunar {@code month}/{@code day} of the Chinese year that starts in {@code year}. */
  static LocalDate lunarDate(int year, int month, int day) {
    com.ibm.icu.util.ChineseCalendar cc = new com.ibm.icu.util.ChineseCalendar(
        com.ibm.icu.util.TimeZone.getTimeZone("Asia/Shanghai"));
    cc.clear();
    cc.set(com.ibm.icu.util.ChineseCalendar.EXTENDED_YEAR, year + 2637);
    cc.set(com.ibm.icu.util.ChineseCalendar.MONTH, month - 1);
    cc.set(com.ibm.icu.util.ChineseCalendar.IS_LEAP_MONTH, 0);
    cc.set(com.ibm.icu.util.ChineseCalendar.DAY_OF_MONTH, day);
    return java.time.Instant.ofEpochMilli(cc.getTimeInMillis()).atZone(java.time.ZoneId.of("Asia/Shanghai")).toLocalDate();
  }

  /** {@code f} computed once per year and kept (thread-safe). */
  static IntFunction<Set<LocalDate>> memo(IntFunction<Set<LocalDate>> f) {
    java.util.Map<Integer, Set<LocalDate>> byYear = new java.util.concurrent.ConcurrentHashMap<>();
    return year -> byYear.computeIfAbsent(year, y -> Set.copyOf(f.apply(y)));
  }

  /** The day before {@code date} when it is a weekday, else null: a half-day eve. */
  static LocalDate weekdayEve(LocalDate date) {
    LocalDate eve = date.minusDays(1);
    DayOfWeek d = eve.getDayOfWeek();
    return d == DayOfWeek.SATURDAY || d == DayOfWeek.SUNDAY ? null : eve;
  }
}
