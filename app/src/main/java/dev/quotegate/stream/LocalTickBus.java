package dev.quotegate.stream;

import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * The bus of a single instance (no Redis configured): every instance polls for itself and
 * fans ticks out only to its own clients, so there is nothing to carry.
 */
final class LocalTickBus implements TickBus, PollLease {

  @Override
  public Mono<Void> publish(QuoteTick tick) {
    return Mono.empty();
  }

  @Override
  public Mono<Void> follow(String symbol) {
    return Mono.empty();
  }

  @Override
  public Mono<Void> unfollow(String symbol) {
    return Mono.empty();
  }

  @Override
  public Flux<QuoteTick> received() {
    return Flux.never();
  }

  @Override
  public Mono<QuoteTick> last(String symbol) {
    return Mono.empty();
  }

  @Override
  public boolean shared() {
    return false;
  }

  @Override
  public Mono<java.util.Set<String>> hold(java.util.Collection<String> symbols) {
    return Mono.just(java.util.Set.copyOf(symbols));
  }

  @Override
  public Mono<Void> release(java.util.Collection<String> symbols) {
    return Mono.empty();
  }

  @Override
  public java.time.Duration renewInterval() {
    return null;
  }
}
