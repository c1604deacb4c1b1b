package dev.quotegate.history;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.quotegate.provider.Bar;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Indicator values against published worked examples and closed-form results. */
class IndicatorsTest {

  /** The examples are published to two decimals: within half a cent (plus float error). */
  private static final double HALF_CENT = 0.005 + 1e-9;

  /**
   * StockCharts ChartSchool, "Relative Strength Index (RSI)", spreadsheet cs-rsi.xls: the
   * 14-period RSI worked example (the closes of the example, to four decimals).
   */
  private static final double[] RSI_CLOSES = {
    44.3389, 44.0902, 44.1497, 43.6124, 44.3278, 44.8264, 45.0955, 45.4245, 45.8433, 46.0826, 45.8931,
    46.0328, 45.6140, 46.2820, 46.2820, 46.0028, 46.0328, 46.4116, 46.2222, 45.6439, 46.2122, 46.2521,
    45.7137, 46.4515, 45.7835, 45.3548, 44.0288, 44.1783, 44.2181, 44.5672, 43.4205, 42.6628, 43.1314
  };

  /** The RSI column of that spreadsheet, from the 15th close on. */
  private static final double[] RSI_PUBLISHED = {
    70.53, 66.32, 66.55, 69.41, 66.36, 57.97, 62.93, 63.26, 56.06, 62.38, 54.71, 50.42, 39.99, 41.46,
    41.87, 45.46, 37.30, 33.08, 37.77
  };

  /**
   * StockCharts ChartSchool, "Moving Averages - Simple and Exponential", spreadsheet
   * cs-movavg.xls: 10-day SMA and EMA worked example.
   */
  private static final double[] MA_CLOSES = {
    22.27, 22.19, 22.08, 22.17, 22.18, 22.13, 22.23, 22.43, 22.24, 22.29, 22.15, 22.39, 22.38, 22.61,
    23.36, 24.05, 23.75, 23.83, 23.95, 23.63, 23.82, 23.87, 23.65, 23.19, 23.10, 23.33, 22.68, 23.10,
    22.40, 22.17
  };

  private static final double[] SMA10_PUBLISHED = {
    22.22, 22.21, 22.23, 22.26, 22.30, 22.42, 22.61, 22.77, 22.91, 23.08, 23.21, 23.38, 23.52, 23.65,
    23.71, 23.68, 23.61, 23.51, 23.43, 23.28, 23.13
  };

  private static final double[] EMA10_PUBLISHED = {
    22.22, 22.21, 22.24, 22.27, 22.33, 22.52, 22.80, 22.97, 23.13, 23.28, 23.34, 23.43, 23.51, 23.53,
    23.47, 23.40, 23.39, 23.26, 23.23, 23.08, 22.92
  };

  @Test
  void rsiMatchesWildersSmoothingInThePublishedWorkedExample() {
    double[] rsi = Indicators.rsi(RSI_CLOSES, 14);
    for (int i = 0; i < 14; i++) {
      assertThat(rsi[i]).as("RSI before 14 changes, index %d", i).isNaN();
    }
    for (int k = 0; k < RSI_PUBLISHED.length; k++) {
      assertThat(rsi[14 + k]).as("RSI(14) at index %d", 14 + k).isCloseTo(RSI_PUBLISHED[k], within(HALF_CENT));
    }
  }

  @Test
  void smaAndEmaMatchThePublishedTenDayExample() {
    double[] sma = Indicators.sma(MA_CLOSES, 10);
    double[] ema = Indicators.ema(MA_CLOSES, 10);
    assertThat(sma[8]).isNaN();
    assertThat(ema[8]).isNaN();
    for (int k = 0; k < SMA10_PUBLISHED.length; k++) {
      assertThat(sma[9 + k]).as("SMA(10) at index %d", 9 + k).isCloseTo(SMA10_PUBLISHED[k], within(HALF_CENT));
      assertThat(ema[9 + k]).as("EMA(10) at index %d", 9 + k).isCloseTo(EMA10_PUBLISHED[k], within(HALF_CENT));
    }
  }

  @Test
  void emaIsSeededWithTheSimpleAverage() {
    double[] ema = Indicators.ema(new double[] {1, 2, 3, 10}, 3);
    assertThat(ema[2]).isEqualTo(2.0);
    assertThat(ema[3]).as("alpha 2/(3+1) = 0.5").isEqualTo(0.5 * 10 + 0.5 * 2.0);
  }

  @Test
  void macdOfAUnitSlopeIsTheDifferenceOfTheEmaLags() {
    // An EMA(n) seeded with SMA(n) trails a straight line by exactly (n-1)/2 from its first
    // value on, so MACD(12,26,9) of x_t = t is (26-1)/2 - (12-1)/2 = 7, and so is its signal.
    double[] x = new double[80];
    for (int i = 0; i < x.length; i++) {
      x[i] = i;
    }
    double[][] m = Indicators.macd(x, 12, 26, 9);
    assertThat(m[0][24]).as("MACD before the slow EMA exists").isNaN();
    assertThat(m[0][25]).isCloseTo(7.0, within(1e-9));
    assertThat(m[1][32]).as("signal before 9 MACD values").isNaN();
    assertThat(m[1][33]).isCloseTo(7.0, within(1e-9));
    assertThat(m[2][79]).as("histogram").isCloseTo(0.0, within(1e-9));
  }

  @Test
  void bollingerBandsUseThePopulationStandardDeviation() {
    // 1..20: mean 10.5, population variance (n^2 - 1)/12 = 33.25
    double[] x = new double[20];
    for (int i = 0; i < 20; i++) {
      x[i] = i + 1;
    }
    double[][] b = Indicators.bollinger(x, 20, 2);
    double sd = Math.sqrt(33.25);
    assertThat(b[0][19]).isEqualTo(10.5);
    assertThat(b[1][19]).isCloseTo(10.5 + 2 * sd, within(1e-12));
    assertThat(b[2][19]).isCloseTo(10.5 - 2 * sd, within(1e-12));
    assertThat(b[0][18]).isNaN();
  }

  @Test
  void rsiIsHundredWithoutLossesAndFiftyWhenFlat() {
    assertThat(Indicators.rsi(new double[] {1, 2, 3, 4}, 3)[3]).isEqualTo(100.0);
    assertThat(Indicators.rsi(new double[] {5, 5, 5, 5}, 3)[3]).isEqualTo(50.0);
  }

  @Test
  void vwapWeighsTypicalPriceByVolumeAndRestartsEachSession() {
    ZoneId ny = ZoneId.of("America/New_York");
    List<Bar> bars = new ArrayList<>();
    // session 1: typical prices 10 (v=100) and 20 (v=300) -> (1000 + 6000) / 400 = 17.5
    bars.add(bar("2026-11-20T14:30:00Z", "11", "9", "10", 100L));
    bars.add(bar("2026-11-20T14:35:00Z", "21", "19", "20", 300L));
    // next session starts over: typical price 30
    bars.add(bar("2026-11-23T14:30:00Z", "31", "29", "30", 50L));
    double[] perSession = Indicators.vwap(bars, 0, true, ny);
    assertThat(perSession[0]).isEqualTo(10.0);
    assertThat(perSession[1]).isEqualTo(17.5);
    assertThat(perSession[2]).as("re-anchored at the new session").isEqualTo(30.0);
    double[] anchored = Indicators.vwap(bars, 0, false, ny);
    assertThat(anchored[2]).as("(1000 + 6000 + 1500) / 450").isCloseTo(8500.0 / 450, within(1e-12));
  }

  private static Bar bar(String ts, String h, String l, String c, Long v) {
    return new Bar(Instant.parse(ts), new BigDecimal(c), new BigDecimal(h), new BigDecimal(l), new BigDecimal(c), v);
  }
}
