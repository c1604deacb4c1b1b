package dev.quotegate.provider;

import dev.quotegate.platform.GatewayException;
import dev.quotegate.platform.GatewayException.Upstream;
import dev.quotegate.platform.GatewayException.UpstreamFailure;
import dev.quotegate.provider.ResilienceProperties.Policy;
import io.github.resilience4j.bulkhead.Bulkhead;
import io.github.resilience4j.bulkhead.BulkheadConfig;
import io.github.resilience4j.bulkhead.BulkheadFullException;
import io.github.resilience4j.bulkhead.BulkheadRegistry;
import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import io.github.resilience4j.core.IntervalFunction;
import io.github.resilience4j.ratelimiter.RateLimiter;
import io.github.resilience4j.ratelimiter.RateLimiterConfig;
import io.github.resilience4j.ratelimiter.RateLimiterRegistry;
import io.github.resilience4j.ratelimiter.RequestNotPermitted;
import io.github.resilience4j.reactor.bulkhead.operator.BulkheadOperator;
import io.github.resilience4j.reactor.circuitbreaker.operator.CircuitBreakerOperator;
import io.github.resilience4j.reactor.ratelimiter.operator.RateLimiterOperator;
import io.github.resilience4j.reactor.retry.RetryOperator;
import io.github.resilience4j.reactor.timelimiter.TimeLimiterOperator;
import io.github.resilience4j.retry.Retry;
import io.github.resilience4j.retry.RetryConfig;
import io.github.resilience4j.retry.RetryRegistry;
import io.github.resilience4j.timelimiter.TimeLimiter;
import io.github.resilience4j.timelimiter.TimeLimiterConfig;
import io.github.resilience4j.timelimiter.TimeLimiterRegistry;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;

/**
 * The resilience guards of one provider, shared by every capability it serves (a plan's
 * limits count all its calls). {@link #apply} wraps one idempotent read in this order,
 * outermost first:
 *
 * <ol>
 *   <li><b>retry</b> (exponential backoff with jitter, retryable failures only) around each
 *       attempt, which goes through:
 *   <li><b>cool-down</b> ({@link Cooldown}): while a 429 or a 503 with Retry-After is being
 *       honoured, the attempt is refused without a call;
 *   <li><b>circuit breaker</b>: refuses attempts while open; records each attempt's outcome,
 *       slow calls included ({@code slowCallDuration}), so a hanging provider opens it;
 *   <li><b>rate limiters</b> (per second, per minute, sized from the provider's {@link
 *       PlanLimits}): the call's cost in permits per attempt, waiting at most {@code
 *       rateLimitWait} on a timer;
 *   <li><b>bulkhead</b>: at most {@code maxConcurrentCalls} attempts in flight;
 *   <li><b>daily quota</b> (from the plan limits): the call's cost per attempt actually sent;
 *   <li><b>time limiter</b>: the attempt fails as a timeout after {@code timeout}, which
 *       cancels the upstream request.
 * </ol>
 *
 * The cost of a call is one, or the number of symbols of a batch for a provider that charges
 * per symbol (Twelve Data's credits).
 *
 * Refusals (cool-down, open circuit, rate limiter, bulkhead, quota) send nothing upstream,
 * are never retried and are not failures of the provider for the circuit breaker; they come
 * out as {@link Upstream} errors whose cause is a {@link Refused}, with a Retry-After.
 */
final class ProviderGuard {

  private static final Logger log = LoggerFactory.getLogger(ProviderGuard.class);

  /** Why a call was not sent. */
  enum Reason {
    CIRCUIT_OPEN,
    COOLDOWN,
    RATE_LIMITER,
    BULKHEAD,
    QUOTA;

    String tag() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /** A call the gateway did not send: why, how to report it and when to come back. */
  static final class Refused extends RuntimeException {
    private static final long serialVersionUID = 1L;
    final transient Reason reason;
    final transient UpstreamFailure kind;
    final transient Duration retryAfter;

    Refused(String provider, Reason reason, UpstreamFailure kind, Duration retryAfter) {
      super(provider + ": not called (" + reason.tag() + ")", null, false, false);
      this.reason = reason;
      this.kind = kind;
      this.retryAfter = retryAfter;
    }
  }

  private final String name;
  private final Policy policy;
  private final PlanLimits limits;
  private final Clock clock;
  private final MeterRegistry registry;
  private final CircuitBreaker circuit;
  private final RateLimiter perSecond;
  private final RateLimiter perMinute;
  private final Bulkhead bulkhead;
  private final Retry retry;
  private final TimeLimiter timeLimiter;
  private final DailyQuota quota;
  private final Cooldown cooldown;
  private volatile Instant openedAt;
  private final Map<String, Counter> counters = new ConcurrentHashMap<>();

  /**
   * A guard with the policy's resilience4j components, registered in the given registries,
   * and rate limits and a daily quota sized from the provider's plan ({@code limits}).
   */
  static ProviderGuard of(
      String name,
      Policy policy,
      PlanLimits limits,
      Clock clock,
      MeterRegistry registry,
      CircuitBreakerRegistry circuits,
      RateLimiterRegistry limiters,
      BulkheadRegistry bulkheads,
      RetryRegistry retries,
      TimeLimiterRegistry timeLimiters) {
    return new ProviderGuard(name, policy, limits, clock, registry, circuits, limiters, bulkheads, retries, timeLimiters);
  }

  private ProviderGuard(
      String name,
      Policy policy,
      PlanLimits limits,
      Clock clock,
      MeterRegistry registry,
      CircuitBreakerRegistry circuits,
      RateLimiterRegistry limiters,
      BulkheadRegistry bulkheads,
      RetryRegistry retries,
      TimeLimiterRegistry timeLimiters) {
    this.name = name;
    this.policy = policy;
    this.limits = limits;
    this.clock = clock;
    this.registry = registry;
    this.cooldown = new Cooldown(clock, policy.cooldownDefault(), policy.cooldownMax());
    this.circuit =
        circuits.circuitBreaker(
            name,
            CircuitBreakerConfig.custom()
                .slidingWindowType(CircuitBreakerConfig.SlidingWindowType.COUNT_BASED)
                .slidingWindowSize(policy.slidingWindowSize())
                .minimumNumberOfCalls(policy.minimumCalls())
                .failureRateThreshold(policy.failureRateThreshold())
                .slowCallDurationThreshold(policy.slowCallDuration())
                .slowCallRateThreshold(policy.slowCallRateThreshold())
                .waitDurationInOpenState(policy.openDuration())
                .permittedNumberOfCallsInHalfOpenState(policy.halfOpenCalls())
                .clock(clock)
                .recordException(ProviderGuard::isProviderFailure)
                .ignoreException(ProviderGuard::isNotAProviderFailure)
                .build());
    circuit
        .getEventPublisher()
        .onStateTransition(
            e -> {
              CircuitBreaker.State to = e.getStateTransition().getToState();
              if (to == CircuitBreaker.State.OPEN || to == CircuitBreaker.State.FORCED_OPEN) {
                openedAt = clock.instant();
              }
              counter(ProviderMeters.TRANSITIONS, "to", to.name().toLowerCase(Locale.ROOT)).increment();
              log.warn("provider {}: circuit {}", name, e.getStateTransition());
            });
    // Smooth limiters (one permit every period/N) never exceed N calls in any rolling period,
    // which is how providers count; a fixed window would allow 2N across a window boundary.
    this.perSecond = limiter(limiters, name + ".per-second", limits.requestsPerSecond(), Duration.ofSeconds(1), policy.rateLimitWait());
    this.perMinute = limiter(limiters, name + ".per-minute", limits.requestsPerMinute(), Duration.ofMinutes(1), policy.rateLimitWait());
    this.bulkhead =
        bulkheads.bulkhead(
            name,
            BulkheadConfig.custom()
                .maxConcurrentCalls(policy.maxConcurrentCalls())
                .maxWaitDuration(Duration.ZERO)
                .build());
    this.retry =
        retries.retry(
            name,
            RetryConfig.custom()
                .maxAttempts(policy.maxAttempts())
                .intervalFunction(
                    IntervalFunction.ofExponentialRandomBackoff(
                        policy.retryBackoff(), policy.retryMultiplier(), policy.retryJitter(), policy.retryMaxBackoff()))
                .retryOnException(ProviderGuard::isRetryable)
                .failAfterMaxAttempts(false)
                .build());
    this.timeLimiter =
        timeLimiters.timeLimiter(
            name, TimeLimiterConfig.custom().timeoutDuration(policy.timeout()).cancelRunningFuture(true).build());
    this.quota = limits.requestsPerDay() > 0 ? new DailyQuota(limits.requestsPerDay(), policy.quotaZone(), clock) : null;
    if (quota != null) {
      Gauge.builder(ProviderMeters.QUOTA_REMAINING, quota, q -> q.limit() - q.used())
          .description("Calls left today under the provider's daily quota")
          .tag("provider", name)
          .register(registry);
    }
    Gauge.builder(ProviderMeters.COOLING_DOWN, this, g -> g.coolingDown() != null ? 1 : 0)
        .description("1 while a cool-down asked for by the provider is in force")
        .tag("provider", name)
        .register(registry);
  }

  private static RateLimiter limiter(RateLimiterRegistry limiters, String id, int perPeriod, Duration period, Duration wait) {
    if (perPeriod <= 0) {
      return null;
    }
    Duration every = period.dividedBy(perPeriod);
    return limiters.rateLimiter(
        id,
        RateLimiterConfig.custom()
            .limitForPeriod(1)
            .limitRefreshPeriod(every.isZero() ? Duration.ofNanos(1) : every)
            .timeoutDuration(wait)
            .build());
  }

  String name() {
    return name;
  }

  /** The provider failed (counts against its circuit): 5xx, timeout, garbage, refused credentials. */
  static boolean isProviderFailure(Throwable e) {
    if (e instanceof Upstream u) {
      return u.kind() != UpstreamFailure.RATE_LIMITED;
    }
    return !(e instanceof GatewayException) && !isNotAProviderFailure(e);
  }

  /** Neither success nor failure for the circuit: our own refusals and 429s (the cool-down handles those). */
  static boolean isNotAProviderFailure(Throwable e) {
    return e instanceof Refused
        || e instanceof RequestNotPermitted
        || e instanceof BulkheadFullException
        || e instanceof CallNotPermittedException
        || e instanceof GatewayException.Overloaded
        || (e instanceof Upstream u && u.kind() == UpstreamFailure.RATE_LIMITED);
  }

  /** Worth another attempt: the provider was unavailable and did not say when to come back. */
  static boolean isRetryable(Throwable e) {
    return e instanceof Upstream u && u.kind() == UpstreamFailure.UNAVAILABLE && u.retryAfter() == null;
  }

  /**
   * Wraps one idempotent read costing {@code cost} units of the plan (1, or a batch's symbols
   * for a provider that charges per symbol) in the guards (see the class description). The
   * returned Mono fails with {@link Upstream} for every failure and refusal, or with the call's
   * own {@link GatewayException.NotFound}.
   */
  <T> Mono<T> apply(ProviderKind<?> capability, int cost, Mono<T> call) {
    int permits = Math.max(1, cost);
    Mono<T> attempt =
        call.transformDeferred(TimeLimiterOperator.of(timeLimiter))
            .onErrorMap(TimeoutException.class, e -> new Upstream(name, UpstreamFailure.TIMEOUT,
                "no answer within " + policy.timeout().toMillis() + " ms", null, null))
            .doOnError(this::noteCooldown);
    if (quota != null) {
      Mono<T> inner = attempt;
      attempt = Mono.defer(() -> quota.tryAcquire(permits) ? inner : Mono.error(refused(Reason.QUOTA)));
    }
    attempt = attempt.transformDeferred(BulkheadOperator.of(bulkhead));
    if (perMinute != null) {
      attempt = attempt.transformDeferred(RateLimiterOperator.of(perMinute, permits));
    }
    if (perSecond != null) {
      attempt = attempt.transformDeferred(RateLimiterOperator.of(perSecond, permits));
    }
    attempt = attempt.transformDeferred(CircuitBreakerOperator.of(circuit));
    Mono<T> perAttempt = attempt;
    return Mono.defer(
            () -> {
              Refused r = coolingDown();
              return r != null ? Mono.<T>error(r) : perAttempt;
            })
        .transformDeferred(RetryOperator.of(retry))
        .doOnSuccess(v -> count(capability, "success"))
        .onErrorMap(e -> !(e instanceof GatewayException), this::translate)
        .doOnError(e -> count(capability, outcome(e)));
  }

  /** Why a call would be refused right now without being sent, or null if it may go. */
  Refused refusal() {
    Refused r = coolingDown();
    if (r != null) {
      return r;
    }
    if (quota != null && quota.spent()) {
      return refused(Reason.QUOTA);
    }
    CircuitBreaker.State state = circuit.getState();
    if (state == CircuitBreaker.State.FORCED_OPEN
        || (state == CircuitBreaker.State.OPEN && openRemaining().compareTo(Duration.ZERO) > 0)) {
      return refused(Reason.CIRCUIT_OPEN);
    }
    return null;
  }

  /** Counts a call not sent because {@link #refusal()} refused it. */
  void countRefusal(ProviderKind<?> capability, Refused r) {
    counter(ProviderMeters.REJECTIONS, "reason", r.reason.tag()).increment();
    count(capability, "rejected");
  }

  /** Counts that a request moved on from this provider to the next in its chain. */
  void countFallback(ProviderKind<?> capability) {
    count(capability, "fallback");
  }

  /** Closes the circuit, ends the cool-down and renews the quota (operators, tests). */
  void reset() {
    circuit.reset();
    cooldown.reset();
    if (quota != null) {
      quota.reset();
    }
  }

  /** The circuit state name ({@code CLOSED}, {@code OPEN}, {@code HALF_OPEN}, ...). */
  String circuitState() {
    return circuit.getState().name();
  }

  /**
   * Why this provider cannot be counted on right now, or null: its circuit is open, it is
   * cooling down (refused calls are not failures for the breaker, so a 429 storm would
   * otherwise never show), its daily quota is spent, or most of its recent calls failed.
   */
  String impairment() {
    CircuitBreaker.State state = circuit.getState();
    if (state == CircuitBreaker.State.OPEN || state == CircuitBreaker.State.FORCED_OPEN) {
      return "circuit open";
    }
    if (cooldown.remaining() != null) {
      return "cooling down after " + (cooldown.kind() == UpstreamFailure.RATE_LIMITED ? "a 429" : "a 503 with Retry-After");
    }
    if (quota != null && quota.spent()) {
      return "daily quota spent";
    }
    if (state == CircuitBreaker.State.HALF_OPEN) {
      return "circuit half-open";
    }
    return null;
  }

  /** The plan limits the guards were sized from. */
  PlanLimits limits() {
    return limits;
  }

  /** The effective resilience policy. */
  Policy policy() {
    return policy;
  }

  /** Live state for the health endpoint. */
  Map<String, Object> details() {
    Map<String, Object> d = new LinkedHashMap<>();
    CircuitBreaker.Metrics m = circuit.getMetrics();
    d.put("circuit", circuit.getState().name());
    d.put("failureRate", m.getFailureRate());
    d.put("bufferedCalls", m.getNumberOfBufferedCalls());
    d.put("failedCalls", m.getNumberOfFailedCalls());
    d.put("notPermittedCalls", m.getNumberOfNotPermittedCalls());
    if (circuit.getState() == CircuitBreaker.State.OPEN) {
      d.put("retryAfterMs", openRemaining().toMillis());
    }
    Instant until = cooldown.until();
    if (until != null) {
      d.put("cooldownUntil", until.toString());
    }
    String impaired = impairment();
    if (impaired != null) {
      d.put("impaired", impaired);
    }
    if (quota != null) {
      d.put("quotaUsed", quota.used());
      d.put("quotaLimit", quota.limit());
    }
    d.put("bulkheadAvailable", bulkhead.getMetrics().getAvailableConcurrentCalls());
    return d;
  }

  private Duration openRemaining() {
    Instant since = openedAt;
    if (since == null) {
      return Duration.ZERO;
    }
    Duration left = Duration.between(clock.instant(), since.plus(policy.openDuration()));
    return left.isNegative() ? Duration.ZERO : left;
  }

  private Refused coolingDown() {
    Duration left = cooldown.remaining();
    if (left == null) {
      return null;
    }
    return new Refused(name, Reason.COOLDOWN, cooldown.kind(), wholeSeconds(left));
  }

  /** A 429, or a 503 with Retry-After: stop sending for as long as the provider asked. */
  private void noteCooldown(Throwable e) {
    Duration opened = cooldown.note(e);
    if (opened != null) {
      Upstream u = (Upstream) e;
      log.info("provider {}: cooling down for {} ms after {}", name, opened.toMillis(), u.getMessage());
      counter(ProviderMeters.COOLDOWNS, "reason", u.kind().tag()).increment();
    }
  }

  private Refused refused(Reason reason) {
    if (reason == Reason.QUOTA) {
      return new Refused(name, reason, UpstreamFailure.RATE_LIMITED, wholeSeconds(quota.untilReset()));
    }
    if (reason == Reason.CIRCUIT_OPEN) {
      Duration left = openRemaining();
      return new Refused(name, reason, UpstreamFailure.UNAVAILABLE, wholeSeconds(left));
    }
    if (reason == Reason.RATE_LIMITER) {
      return new Refused(name, reason, UpstreamFailure.RATE_LIMITED, Duration.ofSeconds(1));
    }
    return new Refused(name, reason, UpstreamFailure.UNAVAILABLE, Duration.ofSeconds(1));
  }

  /** Retry-After is whole seconds: round up, so a client never comes back before the provider may be called. */
  private static Duration wholeSeconds(Duration d) {
    long s = d.getSeconds() + (d.getNano() > 0 ? 1 : 0);
    return Duration.ofSeconds(Math.max(1, s));
  }

  /** Every non-domain error becomes an {@link Upstream}; refusals keep their {@link Refused} as cause. */
  private Throwable translate(Throwable e) {
    Refused r;
    if (e instanceof Refused refused) {
      r = refused;
    } else if (e instanceof CallNotPermittedException) {
      r = refused(Reason.CIRCUIT_OPEN);
    } else if (e instanceof RequestNotPermitted) {
      r = refused(Reason.RATE_LIMITER);
    } else if (e instanceof BulkheadFullException) {
      r = refused(Reason.BULKHEAD);
    } else {
      log.warn("provider {}: unexpected failure", name, e);
      return new Upstream(name, UpstreamFailure.UNAVAILABLE, "unexpected " + e.getClass().getSimpleName(), null, e);
    }
    counter(ProviderMeters.REJECTIONS, "reason", r.reason.tag()).increment();
    String why = "not called: " + r.reason.tag().replace('_', ' ');
    return new Upstream(name, r.kind, why, r.retryAfter, r, "provider " + name + " " + why);
  }

  private static String outcome(Throwable e) {
    if (e instanceof Upstream u) {
      if (u.getCause() instanceof Refused) {
        return "rejected";
      }
      if (u.kind() == UpstreamFailure.TIMEOUT) {
        return "timeout";
      }
      if (u.kind() == UpstreamFailure.RATE_LIMITED) {
        return "rate_limited";
      }
      if (u.kind() == UpstreamFailure.MALFORMED) {
        return "malformed";
      }
      return "error";
    }
    if (e instanceof GatewayException.NotFound) {
      return "not_found";
    }
    if (e instanceof GatewayException.Overloaded) {
      return "rejected";
    }
    return "error";
  }

  private void count(ProviderKind<?> capability, String outcome) {
    counters
        .computeIfAbsent(
            capability.key() + '|' + outcome,
            k ->
                Counter.builder(ProviderMeters.CALLS)
                    .description("Guarded provider calls by outcome (after retries), and fallbacks")
                    .tag("provider", name)
                    .tag("capability", capability.key())
                    .tag("outcome", outcome)
                    .register(registry))
        .increment();
  }

  private Counter counter(String meter, String tag, String value) {
    return counters.computeIfAbsent(
        meter + '|' + value,
        k -> Counter.builder(meter).tag("provider", name).tag(tag, value).register(registry));
  }
}
