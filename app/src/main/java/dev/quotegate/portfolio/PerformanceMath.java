package dev.quotegate.portfolio;

import java.time.LocalDate;
import java.util.List;

/**
 * The performance figures of a series of periodic (daily) returns against a benchmark's returns
 * over the same periods, by the textbook definitions:
 *
 * <ul>
 *   <li>time-weighted return: {@code prod(1 + r) - 1} (flows are taken out of each period's
 *       return before chaining, so deposits are not performance);
 *   <li>volatility: sample standard deviation of {@code r} (n - 1) times {@code sqrt(P)}, P the
 *       periods per year (252);
 *   <li>Sharpe: {@code mean(r - rf) / sd(r - rf) * sqrt(P)}, rf the per-period risk-free rate
 *       (annual rate / P);
 *   <li>Sortino: {@code mean(r - rf) / DD * sqrt(P)}, DD the downside deviation
 *       {@code sqrt(sum(min(0, r - rf)^2) / n)} (target: the risk-free rate);
 *   <li>beta: {@code cov(r, b) / var(b)}; correlation: {@code cov(r, b) / (sd(r) sd(b))} (sample);
 *   <li>maximum drawdown: the largest {@code (peak - trough) / peak} of the growth index
 *       {@code W_t = prod_{s<=t}(1 + r_s)}, with the dates of the peak, the trough and the
 *       recovery (first date back at the peak, null while not recovered).
 * </ul>
 *
 * Figures that are undefined (fewer than two returns, zero variance, no downside) are null.
 */
final class PerformanceMath {

  private PerformanceMath() {}

  /** The figures. */
  record Figures(
      int periods,
      double timeWeightedReturn,
      Double annualizedReturn,
      double benchmarkReturn,
      double excessReturn,
      Double volatility,
      Double benchmarkVolatility,
      Double sharpe,
      Double sortino,
      Double beta,
      Double correlation,
      Drawdown maxDrawdown) {}

  /** The deepest fall of the growth index. */
  record Drawdown(double value, LocalDate peak, LocalDate trough, LocalDate recovery) {}

  /**
   * Figures of returns {@code r} against {@code b}, period {@code i} ending on {@code dates[i+1]}
   * ({@code dates[0]} is the start).
   */
  static Figures figures(double[] r, double[] b, List<LocalDate> dates, double annualRiskFree, int periodsPerYear) {
    int n = r.length;
    if (b.length != n || dates.size() != n + 1) {
      throw new IllegalArgumentException("returns and dates must line up");
    }
    double twr = compound(r);
    double bench = compound(b);
    double rf = annualRiskFree / periodsPerYear;
    double sqrtP = Math.sqrt(periodsPerYear);
    Double annualized = n == 0 ? null : Math.pow(1 + twr, (double) periodsPerYear / n) - 1;
    Double vol = null;
    Double bvol = null;
    Double sharpe = null;
    Double sortino = null;
    Double beta = null;
    Double corr = null;
    if (n >= 2) {
      double mr = mean(r);
      double mb = mean(b);
      double sr = sd(r, mr);
      double sb = sd(b, mb);
      vol = sr * sqrtP;
      bvol = sb * sqrtP;
      double[] ex = new double[n];
      for (int i = 0; i < n; i++) {
        ex[i] = r[i] - rf;
      }
      double mex = mean(ex);
      double sex = sd(ex, mex);
      sharpe = sex > 0 ? mex / sex * sqrtP : null;
      double down = 0;
      for (double e : ex) {
        double d = Math.min(0, e);
        down += d * d;
      }
      double dd = Math.sqrt(down / n);
      sortino = dd > 0 ? mex / dd * sqrtP : null;
      double cov = 0;
      for (int i = 0; i < n; i++) {
        cov += (r[i] - mr) * (b[i] - mb);
      }
      cov /= n - 1;
      beta = sb > 0 ? cov / (sb * sb) : null;
      corr = sb > 0 && sr > 0 ? cov / (sr * sb) : null;
    }
    return new Figures(n, twr, annualized, bench, twr - bench, vol, bvol, sharpe, sortino, beta, corr,
        drawdown(r, dates));
  }

  static double compound(double[] r) {
    double w = 1;
    for (double x : r) {
      w *= 1 + x;
    }
    return w - 1;
  }

  static double mean(double[] x) {
    double s = 0;
    for (double v : x) {
      s += v;
    }
    return x.length == 0 ? 0 : s / x.length;
  }

  /** Sample standard deviation (n - 1). */
  static double sd(double[] x, double mean) {
    if (x.length < 2) {
      return 0;
    }
    double s = 0;
    for (double v : x) {
      s += (v - mean) * (v - mean);
    }
    return Math.sqrt(s / (x.length - 1));
  }

  static Drawdown drawdown(double[] r, List<LocalDate> dates) {
    double w = 1;
    double peak = 1;
    LocalDate peakDate = dates.get(0);
    double worst = 0;
    LocalDate worstPeak = null;
    LocalDate worstTrough = null;
    for (int i = 0; i < r.length; i++) {
      w *= 1 + r[i];
      LocalDate d = dates.get(i + 1);
      if (w > peak) {
        peak = w;
        peakDate = d;
      }
      double dd = (peak - w) / peak;
      if (dd > worst) {
        worst = dd;
        worstPeak = peakDate;
        worstTrough = d;
      }
    }
    if (worstTrough == null) {
      return new Drawdown(0, null, null, null);
    }
    // Recovery: the first date after the trough when the index is back at the peak.
    double level = 1;
    double peakLevel = Double.NaN;
    LocalDate recovery = null;
    boolean pastTrough = false;
    for (int i = -1; i < r.length; i++) {
      if (i >= 0) {
        level *= 1 + r[i];
      }
      LocalDate d = dates.get(i + 1);
      if (d.equals(worstPeak)) {
        peakLevel = level;
      }
      if (pastTrough && level >= peakLevel) {
        recovery = d;
        break;
      }
      if (d.equals(worstTrough)) {
        pastTrough = true;
      }
    }
    return new Drawdown(worst, worstPeak, worstTrough, recovery);
  }
}
