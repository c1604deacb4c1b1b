package dev.quotegate.provider;

import dev.quotegate.platform.UpstreamHealth;
import io.github.resilience4j.bulkhead.BulkheadRegistry;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import io.github.resilience4j.micrometer.tagged.TaggedBulkheadMetrics;
import io.github.resilience4j.micrometer.tagged.TaggedCircuitBreakerMetrics;
import io.github.resilience4j.micrometer.tagged.TaggedRateLimiterMetrics;
import io.github.resilience4j.micrometer.tagged.TaggedRetryMetrics;
import io.github.resilience4j.micrometer.tagged.TaggedTimeLimiterMetrics;
import io.github.resilience4j.ratelimiter.RateLimiterRegistry;
import io.github.resilience4j.retry.RetryRegistry;
import io.github.resilience4j.timelimiter.TimeLimiterRegistry;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.context.ApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Routing and resilience: one {@link ProviderGuard} per provider name found among the beans of
 * every SPI type, the chains of {@link RoutingProperties}, resilience4j's meters bound to the
 * registry, and each provider's circuit shown by the {@code upstream} health component.
 */
@Configuration(proxyBeanMethods = false)
class RoutingConfiguration {

  private static final Logger log = LoggerFactory.getLogger(RoutingConfiguration.class);

  @Bean
  CircuitBreakerRegistry providerCircuitBreakers(MeterRegistry registry) {
    CircuitBreakerRegistry circuits = CircuitBreakerRegistry.ofDefaults();
    TaggedCircuitBreakerMetrics.ofCircuitBreakerRegistry(circuits).bindTo(registry);
    return circuits;
  }

  @Bean
  ProviderRouter providerRouter(
      ApplicationContext context,
      RoutingProperties routing,
      ResilienceProperties resilience,
      CircuitBreakerRegistry circuits,
      Clock clock,
      MeterRegistry registry,
      ObjectProvider<UpstreamHealth> health) {
    RateLimiterRegistry limiters = RateLimiterRegistry.ofDefaults();
    BulkheadRegistry bulkheads = BulkheadRegistry.ofDefaults();
    RetryRegistry retries = RetryRegistry.ofDefaults();
    TimeLimiterRegistry timeLimiters = TimeLimiterRegistry.ofDefaults();
    TaggedRateLimiterMetrics.ofRateLimiterRegistry(limiters).bindTo(registry);
    TaggedBulkheadMetrics.ofBulkheadRegistry(bulkheads).bindTo(registry);
    TaggedRetryMetrics.ofRetryRegistry(retries).bindTo(registry);
    TaggedTimeLimiterMetrics.ofTimeLimiterRegistry(timeLimiters).bindTo(registry);

    Map<ProviderKind<?>, Map<String, ?>> providers = new LinkedHashMap<>();
    TreeSet<String> names = new TreeSet<>();
    for (ProviderKind<?> c : ProviderKind.ALL) {
      Map<String, ?> byName = byName(context, c);
      providers.put(c, byName);
      names.addAll(byName.keySet());
    }
    Map<String, ProviderDescriptor> descriptors = new LinkedHashMap<>();
    context.getBeanProvider(ProviderDescriptor.class).orderedStream().forEach(d -> descriptors.putIfAbsent(d.name(), d));
    Map<String, ProviderGuard> guards = new LinkedHashMap<>();
    for (String name : names) {
      // The plan's limits (quotegate.providers.<name>.requests-per-*) size the rate limiters
      // and the daily quota; a provider without a descriptor (a test fake) has none.
      ProviderDescriptor d = descriptors.get(name);
      PlanLimits limits = d != null ? d.limits() : PlanLimits.NONE;
      ProviderGuard guard = ProviderGuard.of(
          name, resilience.policy(name), limits, clock, registry, circuits, limiters, bulkheads, retries, timeLimiters);
      guards.put(name, guard);
      health.ifAvailable(
          h ->
              h.attach(
                  name,
                  new UpstreamHealth.GuardView() {
                    @Override
                    public String circuit() {
                      return guard.circuitState();
                    }

                    @Override
                    public Map<String, Object> details() {
                      return guard.details();
                    }

                    @Override
                    public String impairment() {
                      return guard.impairment();
                    }

                    @Override
                    public boolean refusing() {
                      return guard.refusal() != null;
                    }
                  }));
    }
    for (String configured : resilience.providers().keySet()) {
      if (!names.contains(configured)) {
        log.warn("quotegate.resilience.providers.{} names no enabled provider (enabled: {})", configured, names);
      }
    }
    Map<String, List<String>> notes = new LinkedHashMap<>();
    ProviderRouter router = ProviderRouter.build(routing, providers, guards, descriptors, notes);
    notes.forEach((property, list) -> list.forEach(note -> log.warn("{}: {}", property, note)));
    for (ProviderKind<?> c : ProviderKind.ALL) {
      List<?> chain = router.chain(c, null);
      if (chain.isEmpty()) {
        continue;
      }
      List<String> chainNames = chain.stream().map(p -> nameOf(c, p)).toList();
      if (routing.chain(c).isEmpty() && chain.size() > 1) {
        log.warn("quotegate.routing.{} is not set: asking {} in bean order; set the chain explicitly", c.key(), chainNames);
      } else {
        log.info("routing {}: {}", c.key(), chainNames);
      }
    }
    health.ifAvailable(h -> h.chains(() -> {
      Map<String, List<String>> byKind = new LinkedHashMap<>();
      router.chainNames().forEach((kind, names2) -> byKind.put(kind.key(), names2));
      return byKind;
    }));
    return router;
  }

  @SuppressWarnings("unchecked")
  private static <P> String nameOf(ProviderKind<P> c, Object provider) {
    return c.nameOf((P) provider);
  }

  private static <P> Map<String, P> byName(ApplicationContext context, ProviderKind<P> capability) {
    Map<String, P> byName = new LinkedHashMap<>();
    context
        .getBeanProvider(capability.type())
        .orderedStream()
        .forEach(
            p -> {
              String name = capability.nameOf(p);
              // An adapter implements every SPI its provider offers; its descriptor says which
              // of them it is configured for (quotegate.providers.<name>.use-for). Routing
              // never sees it for the others, so it is skipped, never called.
              if (p instanceof ProviderDescriptor d
                  && !d.capabilities().contains(Capability.valueOf(capability.key().toUpperCase(java.util.Locale.ROOT)))) {
                return;
              }
              if (byName.putIfAbsent(name, p) != null) {
                throw new IllegalStateException(
                    "two " + capability.type().getSimpleName() + " beans are named '" + name + "'");
              }
            });
    return byName;
  }
}
