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

  /**
   * Whether the command never left this instance (the breaker skipped it): it cannot have
   * changed anything in Redis. Otherwise it may still run there, late (a frozen Redis works
   * through its backlog when it resumes).
   */
  public boolean notSent() {
    return getCause() instanceof io.github.resilience4j.circuitbreaker.CallNotPermittedException;
  }

  /** The operation that failed (as named in metrics). */
  public String op() {
    return op;
  }
}
