package dev.quotegate.provider;

import java.math.BigDecimal;
import java.util.Map;

/**
 * Currencies quoted in their minor unit: {@code GBp}/{@code GBX} (pence, London),
 * {@code ZAc}/{@code ZAC} (South African cents), {@code ILA} (agorot). The gateway answers in the
 * major unit and says which unit the provider quoted in.
 */
public final class Currencies {

  private static final Map<String, String> MINOR_UNITS = Map.of("GBp", "GBP", "GBX", "GBP", "ZAc", "ZAR", "ZAC", "ZAR",
      "ILA", "ILS");

  private Currencies() {}

  /** The major currency of minor unit {@code code}, or null when {@code code} is not a minor unit. */
  public static String majorOf(String code) {
    return code == null ? null : MINOR_UNITS.get(code);
  }

  /** {@code amount} in minor units as major units (a hundredth, exactly); null stays null. */
  public static BigDecimal toMajor(BigDecimal amount) {
    return amount == null ? null : amount.movePointLeft(2);
  }

  /** {@code bar}'s prices in the major unit when {@code currency} is a minor one. */
  public static Bar toMajor(Bar bar, String currency) {
    if (majorOf(currency) == null) {
      return bar;
    }
    return new Bar(bar.ts(), toMajor(bar.open()), toMajor(bar.high()), toMajor(bar.low()), toMajor(bar.close()),
        bar.volume());
  }
}
