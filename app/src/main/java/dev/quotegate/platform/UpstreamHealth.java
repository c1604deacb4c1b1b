package dev.quotegate.platform;

import java.time.Clock;
import java.time.Instant;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.ReactiveHealthIndicator;
import org.springframework.boot.health.contributor.Status;
import reactor.core.publisher.Mono;

/**
 * Passive upstream health: what the last real calls to each provider did. It never calls a
 * provider itself (a probe would spend the provider's quota and skew the simulator's call
 * counts). A provider whose last {@code threshold} calls all failed is reported
 * {@code DEGRADED}: the gateway still serves (cached and stale values), so this status maps to
 * HTTP 200 and does not take the instance out of a load balancer.
 */
public final class UpstreamHealth implements ReactiveHealthIndicator {

  /** A provider failing: the instance still serves from cache. */
  public static final Status DEGRADED = new Status("DEGRADED", "recent upstream calls failed");

  private final Map<String, State> states = new ConcurrentHashMap<>();
  private final Clock clock;
  private final int threshold;

  public UpstreamHealth(Clock clock, int threshold) {
    this.clock = clock;
    this.threshold = threshold;
  }

  void record(String provider, String outcome) {
    State s = states.computeIfAbsent(provider, p -> new State());
    Instant now = clock.instant();
    s.lastOutcome.set(outcome);
    if ("success".equals(outcome)) {
      s.consecutiveFailures.set(0);
      s.lastSuccess.set(now);
    } else if (!"cancelled".equals(outcome) && !"unsupported".equals(outcome)) {
      // "unsupported" is a plan limit (a capability the provider does not sell us), not an outage.
      s.consecutiveFailures.incrementAndGet();
      s.lastFailure.set(now);
    }
  }

  @Override
  public Mono<Health> health() {
    return Mono.fromSupplier(
        () -> {
          boolean degraded = false;
          Map<String, Object> details = new TreeMap<>();
          for (Map.Entry<String, State> e : states.entrySet()) {
            State s = e.getValue();
            int failures = s.consecutiveFailures.get();
            boolean failing = failures >= threshold;
            degraded |= failing;
            Map<String, Object> d = new TreeMap<>();
            d.put("status", failing ? DEGRADED.getCode() : Status.UP.getCode());
            d.put("lastOutcome", s.lastOutcome.get());
            d.put("consecutiveFailures", failures);
            if (s.lastSuccess.get() != null) {
              d.put("lastSuccess", s.lastSuccess.get().toString());
            }
            if (s.lastFailure.get() != null) {
              d.put("lastFailure", s.lastFailure.get().toString());
            }
            details.put(e.getKey(), d);
          }
          return Health.status(degraded ? DEGRADED : Status.UP).withDetails(details).build();
        });
  }

  private static final class State {
    final AtomicReference<String> lastOutcome = new AtomicReference<>();
    final AtomicInteger consecutiveFailures = new AtomicInteger();
    final AtomicReference<Instant> lastSuccess = new AtomicReference<>();
    final AtomicReference<Instant> lastFailure = new AtomicReference<>();
  }
}
