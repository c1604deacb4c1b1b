package dev.quotegate.platform;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * The gateway's domain errors. Adapters translate provider failures into these in one
 * place ({@code onErrorMap}); the web layer maps each to one RFC 9457 problem type.
 */
public abstract sealed class GatewayException extends RuntimeException
    permits GatewayException.InvalidRequest,
        GatewayException.NotFound,
        GatewayException.Overloaded,
        GatewayException.Upstream {

  GatewayException(String message, Throwable cause) {
    // No stack trace for expected, high-volume failures: they are counted, not debugged.
    super(message, cause, false, false);
  }

  /** A request parameter failed validation; nothing reached a provider. */
  public static final class InvalidRequest extends GatewayException {
    private final List<InvalidParam> params;

    public InvalidRequest(List<InvalidParam> params) {
      super(describe(params), null);
      this.params = List.copyOf(params);
    }

    public InvalidRequest(String field, String reason) {
      this(List.of(new InvalidParam(field, reason)));
    }

    public List<InvalidParam> params() {
      return params;
    }

    private static String describe(List<InvalidParam> params) {
      if (params.isEmpty()) {
        throw new IllegalArgumentException("params must not be empty");
      }
      InvalidParam first = params.get(0);
      return first.name() + ": " + first.reason();
    }
  }

  /** One invalid request parameter: its name (e.g. {@code symbols[2]}) and why. */
  public record InvalidParam(String name, String reason) {
    public InvalidParam {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(reason, "reason");
    }
  }

  /** The requested item does not exist at the provider. */
  public static final class NotFound extends GatewayException {
    private final String item;

    public NotFound(String item, String message) {
      super(message, null);
      this.item = item;
    }

    public String item() {
      return item;
    }
  }

  /** A bounded queue, in-flight table or concurrency limit of this instance is full. */
  public static final class Overloaded extends GatewayException {
    private final Duration retryAfter;

    public Overloaded(String message, Duration retryAfter) {
      super(message, null);
      this.retryAfter = Objects.requireNonNull(retryAfter, "retryAfter");
    }

    public Duration retryAfter() {
      return retryAfter;
    }
  }

  /**
   * An upstream provider failed; {@link #kind()} says how. The message (for logs) may quote
   * what the provider said, redacted of secrets; what clients are told is {@link #detail()},
   * written by the gateway alone.
   */
  public static final class Upstream extends GatewayException {
    /** The pseudo-provider of failures the gateway itself decided (deadline, no chain). */
    public static final String GATEWAY = "gateway";

    private final String provider;
    private final UpstreamFailure kind;
    private final Duration retryAfter;
    private final String detail;

    public Upstream(String provider, UpstreamFailure kind, String message, Duration retryAfter, Throwable cause) {
      this(provider, kind, message, retryAfter, cause, null);
    }

    /**
     * With {@code detail}, the gateway-written text clients get; null: one derived from the
     * provider's name and the kind of failure ({@link #describe}).
     */
    public Upstream(
        String provider, UpstreamFailure kind, String message, Duration retryAfter, Throwable cause, String detail) {
      super(provider + ": " + message, cause);
      this.provider = Objects.requireNonNull(provider, "provider");
      this.kind = Objects.requireNonNull(kind, "kind");
      this.retryAfter = retryAfter;
      this.detail = detail;
    }

    public Upstream(String provider, UpstreamFailure kind, String message) {
      this(provider, kind, message, null, null);
    }

    /** A failure the gateway decided itself; {@code detail} is both message and client text. */
    public static Upstream ofGateway(UpstreamFailure kind, String detail, Throwable cause) {
      return new Upstream(GATEWAY, kind, detail, null, cause, detail);
    }

    /** What clients are told: never the provider's own text. */
    public String detail() {
      return detail != null ? detail : describe(provider, kind);
    }

    /** The gateway's sentence for a failure of {@code kind} at {@code provider}. */
    public static String describe(String provider, UpstreamFailure kind) {
      return switch (kind) {
        case TIMEOUT -> "provider " + provider + " did not answer in time";
        case UNAVAILABLE -> "provider " + provider + " is unavailable";
        case RATE_LIMITED -> "provider " + provider + " is rate-limiting the gateway";
        case MALFORMED -> "provider " + provider + " answered an undecodable body";
        case REJECTED -> "provider " + provider + " refused the gateway's credentials or plan";
        case UNSUPPORTED -> "provider " + provider + " does not offer this on the configured plan";
      };
    }

    public String provider() {
      return provider;
    }

    public UpstreamFailure kind() {
      return kind;
    }

    /** What the provider asked for (Retry-After), or null when it said nothing. */
    public Duration retryAfter() {
      return retryAfter;
    }
  }

  /** How an upstream call failed: the outcome tag of upstream metrics, too. */
  public enum UpstreamFailure {
    /** No answer within the configured timeout. */
    TIMEOUT("timeout"),
    /** 5xx, connection refused or reset, outage. */
    UNAVAILABLE("unavailable"),
    /** 429, or a rate-limit message in a 200 body. */
    RATE_LIMITED("rate_limited"),
    /** A body that does not decode or lacks what it must hold, or is too large. */
    MALFORMED("malformed"),
    /** The provider rejected our credentials or plan (401/403). */
    REJECTED("rejected"),
    /**
     * The provider does not offer this capability on the configured plan (Finnhub 403 on
     * candles, an Alpha Vantage premium endpoint, Polygon NOT_AUTHORIZED): not an outage;
     * routing skips to the next provider and need not open a circuit.
     */
    UNSUPPORTED("unsupported");

    private final String tag;

    UpstreamFailure(String tag) {
      this.tag = tag;
    }

    public String tag() {
      return tag;
    }
  }
}
