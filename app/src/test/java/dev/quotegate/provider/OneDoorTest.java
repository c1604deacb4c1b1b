package dev.quotegate.provider;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quotegate.calendar.BarInterval;
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
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;

/**
 * The router is the one door for every kind of data: for each kind, a call is rate-limited
 * and quota-counted from the provider's plan, fails over to the next provider of its chain,
 * skips a provider that cannot serve the symbol, and ends as one clear error when the chain
 * is exhausted.
 */
class OneDoorTest {

  private static final Duration TIMEOUT = Duration.ofSeconds(5);

  private final MutableClock clock = MutableClock.marketOpen();
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

  /** A provider of every kind of data, counting calls, failing on demand. */
  static final class Everything
      implements QuoteProvider, BarProvider, ProfileProvider, NewsProvider, SearchProvider, UniverseProvider, ProviderDescriptor {
    final String name;
    final PlanLimits limits;
    final Set<String> unsupported;
    final AtomicInteger calls = new AtomicInteger();
    volatile RuntimeException failure;

    Everything(String name, PlanLimits limits, Set<String> unsupported) {
      this.name = name;
      this.limits = limits;
      this.unsupported = unsupported;
    }

    private <T> Mono<T> answer(T value) {
      return Mono.defer(() -> {
        calls.incrementAndGet();
        return failure != null ? Mono.error(failure) : Mono.just(value);
      });
    }

    @Override
    public String name() {
      return name;
    }

    @Override
    public int maxBatchSize() {
      return 1;
    }

    @Override
    public Mono<Map<String, Quote>> quotes(List<String> symbols) {
      return answer(Map.of(symbols.get(0), new Quote(symbols.get(0), BigDecimal.TEN, null, null, null, null, null, null,
          null, "USD", true, Instant.EPOCH, name)));
    }

    @Override
    public Mono<List<Bar>> bars(String symbol, BarInterval interval, Instant from, Instant to) {
      return answer(List.of(new Bar(from, BigDecimal.ONE, BigDecimal.ONE, BigDecimal.ONE, BigDecimal.ONE, 1L)));
    }

    @Override
    public Mono<Profile> profile(String symbol) {
      return answer(new Profile(symbol, "Name", null, null, null, null, null, null, null, null, null, null, name));
    }

    @Override
    public Mono<List<NewsItem>> news(String symbol, int limit) {
      return answer(List.of(new NewsItem("n1", List.of(symbol), "Headline", null, null, null, Instant.EPOCH, name)));
    }

    @Override
    public Mono<List<SearchHit>> search(String query, int limit) {
      return answer(List.of(new SearchHit("AAPL", "Apple", null, "EQUITY", null, name)));
    }

    @Override
    public Mono<List<SearchHit>> universe() {
      return answer(List.of(new SearchHit("AAPL", "Apple", null, "EQUITY", "Technology", name)));
    }

    @Override
    public Set<Capability> capabilities() {
      return EnumSet.allOf(Capability.class);
    }

    @Override
    public PlanLimits limits() {
      return limits;
    }

    @Override
    public boolean supportsSymbol(String symbol) {
      return !unsupported.contains(symbol);
    }

    @Override
    public String endpoint() {
      return "test:" + name;
    }

    @Override
    public boolean keyConfigured() {
      return false;
    }
  }

  /** Each kind, with how one read of it names the provider that answered. */
  static Stream<Arguments> kinds() {
    return Stream.of(
        Arguments.of(ProviderKind.QUOTES, (Function<Object, Mono<String>>) p ->
            ((QuoteProvider) p).quotes(List.of("AAPL")).map(m -> m.get("AAPL").source()), true),
        Arguments.of(ProviderKind.BARS, (Function<Object, Mono<String>>) p ->
            ((BarProvider) p).bars("AAPL", BarInterval.D1, Instant.EPOCH, Instant.EPOCH.plusSeconds(86400))
                .map(b -> ((Everything) p).name), true),
        Arguments.of(ProviderKind.PROFILE, (Function<Object, Mono<String>>) p ->
            ((ProfileProvider) p).profile("AAPL").map(Profile::source), true),
        Arguments.of(ProviderKind.NEWS, (Function<Object, Mono<String>>) p ->
            ((NewsProvider) p).news("AAPL", 10).map(l -> l.get(0).source()), true),
        Arguments.of(ProviderKind.SEARCH, (Function<Object, Mono<String>>) p ->
            ((SearchProvider) p).search("app", 10).map(l -> l.get(0).source()), false),
        Arguments.of(ProviderKind.UNIVERSE, (Function<Object, Mono<String>>) p ->
            ((UniverseProvider) p).universe().map(l -> l.get(0).source()), false));
  }

  private Everything first;
  private Everything second;

  private ProviderRouter router(ProviderKind<?> kind, PlanLimits firstLimits, Set<String> firstUnsupported, String... settings) {
    first = new Everything("first", firstLimits, firstUnsupported);
    second = new Everything("second", PlanLimits.NONE, Set.of());
    Map<String, String> map = new HashMap<>();
    map.put("quotegate.routing." + kind.key() + "[0]", "first");
    map.put("quotegate.routing." + kind.key() + "[1]", "second");
    map.put("quotegate.resilience.defaults.rate-limit-wait", "0s");
    map.put("quotegate.resilience.defaults.max-attempts", "1");
    for (int i = 0; i < settings.length; i += 2) {
      map.put(settings[i], settings[i + 1]);
    }
    Binder binder = new Binder(new MapConfigurationPropertySource(map));
    RoutingProperties routing = binder.bindOrCreate("quotegate.routing", RoutingProperties.class);
    ResilienceProperties resilience = binder.bindOrCreate("quotegate.resilience", ResilienceProperties.class);
    Map<ProviderKind<?>, Map<String, ?>> providers = new LinkedHashMap<>();
    for (ProviderKind<?> k : ProviderKind.ALL) {
      Map<String, Object> byName = new LinkedHashMap<>();
      byName.put("first", first);
      byName.put("second", second);
      providers.put(k, byName);
    }
    Map<String, ProviderGuard> guards = new LinkedHashMap<>();
    Map<String, ProviderDescriptor> descriptors = new LinkedHashMap<>();
    for (Everything e : List.of(first, second)) {
      guards.put(e.name, ProviderGuard.of(e.name, resilience.policy(e.name), e.limits, clock, registry,
          CircuitBreakerRegistry.ofDefaults(), RateLimiterRegistry.ofDefaults(), BulkheadRegistry.ofDefaults(),
          RetryRegistry.ofDefaults(), TimeLimiterRegistry.ofDefaults()));
      descriptors.put(e.name, e);
    }
    return ProviderRouter.build(routing, providers, guards, descriptors, new LinkedHashMap<>());
  }

  @SuppressWarnings({"unchecked", "rawtypes"})
  private static Mono<String> read(ProviderRouter router, ProviderKind<?> kind, boolean withSymbol,
      Function<Object, Mono<String>> read) {
    return router.call((ProviderKind) kind, withSymbol ? "AAPL" : null, (Function) read);
  }

  private double counter(String meter, String provider, String tag, String value) {
    var c = registry.find(meter).tag("provider", provider).tag(tag, value).counter();
    return c == null ? 0 : c.count();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("kinds")
  void aCallBeyondThePlansRateGoesToTheNextProviderWithoutBeingSent(
      ProviderKind<?> kind, Function<Object, Mono<String>> read, boolean withSymbol) {
    ProviderRouter router = router(kind, new PlanLimits(0, 1, 0, 1, false), Set.of());
    StepVerifier.create(read(router, kind, withSymbol, read)).expectNext("first").expectComplete().verify(TIMEOUT);
    StepVerifier.create(read(router, kind, withSymbol, read)).expectNext("second").expectComplete().verify(TIMEOUT);
    assertThat(first.calls).as("calls sent to the rate-limited provider").hasValue(1);
    assertThat(counter("quotegate.provider.rejections", "first", "reason", "rate_limiter")).isEqualTo(1.0);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("kinds")
  void theDailyQuotaCountsEveryCallAndIsRefusedOnceSpent(
      ProviderKind<?> kind, Function<Object, Mono<String>> read, boolean withSymbol) {
    ProviderRouter router = router(kind, new PlanLimits(0, 0, 2, 1, false), Set.of());
    for (String expected : List.of("first", "first", "second", "second")) {
      StepVerifier.create(read(router, kind, withSymbol, read)).expectNext(expected).expectComplete().verify(TIMEOUT);
    }
    assertThat(first.calls).as("calls within the daily quota").hasValue(2);
    assertThat(registry.get("quotegate.provider.quota.remaining").tag("provider", "first").gauge().value()).isZero();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("kinds")
  void aFailingProviderFallsOverToTheNextOneOfItsChain(
      ProviderKind<?> kind, Function<Object, Mono<String>> read, boolean withSymbol) {
    ProviderRouter router = router(kind, PlanLimits.NONE, Set.of());
    first.failure = new Upstream("first", UpstreamFailure.UNAVAILABLE, "HTTP 502");
    StepVerifier.create(read(router, kind, withSymbol, read)).expectNext("second").expectComplete().verify(TIMEOUT);
    assertThat(counter("quotegate.provider.calls", "first", "outcome", "fallback")).isEqualTo(1.0);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("kinds")
  void anExhaustedChainIsOneErrorNamingEveryProvider(
      ProviderKind<?> kind, Function<Object, Mono<String>> read, boolean withSymbol) {
    ProviderRouter router = router(kind, PlanLimits.NONE, Set.of());
    first.failure = new Upstream("first", UpstreamFailure.UNAVAILABLE, "HTTP 502");
    second.failure = new Upstream("second", UpstreamFailure.RATE_LIMITED, "HTTP 429", Duration.ofSeconds(7), null);
    StepVerifier.create(read(router, kind, withSymbol, read))
        .expectErrorSatisfies(e -> assertThat(e).isInstanceOfSatisfying(Upstream.class, u -> {
          assertThat(u.detail()).contains("provider first is unavailable").contains("provider second is rate-limiting");
          assertThat(u.retryAfter()).as("the earliest Retry-After given").isEqualTo(Duration.ofSeconds(7));
        }))
        .verify(TIMEOUT);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("kinds")
  void aProviderThatCannotServeTheSymbolIsSkippedWithoutACall(
      ProviderKind<?> kind, Function<Object, Mono<String>> read, boolean withSymbol) {
    if (!withSymbol) {
      return; // search and the universe have no symbol to serve or not
    }
    ProviderRouter router = router(kind, PlanLimits.NONE, Set.of("AAPL"));
    StepVerifier.create(read(router, kind, withSymbol, read)).expectNext("second").expectComplete().verify(TIMEOUT);
    assertThat(first.calls).as("calls to a provider that does not list the symbol").hasValue(0);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("kinds")
  void aNotFoundAnswerIsFinal(ProviderKind<?> kind, Function<Object, Mono<String>> read, boolean withSymbol) {
    ProviderRouter router = router(kind, PlanLimits.NONE, Set.of());
    first.failure = new GatewayException.NotFound("AAPL", "unknown");
    StepVerifier.create(read(router, kind, withSymbol, read)).expectError(GatewayException.NotFound.class).verify(TIMEOUT);
    assertThat(second.calls).hasValue(0);
  }
}
