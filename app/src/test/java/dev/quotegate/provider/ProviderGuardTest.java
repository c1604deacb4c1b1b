package dev.quotegate.provider;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quotegate.platform.GatewayException;
import dev.quotegate.platform.GatewayException.Upstream;
import dev.quotegate.platform.GatewayException.UpstreamFailure;
import dev.quotegate.testsupport.MutableClock;
import io.github.resilience4j.bulkhead.BulkheadRegistry;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import io.github.resilience4j.ratelimiter.RateLimiterRegistry;
import io.github.resilience4j.retry.RetryRegistry;
import io.github.resilience4j.timelimiter.TimeLimiterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.test.StepVerifier;

class ProviderGuardTest {

  private static final Duration TIMEOUT = Duration.ofSeconds(5);

  private final MutableClock clock = MutableClock.marketOpen();
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final AtomicInteger subscriptions = new AtomicInteger();

  /** Binds {@code quotegate.resilience.providers.p.*} from {@code settings} as the application would. */
  static ResilienceProperties.Policy policy(String... settings) {
    Map<String, String> map = new HashMap<>();
    for (int i = 0; i < settings.length; i += 2) {
      map.put("quotegate.resilience.providers.p." + settings[i], settings[i + 1]);
    }
    ResilienceProperties props =
        new Binder(new MapConfigurationPropertySource(map))
            .bindOrCreate("quotegate.resilience", ResilienceProperties.class);
    return props.policy("p");
  }

  private ProviderGuard guard(String... settings) {
    return guard(PlanLimits.NONE, settings);
  }

  /** A guard sized from {@code limits} (the provider's plan) and the resilience {@code settings}. */
  private ProviderGuard guard(PlanLimits limits, String... settings) {
    return ProviderGuard.of("p", policy(settings), limits, clock, registry, CircuitBreakerRegistry.ofDefaults(),
        RateLimiterRegistry.ofDefaults(), BulkheadRegistry.ofDefaults(), RetryRegistry.ofDefaults(),
        TimeLimiterRegistry.ofDefaults());
  }

  /** A call that fails with the given errors in turn, then answers "ok". */
  private Mono<String> call(RuntimeException... failures) {
    return Mono.defer(() -> {
      int n = subscriptions.getAndIncrement();
      return n < failures.length ? Mono.error(failures[n]) : Mono.just("ok");
    });
  }

  private static Upstream unavailable() {
    return new Upstream("p", UpstreamFailure.UNAVAILABLE, "HTTP 502");
  }

  private double calls(String outcome) {
    var c = registry.find("quotegate.provider.calls").tag("provider", "p").tag("outcome", outcome).counter();
    return c == null ? 0 : c.count();
  }

  @Test
  void retriesAnUnavailableProviderWithBackoffOnATimerThenSucceeds() {
    ProviderGuard guard = guard("max-attempts", "3", "retry-backoff", "200ms", "retry-jitter", "0");
    StepVerifier.withVirtualTime(() -> guard.apply(ProviderKind.QUOTES, 1, call(unavailable(), unavailable())))
        .expectSubscription()
        .expectNoEvent(Duration.ofMillis(199))
        .thenAwait(Duration.ofMillis(1))
        .expectNoEvent(Duration.ofMillis(399)) // second wait is doubled
        .thenAwait(Duration.ofMillis(1))
        .expectNext("ok")
        .expectComplete()
        .verify(TIMEOUT);
    assertThat(subscriptions).as("attempts").hasValue(3);
    assertThat(calls("success")).isEqualTo(1.0);
  }

  @Test
  void neverRetriesNotFoundMalformedRateLimitedRejectedOrTimeouts() {
    ProviderGuard guard = guard("max-attempts", "5", "retry-backoff", "1ms");
    for (RuntimeException e : new RuntimeException[] {
        new GatewayException.NotFound("X", "unknown"),
        new Upstream("p", UpstreamFailure.MALFORMED, "garbage"),
        new Upstream("p", UpstreamFailure.REJECTED, "HTTP 401"),
        new Upstream("p", UpstreamFailure.TIMEOUT, "slow"),
        new Upstream("p", UpstreamFailure.UNAVAILABLE, "HTTP 503", Duration.ofMillis(1), null)}) {
      subscriptions.set(0);
      guard.reset();
      StepVerifier.create(guard.apply(ProviderKind.QUOTES, 1, call(e, e, e)))
          .expectErrorSatisfies(err -> assertThat(err).as("error for %s", e.getMessage()).isSameAs(e))
          .verify(TIMEOUT);
      assertThat(subscriptions).as("attempts for %s", e.getMessage()).hasValue(1);
    }
  }

  @Test
  void timesOutAHangingCallAfterTheConfiguredTimeoutAndCancelsIt() {
    ProviderGuard guard = guard("timeout", "750ms");
    AtomicInteger cancelled = new AtomicInteger();
    StepVerifier.withVirtualTime(() -> guard.apply(ProviderKind.QUOTES, 1, Mono.<String>never().doOnCancel(cancelled::incrementAndGet)))
        .expectSubscription()
        .expectNoEvent(Duration.ofMillis(749))
        .thenAwait(Duration.ofMillis(1))
        .expectErrorSatisfies(e -> assertThat(e).isInstanceOfSatisfying(Upstream.class,
            u -> assertThat(u.kind()).isEqualTo(UpstreamFailure.TIMEOUT)))
        .verify(TIMEOUT);
    assertThat(cancelled).as("hanging upstream call cancelled").hasValue(1);
    assertThat(calls("timeout")).isEqualTo(1.0);
  }

  @Test
  void opensTheCircuitAfterFailuresThenRefusesWithoutCallingUntilTheOpenDurationPasses() {
    ProviderGuard guard = guard("max-attempts", "1", "sliding-window-size", "4", "minimum-calls", "4",
        "failure-rate-threshold", "50", "open-duration", "30s", "half-open-calls", "1");
    for (int i = 0; i < 4; i++) {
      StepVerifier.create(guard.apply(ProviderKind.QUOTES, 1, Mono.error(unavailable()))).expectError().verify(TIMEOUT);
    }
    assertThat(guard.circuitState()).isEqualTo("OPEN");
    assertThat(guard.refusal()).as("refused before calling").isNotNull();
    subscriptions.set(0);
    StepVerifier.create(guard.apply(ProviderKind.QUOTES, 1, call()))
        .expectErrorSatisfies(e -> assertThat(e).isInstanceOfSatisfying(Upstream.class, u -> {
          assertThat(u.getMessage()).contains("circuit open");
          assertThat(u.retryAfter()).isEqualTo(Duration.ofSeconds(30));
        }))
        .verify(TIMEOUT);
    assertThat(subscriptions).as("calls sent while open").hasValue(0);
    assertThat(calls("rejected")).isEqualTo(1.0);

    clock.advance(Duration.ofSeconds(31));
    assertThat(guard.refusal()).as("trial call allowed after the open duration").isNull();
    StepVerifier.create(guard.apply(ProviderKind.QUOTES, 1, call())).expectNext("ok").expectComplete().verify(TIMEOUT);
    assertThat(guard.circuitState()).as("closed again after a successful trial call").isEqualTo("CLOSED");
  }

  @Test
  void notFoundAndRateLimitsDoNotOpenTheCircuit() {
    ProviderGuard guard = guard("max-attempts", "1", "sliding-window-size", "4", "minimum-calls", "4", "cooldown-default", "0s");
    for (int i = 0; i < 8; i++) {
      RuntimeException e = i % 2 == 0 ? new GatewayException.NotFound("X", "unknown")
          : new Upstream("p", UpstreamFailure.RATE_LIMITED, "HTTP 429");
      StepVerifier.create(guard.apply(ProviderKind.QUOTES, 1, Mono.error(e))).expectError().verify(TIMEOUT);
    }
    assertThat(guard.circuitState()).isEqualTo("CLOSED");
  }

  @Test
  void a429WithRetryAfterCoolsTheProviderDownForThatLongWithoutSendingCalls() {
    ProviderGuard guard = guard("cooldown-max", "1m");
    StepVerifier.create(guard.apply(ProviderKind.QUOTES, 1,
            Mono.error(new Upstream("p", UpstreamFailure.RATE_LIMITED, "HTTP 429", Duration.ofSeconds(7), null))))
        .expectError().verify(TIMEOUT);
    subscriptions.set(0);
    clock.advance(Duration.ofSeconds(6));
    StepVerifier.create(guard.apply(ProviderKind.QUOTES, 1, call()))
        .expectErrorSatisfies(e -> assertThat(e).isInstanceOfSatisfying(Upstream.class, u -> {
          assertThat(u.kind()).isEqualTo(UpstreamFailure.RATE_LIMITED);
          assertThat(u.retryAfter()).isEqualTo(Duration.ofSeconds(1));
        }))
        .verify(TIMEOUT);
    assertThat(subscriptions).as("calls sent during the cool-down").hasValue(0);
    assertThat(calls("rejected")).isEqualTo(1.0);
    clock.advance(Duration.ofSeconds(1));
    StepVerifier.create(guard.apply(ProviderKind.QUOTES, 1, call())).expectNext("ok").expectComplete().verify(TIMEOUT);
  }

  @Test
  void aCoolDownNeverLastsLongerThanTheConfiguredMaximum() {
    ProviderGuard guard = guard("cooldown-max", "10s");
    StepVerifier.create(guard.apply(ProviderKind.QUOTES, 1,
            Mono.error(new Upstream("p", UpstreamFailure.UNAVAILABLE, "HTTP 503", Duration.ofHours(2), null))))
        .expectError().verify(TIMEOUT);
    assertThat(guard.refusal()).isNotNull();
    clock.advance(Duration.ofSeconds(10));
    assertThat(guard.refusal()).isNull();
  }

  @Test
  void theRateLimiterRefusesCallsBeyondThePlanWithoutSendingThem() {
    ProviderGuard guard = guard(new PlanLimits(0, 1, 0, 1, false), "rate-limit-wait", "0s");
    StepVerifier.create(guard.apply(ProviderKind.QUOTES, 1, call())).expectNext("ok").expectComplete().verify(TIMEOUT);
    StepVerifier.create(guard.apply(ProviderKind.QUOTES, 1, call()))
        .expectErrorSatisfies(e -> assertThat(e).isInstanceOfSatisfying(Upstream.class,
            u -> assertThat(u.kind()).isEqualTo(UpstreamFailure.RATE_LIMITED)))
        .verify(TIMEOUT);
    assertThat(subscriptions).as("calls sent").hasValue(1);
    assertThat(registry.find("quotegate.provider.rejections").tag("reason", "rate_limiter").counter().count()).isEqualTo(1.0);
  }

  @Test
  void theDailyQuotaRefusesWhenSpentAndRenewsAtMidnight() {
    ProviderGuard guard = guard(new PlanLimits(0, 0, 2, 1, false));
    for (int i = 0; i < 2; i++) {
      StepVerifier.create(guard.apply(ProviderKind.QUOTES, 1, call())).expectNext("ok").expectComplete().verify(TIMEOUT);
    }
    assertThat(guard.refusal()).as("refused once the quota is spent").isNotNull();
    StepVerifier.create(guard.apply(ProviderKind.QUOTES, 1, call())).expectError(Upstream.class).verify(TIMEOUT);
    assertThat(subscriptions).hasValue(2);
    clock.advance(Duration.ofDays(1));
    assertThat(guard.refusal()).isNull();
    StepVerifier.create(guard.apply(ProviderKind.QUOTES, 1, call())).expectNext("ok").expectComplete().verify(TIMEOUT);
  }

  @Test
  void aBatchOfAProviderThatChargesPerSymbolSpendsOneQuotaUnitPerSymbol() {
    ProviderGuard guard = guard(new PlanLimits(0, 0, 10, 8, true));
    // 8 symbols cost 8 of the 10 units a day; a second batch of 8 does not fit, one of 2 does
    StepVerifier.create(guard.apply(ProviderKind.QUOTES, 8, call())).expectNext("ok").expectComplete().verify(TIMEOUT);
    StepVerifier.create(guard.apply(ProviderKind.QUOTES, 8, call()))
        .expectErrorSatisfies(e -> assertThat(e).hasMessageContaining("quota")).verify(TIMEOUT);
    StepVerifier.create(guard.apply(ProviderKind.QUOTES, 2, call())).expectNext("ok").expectComplete().verify(TIMEOUT);
    assertThat(subscriptions).as("calls sent").hasValue(2);
    assertThat(guard.refusal()).as("quota spent").isNotNull();
  }

  @Test
  void aCoolDownShowsAsAnImpairmentThoughTheCircuitStaysClosed() {
    ProviderGuard guard = guard("cooldown-max", "1m");
    StepVerifier.create(guard.apply(ProviderKind.QUOTES, 1,
            Mono.error(new Upstream("p", UpstreamFailure.RATE_LIMITED, "HTTP 429", Duration.ofSeconds(7), null))))
        .expectError().verify(TIMEOUT);
    assertThat(guard.circuitState()).isEqualTo("CLOSED");
    assertThat(guard.impairment()).contains("cooling down");
    clock.advance(Duration.ofSeconds(8));
    assertThat(guard.impairment()).isNull();
  }

  @Test
  void theBulkheadRefusesCallsBeyondMaxConcurrentCalls() {
    ProviderGuard guard = guard("max-concurrent-calls", "1");
    Sinks.One<String> slow = Sinks.one();
    Supplier<Mono<String>> first = () -> guard.apply(ProviderKind.QUOTES, 1, slow.asMono());
    StepVerifier.create(first.get())
        .then(() -> StepVerifier.create(guard.apply(ProviderKind.QUOTES, 1, call()))
            .expectErrorSatisfies(e -> assertThat(e).hasMessageContaining("bulkhead"))
            .verify(TIMEOUT))
        .then(() -> slow.tryEmitValue("slow"))
        .expectNext("slow")
        .expectComplete()
        .verify(TIMEOUT);
    StepVerifier.create(guard.apply(ProviderKind.QUOTES, 1, call())).expectNext("ok").expectComplete().verify(TIMEOUT);
  }

  @Test
  void settingsOfOneProviderOverrideDefaultsWhichOverrideBuiltIns() {
    Map<String, String> map = Map.of(
        "quotegate.resilience.defaults.timeout", "2s",
        "quotegate.resilience.defaults.max-attempts", "4",
        "quotegate.resilience.providers.slow.timeout", "9s");
    ResilienceProperties props = new Binder(new MapConfigurationPropertySource(map))
        .bindOrCreate("quotegate.resilience", ResilienceProperties.class);
    assertThat(props.policy("slow").timeout()).isEqualTo(Duration.ofSeconds(9));
    assertThat(props.policy("slow").maxAttempts()).isEqualTo(4);
    assertThat(props.policy("other").timeout()).isEqualTo(Duration.ofSeconds(2));
    assertThat(props.policy("other").openDuration()).isEqualTo(ResilienceProperties.Policy.BUILT_IN.openDuration());
  }
}
