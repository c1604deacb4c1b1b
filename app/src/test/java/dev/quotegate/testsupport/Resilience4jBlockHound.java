package dev.quotegate.testsupport;

import reactor.blockhound.BlockHound;
import reactor.blockhound.integration.BlockHoundIntegration;

/**
 * Allows the one short lock resilience4j's circuit breaker takes when an open circuit turns
 * half-open: a compare-and-set and the state change under a {@code ReentrantLock}, held for
 * microseconds and never across I/O. Contended, it parks for that long, which BlockHound would
 * report as a blocking call on a non-blocking thread.
 */
public final class Resilience4jBlockHound implements BlockHoundIntegration {

  @Override
  public void applyTo(BlockHound.Builder builder) {
    builder.allowBlockingCallsInside(
        "io.github.resilience4j.circuitbreaker.internal.CircuitBreakerStateMachine$OpenState", "toHalfOpenState");
  }
}
