package dev.quotegate.platform.redis;

/**
 * A Redis call failed: timed out, refused, disconnected, or skipped by the circuit breaker.
 * Never reaches a client: callers fail open (and count it).
 */
public final class RedisUnavailableException extends RuntimeException {

  private final String op;

  RedisUnavailableException(String op, String message, Throwable cause) {
    super("redis " + op + ": " + message, cause, false, false);
    this.op = op;
  }

  /** The operation that failed (as named in metrics). */
  public String op() {
    return op;
  }
}
