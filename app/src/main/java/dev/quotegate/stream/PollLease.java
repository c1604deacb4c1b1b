package dev.quotegate.stream;

import java.util.Collection;
import java.util.Set;
import reactor.core.publisher.Mono;

/**
 * Decides which instance polls a symbol: the holder of its lease. Holding is renewed
 * periodically; a lease not renewed expires and another instance takes it over.
 */
public interface PollLease {

  /**
   * Acquires or renews the leases of {@code symbols}; answers the subset this instance now
   * holds.
   */
  Mono<Set<String>> hold(Collection<String> symbols);

  /** Gives up the leases this instance holds among {@code symbols}. */
  Mono<Void> release(Collection<String> symbols);

  /** How often {@link #hold} must be called to keep leases (null: never expires). */
  java.time.Duration renewInterval();
}
