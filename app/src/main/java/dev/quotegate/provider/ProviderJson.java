package dev.quotegate.provider;

import java.math.BigDecimal;
import java.time.Instant;
import java.time.ZoneId;
import java.util.Locale;
import tools.jackson.databind.JsonNode;

/**
 * Lenient readers for provider JSON: numbers that arrive as numbers, as strings
 * ({@code "189.8400"}, {@code "-0.58%"}, {@code "None"}), or as Yahoo's {@code {raw, fmt}}
 * objects. Absent, null and unparseable values read as null; callers decide which fields
 * are required.
 */
public final class ProviderJson {

  private static final ZoneId NEW_YORK = ZoneId.of("America/New_York");

  private ProviderJson() {}

  /** A decimal from a number, a numeric string (a trailing {@code %} is dropped) or {@code {raw}}. */
  public static BigDecimal decimal(JsonNode n) {
    if (n == null || n.isMissingNode() || n.isNull()) {
      return null;
    }
    if (n.isObject()) {
      return decimal(n.get("raw"));
    }
    if (n.isNumber()) {
      if (n.isIntegralNumber()) {
        return n.decimalValue();
      }
      double d = n.doubleValue();
      // Shortest decimal that reads back as the same double: 189.84, never 189.8399999...
      return Double.isFinite(d) ? BigDecimal.valueOf(d) : null;
    }
    if (n.isString()) {
      String s = n.stringValue().trim();
      if (s.endsWith("%")) {
        s = s.substring(0, s.length() - 1).trim();
      }
      if (s.isEmpty() || s.equalsIgnoreCase("None") || s.equals("-") || s.equalsIgnoreCase("null")) {
        return null;
      }
      try {
        return new BigDecimal(s);
      } catch (NumberFormatException e) {
        return null;
      }
    }
    return null;
  }

  /** {@link #decimal}, and null when it is zero (providers send 0 for "no value yet"). */
  public static BigDecimal nonZero(JsonNode n) {
    BigDecimal d = decimal(n);
    return d == null || d.signum() == 0 ? null : d;
  }

  /** A whole number (decimals are truncated), or null. */
  public static Long whole(JsonNode n) {
    BigDecimal d = decimal(n);
    if (d == null) {
      return null;
    }
    try {
      return d.longValue();
    } catch (ArithmeticException e) {
      return null;
    }
  }

  /** Trimmed text (Yahoo's {@code {fmt}} for objects), or null when absent or blank. */
  public static String text(JsonNode n) {
    if (n == null || n.isMissingNode() || n.isNull()) {
      return null;
    }
    if (n.isObject()) {
      return text(n.get("fmt"));
    }
    if (n.isContainer()) {
      return null;
    }
    String s = n.asString().trim();
    return s.isEmpty() || s.equalsIgnoreCase("None") ? null : s;
  }

  /** An instant from epoch seconds, or null when absent or not positive. */
  public static Instant epochSeconds(JsonNode n) {
    Long s = whole(n);
    return s == null || s <= 0 ? null : Instant.ofEpochSecond(s);
  }

  /** An instant from epoch milliseconds, or null when absent or not positive. */
  public static Instant epochMillis(JsonNode n) {
    Long ms = whole(n);
    return ms == null || ms <= 0 ? null : Instant.ofEpochMilli(ms);
  }

  /** The zone {@code id}, or New York when it is absent or unknown. */
  public static ZoneId zone(String id) {
    if (id == null || id.isBlank()) {
      return NEW_YORK;
    }
    try {
      return ZoneId.of(id.trim());
    } catch (RuntimeException e) {
      return NEW_YORK;
    }
  }

  /**
   * One vocabulary for instrument types across providers: EQUITY, ETF, INDEX, FX, CRYPTO,
   * FUND, FUTURE, BOND; anything else upper-cased as sent.
   */
  public static String instrumentType(String raw) {
    if (raw == null || raw.isBlank()) {
      return null;
    }
    String t = raw.trim().toUpperCase(Locale.ROOT);
    switch (t) {
      case "EQUITY":
      case "COMMON STOCK":
      case "CS":
      case "STOCK":
      case "ADRC":
      case "PREFERRED STOCK":
      case "PFD":
      case "DEPOSITARY RECEIPT":
      case "ADR":
        return "EQUITY";
      case "ETF":
      case "ETP":
      case "ETN":
        return "ETF";
      case "INDEX":
        return "INDEX";
      case "CURRENCY":
      case "PHYSICAL CURRENCY":
      case "FX":
      case "FOREX":
        return "FX";
      case "CRYPTOCURRENCY":
      case "DIGITAL CURRENCY":
      case "CRYPTO":
        return "CRYPTO";
      case "MUTUALFUND":
      case "MUTUAL FUND":
      case "FUND":
        return "FUND";
      case "FUTURE":
      case "FUTURES":
        return "FUTURE";
      case "BOND":
        return "BOND";
      default:
        return t;
    }
  }
}
