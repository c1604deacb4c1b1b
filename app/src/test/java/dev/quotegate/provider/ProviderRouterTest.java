package dev.quotegate.provider;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.quotegate.cache.CacheKind;
import dev.quotegate.cache.LocalCache;
import dev.quotegate.cache.TieredCache;
import dev.quotegate.cache.TtlPolicy;
import dev.quotegate.calendar.MarketCalendar;
import dev.quotegate.platform.GatewayException;
import dev.quotegate.platform.GatewayException.Upstream;
import dev.quotegate.platform.GatewayException.UpstreamFailure;
import dev.quotegate.quote.QuoteProperties;
import dev.quotegate.quote.QuoteResult;
import dev.quotegate.quote.QuoteResult.Found;
import dev.quotegate.quote.QuoteService;
import dev.quotegate.testsupport.FakeQuoteProvider;
import dev.quotegate.testsupport.MutableClock;
import io.github.resilience4j.bulkhead.BulkheadRegistry;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import io.github.resilience4j.ratelimiter.RateLimiterRegistry;
import io.github.resilience4j.retry.RetryRegistry;
import io.github.resilience4j.timelimiter.TimeLimiterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;
import reactor.test.StepVerifier;

class ProviderRouterTest {

  private static final Duration TIMEOUT = Duration.ofSeconds(5);

  private final MutableClock clock = MutableClock.marketOpen();
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final FakeQuoteProvider primary = new FakeQuoteProvider("primary", 20, "AAPL", "MSFT", "VOD.L");
  private final FakeQuoteProvider secondary = new FakeQuoteProvider("secondary", 5, "AAPL", "MSFT", "VOD.L", "ONLY2");
  private final FakeProfiles profiles = new FakeProfiles("profiles");

  /** A profile-only provider: it has no quotes capability. */
  record FakeProfiles(String name) implements ProfileProvider {
    @Override
    public Mono<Profile> profile(String symbol) {
      return Mono.error(new GatewayException.NotFound(symbol, "unknown"));
    }
  }

  /** Descriptors by provider name: what a provider says it can serve (empty: everything). */
  private final Map<String, ProviderDescriptor> descriptors = new LinkedHashMap<>();

  private ProviderRouter router(String... settings) {
    Map<String, String> map = new HashMap<>();
    for (int i = 0; i < settings.length; i += 2) {
      map.put(settings[i], settings[i + 1]);
    }
    Binder binder = new Binder(new MapConfigurationPropertySource(map));
    RoutingProperties routing = binder.bindOrCreate("quotegate.routing", RoutingProperties.class);
    ResilienceProperties resilience = binder.bindOrCreate("quotegate.resilience", ResilienceProperties.class);
    Map<ProviderKind<?>, Map<String, ?>> providers = new LinkedHashMap<>();
    Map<String, Object> quotes = new LinkedHashMap<>();
    quotes.put("primary", primary);
    quotes.put("secondary", secondary);
    providers.put(ProviderKind.QUOTES, quotes);
    providers.put(ProviderKind.PROFILE, Map.of("profiles", profiles));
    Map<String, ProviderGuard> guards = new LinkedHashMap<>();
    for (String name : List.of("primary", "secondary", "profiles")) {
      guards.put(name, ProviderGuard.of(name, resilience.policy(name), PlanLimits.NONE, clock, registry, CircuitBreakerRegistry.ofDefaults(),
          RateLimiterRegistry.ofDefaults(), BulkheadRegistry.ofDefaults(), RetryRegistry.ofDefaults(),
          TimeLimiterRegistry.ofDefaults()));
    }
    return ProviderRouter.build(routing, providers, guards, descriptors, new LinkedHashMap<>());
  }

  private QuoteService service(ProviderRouter router) {
    QuoteProperties props = new QuoteProperties(100, Duration.ofSeconds(5), Duration.ofSeconds(60),
        // a 50 ms window: one request's symbols form one batch even on a loaded machine
        Duration.ofHours(1), Duration.ofSeconds(60), 1000, Duration.ofMillis(50), Duration.ofMillis(50), 1000, 1000, Duration.ZERO);
    LocalCache<Quote> cache = new LocalCache<>(CacheKind.QUOTE, 1000, props.staleMaxAge(), clock, registry);
    TtlPolicy ttl = new TtlPolicy(MarketCalendar.nyse(), props.ttlMarketOpen(), props.ttlMarketClosed());
    return new QuoteService(router, TieredCache.localOnly(CacheKind.QUOTE, cache, ttl, props.staleMaxAge(), clock),
        props, clock, Schedulers.parallel(), registry);
  }

  private double fallbacks(String provider) {
    var c = registry.find("quotegate.provider.calls").tag("provider", provider).tag("outcome", "fallback").counter();
    return c == null ? 0 : c.count();
  }

  @Test
  void resolvesChainsByNameWithSymbolOverridesFirstMatchWins() {
    ProviderRouter router = router(
        "quotegate.routing.quotes[0]", "primary",
        "quotegate.routing.quotes[1]", "secondary",
        "quotegate.routing.overrides[0].symbols", "*.L",
        "quotegate.routing.overrides[0].quotes[0]", "secondary",
        "quotegate.routing.overrides[0].quotes[1]", "primary",
        "quotegate.routing.overrides[1].symbols", "VOD*",
        "quotegate.routing.overrides[1].quotes[0]", "primary");
    assertThat(router.chain(ProviderKind.QUOTES, "AAPL")).containsExactly(primary, secondary);
    assertThat(router.chain(ProviderKind.QUOTES, "VOD.L")).containsExactly(secondary, primary);
    assertThat(router.chain(ProviderKind.QUOTES, "VODX")).containsExactly(primary);
    assertThat(router.chain(ProviderKind.PROFILE, "VOD.L")).as("override without a profile chain").containsExactly(profiles);
  }

  @Test
  void skipsProvidersWithoutTheCapabilityOrNotEnabledAndRefusesAChainWithNone() {
    ProviderRouter router = router(
        "quotegate.routing.quotes[0]", "profiles",
        "quotegate.routing.quotes[1]", "yahoo",
        "quotegate.routing.quotes[2]", "secondary");
    assertThat(router.chain(ProviderKind.QUOTES, "AAPL")).containsExactly(secondary);
    assertThatThrownBy(() -> router("quotegate.routing.quotes[0]", "yahoo"))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("quotegate.routing.quotes");
  }

  @Test
  void anUnsetChainIsEveryProviderWithTheCapabilityInOrder() {
    assertThat(router().chain(ProviderKind.QUOTES, "AAPL")).containsExactly(primary, secondary);
    assertThat(router().chain(ProviderKind.SEARCH, null)).isEmpty();
  }

  @Test
  void symbolsOfAFailedBatchAreServedByTheNextProviderWhichIsNamedAsSource() {
    ProviderRouter router = router("quotegate.resilience.defaults.max-attempts", "1");
    QuoteService service = service(router);
    primary.failWith(new Upstream("primary", UpstreamFailure.UNAVAILABLE, "HTTP 502"));
    StepVerifier.create(service.quotes(List.of("AAPL", "MSFT")))
        .assertNext(r -> assertThat(r).allSatisfy(x -> assertThat(x).isInstanceOfSatisfying(Found.class,
            f -> assertThat(f.entry().value().source()).isEqualTo("secondary"))))
        .expectComplete()
        .verify(TIMEOUT);
    assertThat(primary.calls()).as("one failed batch at the primary").hasSize(1);
    assertThat(secondary.calls()).as("the two symbols batched again at the secondary").singleElement()
        .satisfies(batch -> assertThat(batch).containsExactlyInAnyOrder("AAPL", "MSFT"));
    assertThat(fallbacks("primary")).isEqualTo(2.0);
  }

  @Test
  void anOpenCircuitSkipsTheProviderWithoutCallingIt() {
    ProviderRouter router = router("quotegate.resilience.defaults.max-attempts", "1",
        "quotegate.resilience.providers.primary.sliding-window-size", "2",
        "quotegate.resilience.providers.primary.minimum-calls", "2");
    QuoteService service = service(router);
    primary.failWith(new Upstream("primary", UpstreamFailure.UNAVAILABLE, "HTTP 500"));
    StepVerifier.create(service.quote("AAPL")).expectNextCount(1).expectComplete().verify(TIMEOUT);
    StepVerifier.create(service.quote("MSFT")).expectNextCount(1).expectComplete().verify(TIMEOUT);
    assertThat(router.circuitStates()).containsEntry("primary", "OPEN");
    primary.reset();
    StepVerifier.create(service.quote("VOD.L"))
        .assertNext(r -> assertThat(((Found) r).entry().value().source()).isEqualTo("secondary"))
        .expectComplete()
        .verify(TIMEOUT);
    assertThat(primary.calls()).as("calls to a provider whose circuit is open").isEmpty();
  }

  @Test
  void notFoundIsFinalAndNeverAskedOfTheNextProvider() {
    QuoteService service = service(router());
    StepVerifier.create(service.quote("ONLY2"))
        .assertNext(r -> assertThat(r).isInstanceOfSatisfying(QuoteResult.Failed.class,
            f -> assertThat(f.error()).isInstanceOf(GatewayException.NotFound.class)))
        .expectComplete()
        .verify(TIMEOUT);
    assertThat(secondary.calls()).isEmpty();
  }

  @Test
  void whenEveryProviderFailsTheStaleValueIsServedElseA503WithTheEarliestRetryAfter() {
    ProviderRouter router = router("quotegate.resilience.defaults.max-attempts", "1");
    QuoteService service = service(router);
    StepVerifier.create(service.quote("AAPL")).expectNextCount(1).expectComplete().verify(TIMEOUT);
    clock.advance(Duration.ofSeconds(10));
    primary.failWith(new Upstream("primary", UpstreamFailure.UNAVAILABLE, "HTTP 503", Duration.ofSeconds(30), null));
    secondary.failWith(new Upstream("secondary", UpstreamFailure.RATE_LIMITED, "HTTP 429", Duration.ofSeconds(8), null));
    StepVerifier.create(service.quotes(List.of("AAPL", "MSFT")))
        .assertNext(r -> {
          assertThat(r.get(0)).isInstanceOfSatisfying(Found.class, f -> assertThat(f.stale()).isTrue());
          assertThat(r.get(1)).isInstanceOfSatisfying(QuoteResult.Failed.class, f -> {
            Upstream u = (Upstream) f.error();
            assertThat(u.retryAfter()).isEqualTo(Duration.ofSeconds(8));
            assertThat(u.getMessage()).contains("primary").contains("secondary");
          });
        })
        .expectComplete()
        .verify(TIMEOUT);
    // both are cooling down now: the next request sends nothing
    int before = primary.calls().size() + secondary.calls().size();
    StepVerifier.create(service.quote("VOD.L")).expectNextMatches(r -> r instanceof QuoteResult.Failed).expectComplete().verify(TIMEOUT);
    assertThat(primary.calls().size() + secondary.calls().size()).as("calls during cool-downs").isEqualTo(before);
  }

  @Test
  void genericCallsWalkTheChainToo() {
    ProviderRouter router = router("quotegate.resilience.defaults.max-attempts", "1");
    List<String> asked = new ArrayList<>();
    StepVerifier.create(router.call(ProviderKind.QUOTES, "AAPL", p -> {
          asked.add(p.name());
          return p.name().equals("primary")
              ? Mono.error(new Upstream("primary", UpstreamFailure.MALFORMED, "garbage"))
              : Mono.just(p.name());
        }))
        .expectNext("secondary")
        .expectComplete()
        .verify(TIMEOUT);
    assertThat(asked).containsExactly("primary", "secondary");
  }
}
