package dev.quotegate.history;

import dev.quotegate.provider.Bar;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.List;

/**
 * Technical indicators with their textbook definitions, over closes (and highs, lows and
 * volumes for VWAP). Computed in {@code double} (IEEE 754, about 15 significant digits: far
 * below a price tick over any series the gateway serves); each result array is aligned with
 * the input, {@code NaN} where the indicator is not yet defined (warm-up).
 *
 * <ul>
 *   <li>SMA(n): mean of the last n closes.
 *   <li>EMA(n): alpha = 2/(n+1), seeded with SMA(n) at the n-th close.
 *   <li>RSI(n): J. Welles Wilder (1978): first average gain/loss the simple mean of the first n
 *       changes, then Wilder smoothing {@code avg = (prev*(n-1) + current)/n};
 *       RSI = 100 - 100/(1 + avgGain/avgLoss); 100 when there are no losses (50 when the
 *       series is flat).
 *   <li>MACD(fast, slow, signal): EMA(fast) - EMA(slow); signal line EMA(signal) of the MACD
 *       line (seeded with its SMA); histogram = MACD - signal.
 *   <li>Bollinger(n, k): middle SMA(n), bands at k population standard deviations of the same
 *       n closes (as Bollinger defines them).
 *   <li>VWAP: sum(typical price x volume) / sum(volume), typical price (H+L+C)/3, anchored at
 *       each session (New York date) for intraday bars and at the first bar for daily and
 *       weekly bars; bars without volume are skipped.
 * </ul>
 */
public final class Indicators {

  private Indicators() {}

  public static double[] closes(List<Bar> bars) {
    double[] c = new double[bars.size()];
    for (int i = 0; i < c.length; i++) {
      c[i] = bars.get(i).close().doubleValue();
    }
    return c;
  }

  public static double[] sma(double[] x, int n) {
    double[] out = nan(x.length);
    double sum = 0;
    for (int i = 0; i < x.length; i++) {
      sum += x[i];
      if (i >= n) {
        sum -= x[i - n];
      }
      if (i >= n - 1) {
        out[i] = sum / n;
      }
    }
    return out;
  }

  public static double[] ema(double[] x, int n) {
    return emaFrom(x, n, 0);
  }

  /** EMA(n) of {@code x} whose values before {@code first} are undefined (NaN). */
  private static double[] emaFrom(double[] x, int n, int first) {
    double[] out = nan(x.length);
    if (x.length - first < n) {
      return out;
    }
    double alpha = 2.0 / (n + 1);
    double sum = 0;
    for (int i = first; i < first + n; i++) {
      sum += x[i];
    }
    double prev = sum / n;
    out[first + n - 1] = prev;
    for (int i = first + n; i < x.length; i++) {
      prev = alpha * x[i] + (1 - alpha) * prev;
      out[i] = prev;
    }
    return out;
  }

  public static double[] rsi(double[] x, int n) {
    double[] out = nan(x.length);
    if (x.length <= n) {
      return out;
    }
    double gain = 0;
    double loss = 0;
    for (int i = 1; i <= n; i++) {
      double d = x[i] - x[i - 1];
      if (d > 0) {
        gain += d;
      } else {
        loss -= d;
      }
    }
    gain /= n;
    loss /= n;
    out[n] = rsiOf(gain, loss);
    for (int i = n + 1; i < x.length; i++) {
      double d = x[i] - x[i - 1];
      gain = (gain * (n - 1) + Math.max(d, 0)) / n;
      loss = (loss * (n - 1) + Math.max(-d, 0)) / n;
      out[i] = rsiOf(gain, loss);
    }
    return out;
  }

  private static double rsiOf(double gain, double loss) {
    if (loss == 0) {
      return gain == 0 ? 50 : 100;
    }
    return 100 - 100 / (1 + gain / loss);
  }

  /** MACD line, signal line, histogram. */
  public static double[][] macd(double[] x, int fast, int slow, int signal) {
    double[] f = ema(x, fast);
    double[] s = ema(x, slow);
    double[] line = nan(x.length);
    for (int i = slow - 1; i < x.length; i++) {
      line[i] = f[i] - s[i];
    }
    double[] sig = emaFrom(line, signal, slow - 1);
    double[] hist = nan(x.length);
    for (int i = 0; i < x.length; i++) {
      if (!Double.isNaN(line[i]) && !Double.isNaN(sig[i])) {
        hist[i] = line[i] - sig[i];
      }
    }
    return new double[][] {line, sig, hist};
  }

  /** Middle, upper, lower band. */
  public static double[][] bollinger(double[] x, int n, double k) {
    double[] mid = sma(x, n);
    double[] up = nan(x.length);
    double[] lo = nan(x.length);
    for (int i = n - 1; i < x.length; i++) {
      double m = mid[i];
      double ss = 0;
      for (int j = i - n + 1; j <= i; j++) {
        double d = x[j] - m;
        ss += d * d;
      }
      double sd = Math.sqrt(ss / n);
      up[i] = m + k * sd;
      lo[i] = m - k * sd;
    }
    return new double[][] {mid, up, lo};
  }

  /**
   * VWAP from bar {@code anchor} on; re-anchored at each New York session date when
   * {@code perSession}.
   */
  public static double[] vwap(List<Bar> bars, int anchor, boolean perSession, ZoneId zone) {
    double[] out = nan(bars.size());
    double pv = 0;
    double vol = 0;
    LocalDate day = null;
    for (int i = anchor; i < bars.size(); i++) {
      Bar b = bars.get(i);
      if (perSession) {
        LocalDate d = LocalDate.ofInstant(b.ts(), zone);
        if (!d.equals(day)) {
          day = d;
          pv = 0;
          vol = 0;
        }
      }
      if (b.volume() != null && b.volume() > 0) {
        double tp = (b.high().doubleValue() + b.low().doubleValue() + b.close().doubleValue()) / 3;
        pv += tp * b.volume();
        vol += b.volume();
      }
      if (vol > 0) {
        out[i] = pv / vol;
      }
    }
    return out;
  }

  private static double[] nan(int n) {
    double[] a = new double[n];
    java.util.Arrays.fill(a, Double.NaN);
    return a;
  }
}
