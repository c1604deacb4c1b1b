package dev.quotegate.platform;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
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
 * guards: the details then show the circuit state (and cool-down, quota), and a provider that
 * cannot be counted on right now (open circuit, cool-down after a 429 or a 503, quota spent:
 * refused calls are not failures for the breaker, so a 429 storm shows only here) is {@code
 * DEGRADED}, with the reason. When no provider of the quote chain can be called at all, the
 * component is {@code DOWN}: the instance can serve nothing new (cached values still go out).
 * Another kind's chain with no provider left is {@code DEGRADED}. Status changes are counted
 * ({@code quotegate.upstream.health.changes{status}}) and logged.
 */
public final class UpstreamHealth implements ReactiveHealthIndicator {

  private static final Logger log = LoggerFactory.getLogger(UpstreamHealth.class);

  /** A provider failing: the instance still serves from cache. */
  public static final Status DEGRADED = new Status("DEGRADED", "recent upstream calls failed");

  /** Live state of one provider's resilience guards. */
  public interface GuardView {
    /** The circuit state: {@code CLOSED}, {@code OPEN}, {@code HALF_OPEN}, {@code FORCED_OPEN}, ... */
    String circuit();

    /** Further details (failure rate, cool-down, quota), shown as they are. */
    Map<String, Object> details();

    /** Why the provider cannot be counted on right now (circuit open, cooling down, quota spent), or null. */
    String impairment();

    /** Whether a call would be refused now without being sent. */
    boolean refusing();
  }

  /** The chain whose exhaustion takes the component DOWN. */
  public static final String CORE_CHAIN = "quotes";

  private final Map<String, State> states = new ConcurrentHashMap<>();
  private final Map<String, GuardView> guards = new ConcurrentHashMap<>();
  private final Clock clock;
  private final int threshold;
  private volatile Supplier<Map<String, List<String>>> chains = Map::of;
  private final AtomicReference<String> lastStatus = new AtomicReference<>(Status.UP.getCode());
  private final MeterRegistry registry;

  public UpstreamHealth(Clock clock, int threshold) {
    this(clock, threshold, null);
  }

  public UpstreamHealth(Clock clock, int threshold, MeterRegistry registry) {
    this.clock = clock;
    this.threshold = threshold;
    this.registry = registry;
  }

  /** The chains by kind of data ({@code quotes -> [yahoo, sim]}), judged for DOWN. */
  public void chains(Supplier<Map<String, List<String>>> chains) {
    this.chains = chains;
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
              if (failing) {
                d.put("reason", "the last " + failures + " calls failed");
              }
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
              String impairment = guard.impairment();
              if (impairment != null) {
                failing = true;
                d.put("reason", impairment);
              }
              d.putAll(guard.details());
            }
            d.put("status", failing ? DEGRADED.getCode() : Status.UP.getCode());
            degraded |= failing;
            details.put(name, d);
          }
          boolean down = false;
          Map<String, String> exhausted = new TreeMap<>();
          for (Map.Entry<String, List<String>> chain : chains.get().entrySet()) {
            List<String> members = chain.getValue();
            if (members.isEmpty()) {
              continue;
            }
            boolean anyCallable = false;
            for (String m : members) {
              GuardView g = guards.get(m);
              anyCallable |= g == null || !g.refusing();
            }
            if (!anyCallable) {
              exhausted.put(chain.getKey(), "no provider of " + members + " can be called now");
              down |= CORE_CHAIN.equals(chain.getKey());
              degraded = true;
            }
          }
          if (!exhausted.isEmpty()) {
            details.put("chains", exhausted);
          }
          Status status = down ? Status.DOWN : degraded ? DEGRADED : Status.UP;
          noteStatus(status);
          return Health.status(status).withDetails(details).build();
        });
  }

  private void noteStatus(Status status) {
    String previous = lastStatus.getAndSet(status.getCode());
    if (!status.getCode().equals(previous)) {
      log.info("upstream health: {} -> {}", previous, status.getCode());
      if (registry != null) {
        Counter.builder("quotegate.upstream.health.changes")
            .description("Changes of the upstream health status, by the status changed to")
            .tag("status", status.getCode())
            .register(registry)
            .increment();
      }
    }
  }

  private static final class State {
    final AtomicReference<String> lastOutcome = new AtomicReference<>();
    final AtomicInteger consecutiveFailures = new AtomicInteger();
    final AtomicReference<Instant> lastSuccess = new AtomicReference<>();
    final AtomicReference<Instant> lastFailure = new AtomicReference<>();
  }
}
