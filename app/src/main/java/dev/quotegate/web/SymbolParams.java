package dev.quotegate.web;

import dev.quotegate.platform.GatewayException.InvalidParam;
import dev.quotegate.platform.GatewayException.InvalidRequest;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;
import org.springframework.http.server.PathContainer;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.util.UriUtils;

/**
 * Parses and validates ticker symbols from requests. Symbols are upper-cased; a valid one is
 * 1 to 16 characters of letters, digits and {@code . - =}, optionally led by {@code ^}
 * (indices): {@code AAPL}, {@code BRK.B}, {@code BRK-B}, {@code VOD.L}, {@code ^GSPC},
 * {@code EURUSD=X}. Anything else is a 400 naming the offending entry, and never reaches a
 * provider.
 */
public final class SymbolParams {

  private static final Pattern SYMBOL = Pattern.compile("\\^?[A-Z0-9][A-Z0-9.=-]{0,15}");
  private static final int MAX_REPORTED = 10;

  private SymbolParams() {}

  /**
   * The symbol in the request path's last segment, upper-cased. Read from the raw segment:
   * the framework would silently drop a {@code ;...} suffix as matrix variables, and
   * {@code A;DROP} must be a 400, not a look-up of {@code A}.
   */
  public static String pathSymbol(ServerRequest request, String field) {
    List<PathContainer.Element> elements = request.requestPath().pathWithinApplication().elements();
    String raw = elements.isEmpty() ? "" : elements.get(elements.size() - 1).value();
    return symbol(field, UriUtils.decode(raw, StandardCharsets.UTF_8));
  }

  /** One symbol named {@code field}, upper-cased. */
  public static String symbol(String field, String raw) {
    String symbol = normalize(raw);
    if (symbol == null) {
      throw new InvalidRequest(field, reason(raw));
    }
    return symbol;
  }

  /**
   * A comma-separated list of at most {@code max} entries: upper-cased, duplicates removed,
   * first-seen order kept. Every invalid entry is named as {@code field[i]} (up to ten).
   */
  public static List<String> symbols(String field, String raw, int max) {
    if (raw == null || raw.isBlank()) {
      throw new InvalidRequest(field, "required: a comma-separated list of 1 to " + max + " symbols");
    }
    String[] parts = raw.split(",", -1);
    if (parts.length > max) {
      throw new InvalidRequest(field, "at most " + max + " symbols per request, got " + parts.length);
    }
    List<InvalidParam> invalid = new ArrayList<>();
    LinkedHashSet<String> out = new LinkedHashSet<>(parts.length * 2);
    for (int i = 0; i < parts.length; i++) {
      String symbol = normalize(parts[i]);
      if (symbol == null) {
        if (invalid.size() < MAX_REPORTED) {
          invalid.add(new InvalidParam(field + "[" + i + "]", reason(parts[i])));
        }
      } else {
        out.add(symbol);
      }
    }
    if (!invalid.isEmpty()) {
      throw new InvalidRequest(invalid);
    }
    return List.copyOf(out);
  }

  /**
   * The valid, upper-cased symbol, or null. ASCII input (every real request) is checked char by
   * char with no regex and no intermediate strings, since a dashboard poll names up to 100
   * symbols; anything else takes the exact reference path (trim, upper-case, pattern).
   */
  static String normalize(String raw) {
    if (raw == null) {
      return null;
    }
    int start = 0;
    int end = raw.length();
    while (start < end && raw.charAt(start) <= ' ') {
      start++;
    }
    while (end > start && raw.charAt(end - 1) <= ' ') {
      end--;
    }
    int i = start;
    if (i < end && raw.charAt(i) == '^') {
      i++;
    }
    int body = end - i;
    if (body < 1 || body > 16) {
      return slowNormalize(raw);
    }
    boolean lower = false;
    for (int k = i; k < end; k++) {
      char c = raw.charAt(k);
      boolean alnum = (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
      if (c >= 'a' && c <= 'z') {
        alnum = true;
        lower = true;
      }
      if (!alnum && (k == i || (c != '.' && c != '=' && c != '-'))) {
        return slowNormalize(raw);
      }
    }
    String s = (start == 0 && end == raw.length()) ? raw : raw.substring(start, end);
    return lower ? s.toUpperCase(Locale.ROOT) : s;
  }

  private static String slowNormalize(String raw) {
    if (raw.isBlank()) {
      return null;
    }
    // ASCII only, checked before any case mapping: Unicode upper-casing makes new symbols of
    // other text ("maß" -> "MASS", "ﬀ" -> "FF", "ı" -> "I").
    for (int i = 0; i < raw.length(); i++) {
      if (raw.charAt(i) >= 0x80) {
        return null;
      }
    }
    String s = raw.trim().toUpperCase(Locale.ROOT);
    return SYMBOL.matcher(s).matches() ? s : null;
  }

  private static String reason(String raw) {
    if (raw == null || raw.isBlank()) {
      return "empty symbol";
    }
    return "'" + abbreviate(raw) + "' is not a valid symbol (1-16 ASCII characters of A-Z 0-9 . - =, optional leading ^)";
  }

  private static String abbreviate(String raw) {
    String clean = raw.replaceAll("[\\p{Cntrl}\\p{Cf}\\p{Cs}]", "?");
    return clean.length() <= 24 ? clean : clean.substring(0, 24) + "...";
  }
}
