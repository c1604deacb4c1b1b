package dev.quotegate.web;

import dev.quotegate.platform.GatewayException.InvalidRequest;
import java.util.Locale;
import java.util.Optional;
import org.springframework.web.reactive.function.server.ServerRequest;

/** Typed, validated query parameters: a bad value is a 400 naming the parameter. */
public final class QueryParams {

  private QueryParams() {}

  /** An integer in {@code [min, max]}, or {@code fallback} when absent. */
  public static int intParam(ServerRequest request, String name, int fallback, int min, int max) {
    Optional<String> raw = request.queryParam(name);
    if (raw.isEmpty() || raw.get().isBlank()) {
      return fallback;
    }
    try {
      int value = Integer.parseInt(raw.get().trim());
      if (value < min || value > max) {
        throw new InvalidRequest(name, "must be between " + min + " and " + max + ", got " + value);
      }
      return value;
    } catch (NumberFormatException e) {
      throw new InvalidRequest(name, "must be an integer between " + min + " and " + max);
    }
  }

  /** One of {@code allowed} (case-insensitive, answered lower-case), or {@code fallback}. */
  public static String oneOf(ServerRequest request, String name, String fallback, String... allowed) {
    Optional<String> raw = request.queryParam(name);
    if (raw.isEmpty() || raw.get().isBlank()) {
      return fallback;
    }
    String v = raw.get().trim().toLowerCase(Locale.ROOT);
    for (String a : allowed) {
      if (a.equals(v)) {
        return v;
      }
    }
    throw new InvalidRequest(name, "must be one of " + String.join(", ", allowed));
  }

  /** A required free-text parameter of 1 to {@code maxLength} printable characters, trimmed. */
  public static String text(ServerRequest request, String name, int maxLength) {
    String raw = request.queryParam(name).map(String::trim).orElse("");
    if (raw.isEmpty()) {
      throw new InvalidRequest(name, "required");
    }
    if (raw.length() > maxLength) {
      throw new InvalidRequest(name, "at most " + maxLength + " characters");
    }
    for (int i = 0; i < raw.length(); i++) {
      if (Character.isISOControl(raw.charAt(i))) {
        throw new InvalidRequest(name, "must not contain control characters");
      }
    }
    return raw;
  }
}
