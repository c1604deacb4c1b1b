package dev.quotegate.simulator;

import static java.util.Objects.requireNonNull;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.quotegate.calendar.Session;
import dev.quotegate.calendar.MarketCalendar;
import java.time.DayOfWeek;
import java.time.Instant;
import java.time.LocalDate;
import java.time.temporal.TemporalAdjusters;
import java.util.ArrayList;
import java.util.List;

/**
 * Deterministic price and volume paths: a pure function of {@code (seed, symbol, instant)}.
 *
 * <p>The log-price is the instrument's base level plus a sum of twelve octaves of hashed value
 * noise (periods from 20 seconds to about three years, amplitudes growing like the square root of
 * the period up to 16 days, then more slowly so prices stay near their base). The six octaves of
 * a day or longer are evaluated at the session's open and close and interpolated linearly in
 * between (an intraday trend), the six shorter ones at the instant itself. Any instant costs
 * O(1) to evaluate; there is no cumulative state, so history is as cheap as the present and two
 * simulators with the same seed agree to the bit. Time is taken at millisecond resolution.
 *
 * <p>The path only advances while the market is open ({@link MarketCalendar}): outside a session
 * the price is frozen at the last close, and the next open gaps to wherever the path has got to
 * overnight, like a real overnight gap.
 *
 * <p>Highs and lows come from sampling the path on a 30-second lattice aligned on the session
 * open (plus the current price), for every bar size alike, so bars aggregate exactly: a day's
 * high is the highest of its minute bars' highs, and the bar in progress closes at the quote's
 * price. Cumulative session volume follows a U-shaped intraday profile warped by per-day noise.
 *
 * <p>Thread-safe; session lattices are memoised in a small bounded cache.
 */
public final class PriceModel {

  /** Spacing of the lattice highs and lows are sampled on. */
  static final long LATTICE_MS = 30_000;

  private static final double DAY_S = 86_400;
  private static final double[] PERIODS_S = {
    20, 60, 240, 900, 3_600, 14_400, DAY_S, 4 * DAY_S, 16 * DAY_S, 64 * DAY_S, 256 * DAY_S,
    1_024 * DAY_S
  };
  /** Octaves below this index are intraday; the others are interpolated across the session. */
  private static final int FIRST_SLOW_OCTAVE = 6;
  /** Per-octave amplitude in units of the instrument's daily volatility. */
  private static final double[] AMPLITUDES = new double[PERIODS_S.length];
  private static final double[] FREQUENCIES_PER_MS = new double[PERIODS_S.length];

  static {
    for (int i = 0; i < PERIODS_S.length; i++) {
      double days = PERIODS_S[i] / DAY_S;
      // Brownian-like (sqrt) up to 16 days, then damped so long-run prices stay near the base;
      // intraday octaves a little louder so sessions show a realistic high-low range.
      AMPLITUDES[i] = i < FIRST_SLOW_OCTAVE ? 1.4 * Math.sqrt(days)
          : days <= 16 ? 0.8 * Math.sqrt(days) : 0.8 * 4 * Math.pow(days / 16, 0.3);
      FREQUENCIES_PER_MS[i] = 1 / (PERIODS_S[i] * 1000);
    }
  }

  private final long seed;
  private final MarketCalendar calendar;
  /** Recent sessions' lattices (~6 KB each): today's quotes and intraday bars reuse them. */
  private final Cache<LatticeKey, double[]> lattices =
      Caffeine.newBuilder().maximumSize(2_048).build();
  /** Completed sessions' OHLCV (~100 B each): long daily and weekly histories reuse them. */
  private final Cache<LatticeKey, DayStats> completedDays =
      Caffeine.newBuilder().maximumSize(250_000).build();

  /** A model for {@code seed} over {@code calendar}'s sessions. */
  public PriceModel(long seed, MarketCalendar calendar) {
    this.seed = seed;
    this.calendar = requireNonNull(calendar, "calendar");
  }

  /** The calendar the path advances on. */
  public MarketCalendar calendar() {
    return calendar;
  }

  /** The price of {@code instrument} at {@code at}, frozen at the last close while closed. */
  public double price(Instrument instrument, Instant at) {
    Session session = calendar.currentOrPreviousSession(at);
    return pathPrice(instrument, session, effective(session, at).toEpochMilli());
  }

  /** The quote of {@code instrument} as of {@code now}. */
  public Quote quote(Instrument instrument, Instant now) {
    Session session = calendar.currentOrPreviousSession(now);
    Instant asOf = effective(session, now);
    DayStats day = dayStats(instrument, session, asOf);
    Session previous =
        calendar.session(calendar.previousTradingDay(session.date())).orElseThrow();
    double previousClose = pathPrice(instrument, previous, previous.close().toEpochMilli());
    return new Quote(
        instrument.symbol(),
        day.close,
        day.open,
        day.high,
        day.low,
        previousClose,
        day.volume,
        asOf,
        session.contains(now));
  }

  /**
   * Bars of {@code interval} whose start lies in {@code [from, to)} and not after {@code now},
   * inside sessions only, ascending.
   *
   * @throws TooManyBarsException when more than {@code maxBars} bars match
   */
  public List<Bar> bars(
      Instrument instrument, BarInterval interval, Instant from, Instant to, Instant now,
      int maxBars) {
    Instant until = to.isBefore(now) ? to : now.plusMillis(1); // starts at or before now count
    List<Session> sessions = sessionsBetween(from, until, now, interval, maxBars);
    List<Bar> bars = new ArrayList<>();
    if (interval.intraday()) {
      long step = interval.length().toMillis();
      for (Session s : sessions) {
        Instant asOf = effective(s, now);
        double[] lattice = lattice(instrument, s);
        DayStats day = dayStats(instrument, s, asOf, lattice);
        for (long t = s.open().toEpochMilli(); t < s.close().toEpochMilli(); t += step) {
          if (t >= from.toEpochMilli() && t < until.toEpochMilli()) {
            long end = Math.min(Math.min(t + step, s.close().toEpochMilli()), asOf.toEpochMilli());
            bars.add(bar(instrument, s, lattice, day, t, end));
          }
        }
      }
    } else if (interval == BarInterval.ONE_DAY) {
      for (Session s : sessions) {
        DayStats d = dayStats(instrument, s, effective(s, now));
        bars.add(new Bar(s.open(), d.open, d.high, d.low, d.close, d.volume));
      }
    } else {
      Bar week = null;
      LocalDate weekOf = null;
      for (Session s : sessions) {
        LocalDate monday = s.date().with(TemporalAdjusters.previousOrSame(DayOfWeek.MONDAY));
        DayStats d = dayStats(instrument, s, effective(s, now));
        if (week != null && monday.equals(weekOf)) {
          week = new Bar(week.start(), week.open(), Math.max(week.high(), d.high),
              Math.min(week.low(), d.low), d.close, week.volume() + d.volume);
        } else {
          if (week != null) {
            bars.add(week);
          }
          week = new Bar(s.open(), d.open, d.high, d.low, d.close, d.volume);
          weekOf = monday;
        }
      }
      if (week != null) {
        bars.add(week);
      }
    }
    return bars;
  }

  /** Thrown by {@link #bars} when a request spans more bars than allowed. */
  public static final class TooManyBarsException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    TooManyBarsException(int max) {
      super("too many bars: more than " + max + " in range (narrow from/to)");
    }
  }

  // --- sessions -------------------------------------------------------------------------------

  /**
   * Sessions holding at least one bar start in {@code [from, until)}; for weekly bars, whole weeks
   * whose first session opens in the range. Counts bars without pricing them, failing fast.
   */
  private List<Session> sessionsBetween(
      Instant from, Instant until, Instant now, BarInterval interval, int maxBars) {
    List<Session> sessions = new ArrayList<>();
    if (!from.isBefore(until)) {
      return sessions;
    }
    LocalDate first = calendar.dateOf(from);
    if (interval == BarInterval.ONE_WEEK) {
      // A week belongs to the range when its first session does; start on that week's Monday.
      first = first.with(TemporalAdjusters.previousOrSame(DayOfWeek.MONDAY));
    }
    LocalDate last = calendar.dateOf(until);
    if (interval == BarInterval.ONE_WEEK) {
      // A weekly bar holds its whole week up to now, even past `to`.
      LocalDate sunday = last.with(TemporalAdjusters.nextOrSame(DayOfWeek.SUNDAY));
      LocalDate today = calendar.dateOf(now);
      last = sunday.isBefore(today) ? sunday : today;
    }
    int count = 0;
    LocalDate includedWeek = null;
    LocalDate skippedWeek = null;
    for (LocalDate d = first; !d.isAfter(last); d = d.plusDays(1)) {
      Session s = calendar.session(d).orElse(null);
      if (s == null) {
        continue;
      }
      if (interval.intraday()) {
        long step = interval.length().toMillis();
        long lo = Math.max(s.open().toEpochMilli(), from.toEpochMilli());
        long hi = Math.min(s.close().toEpochMilli(), until.toEpochMilli());
        int n = 0;
        for (long t = s.open().toEpochMilli(); t < s.close().toEpochMilli(); t += step) {
          if (t >= lo && t < hi) {
            n++;
          }
        }
        if (n > 0) {
          count += n;
          sessions.add(s);
        }
      } else if (interval == BarInterval.ONE_DAY) {
        if (!s.open().isBefore(from) && s.open().isBefore(until)) {
          count++;
          sessions.add(s);
        }
      } else {
        LocalDate monday = d.with(TemporalAdjusters.previousOrSame(DayOfWeek.MONDAY));
        if (monday.equals(includedWeek)) {
          if (!s.open().isAfter(now)) {
            sessions.add(s);
          }
        } else if (!monday.equals(skippedWeek)) {
          if (!s.open().isBefore(from) && s.open().isBefore(until)) {
            includedWeek = monday;
            count++;
            sessions.add(s);
          } else {
            skippedWeek = monday;
          }
        }
      }
      if (count > maxBars) {
        throw new TooManyBarsException(maxBars);
      }
    }
    return sessions;
  }

  private static Instant effective(Session session, Instant at) {
    return at.isBefore(session.close()) ? at : session.close();
  }

  // --- bars and day statistics ----------------------------------------------------------------

  private Bar bar(Instrument ins, Session s, double[] lattice, DayStats day, long start, long end) {
    long open = s.open().toEpochMilli();
    int i0 = (int) ((start - open) / LATTICE_MS);
    int i1 = (int) ((end - open) / LATTICE_MS);
    double o = lattice[i0];
    boolean endOnLattice = (end - open) % LATTICE_MS == 0;
    double c = endOnLattice ? lattice[i1] : pathLog(ins, s, end);
    double hi = Math.max(o, c);
    double lo = Math.min(o, c);
    for (int i = i0 + 1; i <= i1 && i < lattice.length; i++) {
      hi = Math.max(hi, lattice[i]);
      lo = Math.min(lo, lattice[i]);
    }
    long volume = cumulativeVolume(ins, s, end) - cumulativeVolume(ins, s, start);
    return new Bar(Instant.ofEpochMilli(start), Math.exp(o), Math.exp(hi), Math.exp(lo),
        Math.exp(c), volume);
  }

  private record DayStats(double open, double high, double low, double close, long volume) {}

  private DayStats dayStats(Instrument ins, Session s, Instant asOf) {
    if (asOf.equals(s.close())) {
      return completedDays.get(new LatticeKey(ins.symbol(), s.date()),
          k -> dayStats(ins, s, asOf, lattice(ins, s)));
    }
    return dayStats(ins, s, asOf, lattice(ins, s));
  }

  private DayStats dayStats(Instrument ins, Session s, Instant asOf, double[] lattice) {
    long open = s.open().toEpochMilli();
    long end = asOf.toEpochMilli();
    int last = (int) ((end - open) / LATTICE_MS);
    double close = (end - open) % LATTICE_MS == 0 ? lattice[last] : pathLog(ins, s, end);
    double hi = close;
    double lo = close;
    for (int i = 0; i <= last && i < lattice.length; i++) {
      hi = Math.max(hi, lattice[i]);
      lo = Math.min(lo, lattice[i]);
    }
    return new DayStats(Math.exp(lattice[0]), Math.exp(hi), Math.exp(lo), Math.exp(close),
        cumulativeVolume(ins, s, end));
  }

  private record LatticeKey(String symbol, LocalDate date) {}

  /**
   * Path log-prices every 30 s from the session open to its close inclusive. Logs, because exp is
   * monotone: extremes are found on logs and only they are exponentiated.
   */
  private double[] lattice(Instrument ins, Session s) {
    // Only recent sessions are worth keeping: long daily histories would just churn the cache.
    if (s.close().isBefore(Instant.now().minus(java.time.Duration.ofDays(7)))) {
      return computeLattice(ins, s);
    }
    return lattices.get(new LatticeKey(ins.symbol(), s.date()), k -> computeLattice(ins, s));
  }

  private double[] computeLattice(Instrument ins, Session s) {
    long open = s.open().toEpochMilli();
    long close = s.close().toEpochMilli();
    int n = (int) ((close - open) / LATTICE_MS) + 1;
    double[] logs = new double[n];
    long key = symbolKey(ins);
    double logBase = Math.log(ins.basePrice());
    double slowOpen = slow(ins, key, open);
    double slowClose = slow(ins, key, close);
    for (int i = 0; i < n; i++) {
      long t = open + i * LATTICE_MS;
      logs[i] = logBase + trend(slowOpen, slowClose, open, close, t);
    }
    for (int o = 0; o < FIRST_SLOW_OCTAVE; o++) {
      double amp = AMPLITUDES[o] * ins.dailyVolatility();
      double phase = phase(key, o);
      long cachedCell = Long.MIN_VALUE;
      double v0 = 0;
      double v1 = 0;
      for (int i = 0; i < n; i++) {
        double x = (open + i * LATTICE_MS) * FREQUENCIES_PER_MS[o] + phase;
        double floor = Math.floor(x);
        long cell = (long) floor;
        if (cell != cachedCell) {
          v0 = cell == cachedCell + 1 ? v1 : latticeValue(key, o, cell);
          v1 = latticeValue(key, o, cell + 1);
          cachedCell = cell;
        }
        logs[i] += amp * interpolate(v0, v1, x - floor);
      }
    }
    return logs;
  }

  // --- the path -------------------------------------------------------------------------------

  /**
   * The path at an instant of session {@code s} (open to close inclusive). Must stay
   * bit-identical to {@link #computeLattice}: same expressions, same order of additions.
   */
  double pathPrice(Instrument ins, Session s, long epochMilli) {
    return Math.exp(pathLog(ins, s, epochMilli));
  }

  private double pathLog(Instrument ins, Session s, long epochMilli) {
    long key = symbolKey(ins);
    long open = s.open().toEpochMilli();
    long close = s.close().toEpochMilli();
    double log = Math.log(ins.basePrice())
        + trend(slow(ins, key, open), slow(ins, key, close), open, close, epochMilli);
    for (int o = 0; o < FIRST_SLOW_OCTAVE; o++) {
      log += octave(ins, key, o, epochMilli);
    }
    return log;
  }

  private static double trend(double atOpen, double atClose, long open, long close, long t) {
    return atOpen + (atClose - atOpen) * ((t - open) / (double) (close - open));
  }

  /** Sum of the octaves of a day or longer at {@code epochMilli}. */
  private static double slow(Instrument ins, long key, long epochMilli) {
    double sum = 0;
    for (int o = FIRST_SLOW_OCTAVE; o < PERIODS_S.length; o++) {
      sum += octave(ins, key, o, epochMilli);
    }
    return sum;
  }

  private static double octave(Instrument ins, long key, int o, long epochMilli) {
    double amp = AMPLITUDES[o] * ins.dailyVolatility();
    double x = epochMilli * FREQUENCIES_PER_MS[o] + phase(key, o);
    double floor = Math.floor(x);
    long cell = (long) floor;
    return amp * interpolate(latticeValue(key, o, cell), latticeValue(key, o, cell + 1), x - floor);
  }

  private static double interpolate(double v0, double v1, double f) {
    double s = f * f * (3 - 2 * f);
    return v0 + (v1 - v0) * s;
  }

  private long symbolKey(Instrument ins) {
    return mix(seed ^ mix(ins.symbol().hashCode() * 0x9E3779B97F4A7C15L + ins.symbol().length()));
  }

  /** Offsets each octave's lattice so the octaves' knots do not line up. */
  private static double phase(long key, int octave) {
    return unit(mix(key + octave * 0xD1B54A32D192ED03L));
  }

  /** Uniform value in [-1, 1] at one lattice knot. */
  private static double latticeValue(long key, int octave, long cell) {
    return unit(mix(key ^ (octave + 1) * 0xA24BAED4963EE407L ^ cell * 0x9FB21C651E98DF25L)) * 2 - 1;
  }

  /** SplitMix64 finaliser. */
  static long mix(long z) {
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }

  /** Top 53 bits as a double in [0, 1). */
  static double unit(long bits) {
    return (bits >>> 11) * 0x1.0p-53;
  }

  // --- volume ---------------------------------------------------------------------------------

  /** Shares traded in session {@code s} from its open until {@code atMilli} (clamped). */
  long cumulativeVolume(Instrument ins, Session s, long atMilli) {
    long open = s.open().toEpochMilli();
    long close = s.close().toEpochMilli();
    double u = Math.min(1, Math.max(0, (atMilli - open) / (double) (close - open)));
    long dayKey = mix(symbolKey(ins) ^ s.date().toEpochDay() * 0xC2B2AE3D27D4EB4FL);
    // Day volume: log-normal-ish around the average, lighter on half days.
    double z = (unit(dayKey) + unit(mix(dayKey + 1)) + unit(mix(dayKey + 2)) - 1.5) * 2;
    double shortDay = (close - open) < 6 * 3_600_000L ? 0.55 : 1.0;
    double dayVolume = ins.averageVolume() * Math.exp(0.35 * z) * shortDay;
    // Monotone warp w(u) = u + sum a_k sin(2 pi k u) / (2 pi k), sum |a_k| < 1, of a U-shaped CDF.
    double w = u;
    for (int k = 1; k <= 3; k++) {
      double a = (unit(mix(dayKey + 10 + k)) * 2 - 1) * 0.25;
      w += a * Math.sin(2 * Math.PI * k * u) / (2 * Math.PI * k);
    }
    w = Math.min(1, Math.max(0, w));
    double a = 0.55;
    double b = 1.35; // a + b / 3 == 1: the density integrates to one over the session
    double cdf = a * w + b * (Math.pow(2 * w - 1, 3) + 1) / 6;
    return (long) Math.floor(dayVolume * Math.min(1, Math.max(0, cdf)));
  }
}
