package dev.quotegate.web;

import dev.quotegate.platform.GatewayException;
import dev.quotegate.platform.GatewayException.InvalidRequest;
import dev.quotegate.platform.GatewayException.NotFound;
import dev.quotegate.platform.GatewayException.Overloaded;
import dev.quotegate.platform.GatewayException.Upstream;
import dev.quotegate.platform.GatewayException.UpstreamFailure;
import java.time.Duration;

/**
 * The one mapping from domain errors to HTTP: status, a stable problem code (also the last
 * segment of the problem {@code type}), title and Retry-After.
 */
public final class Problems {

  /** Base of every problem {@code type} URI. */
  public static final String TYPE_BASE = "https://quotegate.dev/problems/";

  /** What a client is told when upstream said nothing about when to retry. */
  static final Duration DEFAULT_RETRY_AFTER = Duration.ofSeconds(5);

  private Problems() {}

  public static int status(GatewayException e) {
    if (e instanceof InvalidRequest) {
      return 400;
    }
    if (e instanceof NotFound) {
      return 404;
    }
    return isTimeout(e) ? 504 : 503;
  }

  public static String code(GatewayException e) {
    if (e instanceof InvalidRequest) {
      return "invalid-request";
    }
    if (e instanceof NotFound) {
      return "not-found";
    }
    if (e instanceof Overloaded) {
      return "overloaded";
    }
    return isTimeout(e) ? "upstream-timeout" : "upstream-unavailable";
  }

  public static String title(GatewayException e) {
    if (e instanceof InvalidRequest) {
      return "Invalid request parameter";
    }
    if (e instanceof NotFound) {
      return "Not Found"; // the reason phrase, as on a 404 for an unknown route
    }
    if (e instanceof Overloaded) {
      return "Gateway overloaded";
    }
    return isTimeout(e) ? "Upstream timeout" : "Upstream unavailable";
  }

  /**
   * The problem {@code detail} for {@code e}: written by the gateway alone. Validation errors
   * name each field; upstream failures say which provider failed and how, never what the
   * provider answered (that text stays in the log).
   */
  public static String detail(GatewayException e) {
    if (e instanceof InvalidRequest i) {
      StringBuilder sb = new StringBuilder();
      for (GatewayException.InvalidParam p : i.params()) {
        if (!sb.isEmpty()) {
          sb.append("; ");
        }
        sb.append(p.name()).append(": ").append(p.reason());
      }
      return sb.toString();
    }
    if (e instanceof Upstream u) {
      return u.detail();
    }
    return e.getMessage();
  }

  /** Retry-After for 503s; null where it does not apply. */
  public static Duration retryAfter(GatewayException e) {
    if (e instanceof Overloaded o) {
      return o.retryAfter();
    }
    if (e instanceof Upstream u && u.kind() != UpstreamFailure.TIMEOUT) {
      return u.retryAfter() != null ? u.retryAfter() : DEFAULT_RETRY_AFTER;
    }
    return null;
  }

  private static boolean isTimeout(GatewayException e) {
    return e instanceof Upstream u && u.kind() == UpstreamFailure.TIMEOUT;
  }
}
