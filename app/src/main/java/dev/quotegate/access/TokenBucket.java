package dev.quotegate.access;

import java.util.concurrent.atomic.AtomicReference;

/**
 * An in-process token bucket, lock-free (one compare-and-set per take): the fallback of the
 * Redis buckets, and the only buckets without Redis. Same arithmetic as the Redis script.
 */
final class TokenBucket {

  private record State(double tokens, long nanos) {}

  private final double perNano;
  private final int burst;
  private final AtomicReference<State> state;

  TokenBucket(double requestsPerSecond, int burst, long nowNanos) {
    this.perNano = requestsPerSecond / 1e9;
    this.burst = burst;
    this.state = new AtomicReference<>(new State(burst, nowNanos));
  }

  /** Takes {@code cost} tokens when there are that many. */
  RateDecision take(int cost, long nowNanos) {
    while (true) {
      State s = state.get();
      long elapsed = Math.max(0, nowNanos - s.nanos());
      double tokens = Math.min(burst, s.tokens() + elapsed * perNano);
      boolean allowed = tokens >= cost;
      double left = allowed ? tokens - cost : tokens;
      if (state.compareAndSet(s, new State(left, Math.max(nowNanos, s.nanos())))) {
        long waitMillis = allowed ? 0 : (long) Math.ceil((cost - tokens) / (perNano * 1e6));
        return new RateDecision(allowed, (long) Math.floor(left), waitMillis, false);
      }
    }
  }
}
