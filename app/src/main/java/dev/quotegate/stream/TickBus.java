package dev.quotegate.stream;

import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Carries ticks between instances. The instance polling a symbol publishes its ticks; every
 * instance with subscribers to that symbol follows it and fans the ticks out to its own
 * clients. {@link LocalTickBus} is the single-instance bus (nothing to carry); the Redis one
 * uses pub/sub.
 */
public interface TickBus {

  /** Sends a tick this instance produced to the other instances following its symbol. */
  Mono<Void> publish(QuoteTick tick);

  /** Starts receiving ticks other instances publish for {@code symbol}. */
  Mono<Void> follow(String symbol);

  /** Stops receiving ticks for {@code symbol}. */
  Mono<Void> unfollow(String symbol);

  /** Ticks of followed symbols published by other instances. Subscribed once, by the hub. */
  Flux<QuoteTick> received();

  /** The last tick any instance published for {@code symbol}, for snapshots; empty if none. */
  Mono<QuoteTick> last(String symbol);

  /** Whether ticks travel between instances (false for the single-instance bus). */
  boolean shared();
}
