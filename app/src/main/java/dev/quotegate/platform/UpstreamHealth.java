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
 *
 * <p>Providers guarded by a circuit breaker {@linkplain #attach attach} a live view of their
 * guards: the details then show the circuit state (and cool-down, quota), and an open circuit
 * reports the provider {@code DEGRADED} too.
 */
public final class UpstreamHealth implements ReactiveHealthIndicator {

  /** A provider failing: the instance still serves from cache. */
  public static final Status DEGRADED = new Status("DEGRADED", "recent upstream calls failed");

  /** Live state of one provider's resilience guards. */
  public interface GuardView {
    /** The circuit state: {@code CLOSED}, {@code OPEN}, {@code HALF_OPEN}, {@code FORCED_OPEN}, ... */
    String circuit();

    /** Further details (failure rate, cool-down, quota), shown as they are. */
    Map<String, Object> details();
  }

  private final Map<String, State> states = new ConcurrentHashMap<>();
  private final Map<String, GuardView> guards = new ConcurrentHashMap<>();
  private final Clock clock;
  private final int threshold;

  public UpstreamHealth(Clock clock, int threshold) {
    this.clock = clock;
    this.threshold = threshold;
  }

  /** Shows {@code view} in {@code provider}'s details from now on. */
  public void attach(String provider, GuardView view) {
    guards.put(provider, view);
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
          java.util.Set<String> names = new java.util.TreeSet<>(states.keySet());
          names.addAll(guards.keySet());
          for (String name : names) {
            Map<String, Object> d = new TreeMap<>();
            boolean failing = false;
            State s = states.get(name);
            if (s != null) {
              int failures = s.consecutiveFailures.get();
              failing = failures >= threshold;
              d.put("lastOutcome", s.lastOutcome.get());
              d.put("consecutiveFailures", failures);
              if (s.lastSuccess.get() != null) {
                d.put("lastSuccess", s.lastSuccess.get().toString());
              }
              if (s.lastFailure.get() != null) {
                d.put("lastFailure", s.lastFailure.get().toString());
              }
            }
            GuardView guard = guards.get(name);
            if (guard != null) {
              String circuit = guard.circuit();
              failing |= "OPEN".equals(circuit) || "FORCED_OPEN".equals(circuit);
              d.putAll(guard.details());
            }
            d.put("status", failing ? DEGRADED.getCode() : Status.UP.getCode());
            degraded |= failing;
            details.put(name, d);
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
