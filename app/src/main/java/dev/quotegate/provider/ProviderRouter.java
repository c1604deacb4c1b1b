package dev.quotegate.provider;

import dev.quotegate.platform.GatewayException;
import dev.quotegate.platform.GatewayException.Upstream;
import dev.quotegate.platform.GatewayException.UpstreamFailure;
import io.github.resilience4j.bulkhead.BulkheadRegistry;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import io.github.resilience4j.ratelimiter.RateLimiterRegistry;
import io.github.resilience4j.retry.RetryRegistry;
import io.github.resilience4j.timelimiter.TimeLimiterRegistry;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.regex.Pattern;
import reactor.core.publisher.Mono;

/**
 * The one door upstream: every read of every kind of data (quotes, bars, profiles, news,
 * search, the listed universe) walks that kind's provider chain here, each provider behind its
 * {@link ProviderGuard} (rate limits and daily quota from its plan, bulkhead, circuit breaker,
 * retry, timeout, cool-down).
 *
 * <p>Each {@link ProviderKind} has an ordered chain ({@link RoutingProperties}), optionally
 * replaced for symbols matching an override (e.g. {@code *.L}). A provider is skipped without
 * a call when it would refuse (open circuit, cool-down, quota spent) or cannot serve the
 * symbol at all ({@link ProviderDescriptor#supportsSymbol}: Polygon for {@code VOD.L}); when
 * it fails, the next one is asked. A not-found answer is final. When the chain is exhausted
 * the caller gets one {@link Upstream} error summing up why, with the earliest Retry-After any
 * provider gave, and every walk ends within {@code quotegate.routing.deadline}.
 *
 * <p>Two ways in: {@link #call} guards each provider's read itself; {@link #callBatched} is
 * for reads queued into a provider's batcher, whose batch call is guarded once for the whole
 * batch ({@link #guardBatch}), at the plan's cost (one per call, or one per symbol).
 */
public final class ProviderRouter {

  private final Map<ProviderKind<?>, Map<String, ?>> providers;
  private final Map<ProviderKind<?>, List<?>> chains;
  private final List<Rule> rules;
  private final Map<String, ProviderGuard> guards;
  private final Map<String, ProviderDescriptor> descriptors;
  private final Duration deadline;

  private record Rule(String glob, Pattern pattern, Map<ProviderKind<?>, List<?>> chains) {}

  private ProviderRouter(
      Map<ProviderKind<?>, Map<String, ?>> providers,
      Map<ProviderKind<?>, List<?>> chains,
      List<Rule> rules,
      Map<String, ProviderGuard> guards,
      Map<String, ProviderDescriptor> descriptors,
      Duration deadline) {
    this.providers = providers;
    this.chains = chains;
    this.rules = rules;
    this.guards = guards;
    this.descriptors = descriptors;
    this.deadline = deadline;
  }

  /**
   * A router over {@code providers} of one kind, in that order, each behind a pass-through
   * guard: real resilience4j components configured to let everything through once (one
   * attempt, no limits, a circuit that does not open, a 30 s timeout). For tests and tools.
   */
  @SafeVarargs
  public static <P> ProviderRouter single(ProviderKind<P> kind, Clock clock, MeterRegistry registry, P... providers) {
    Map<String, P> byName = new LinkedHashMap<>();
    Map<String, ProviderGuard> guards = new LinkedHashMap<>();
    for (P p : providers) {
      String name = kind.nameOf(p);
      byName.put(name, p);
      guards.put(name, ProviderGuard.of(name, ResilienceProperties.Policy.PASS_THROUGH, PlanLimits.NONE, clock, registry,
          CircuitBreakerRegistry.ofDefaults(), RateLimiterRegistry.ofDefaults(), BulkheadRegistry.ofDefaults(),
          RetryRegistry.ofDefaults(), TimeLimiterRegistry.ofDefaults()));
    }
    return new ProviderRouter(Map.of(kind, byName), Map.of(kind, List.copyOf(byName.values())), List.of(), guards,
        Map.of(), Duration.ofSeconds(30));
  }

  /** Builds the chains from configuration; fails on a configured chain that names no known provider. */
  static ProviderRouter build(
      RoutingProperties routing,
      Map<ProviderKind<?>, Map<String, ?>> providers,
      Map<String, ProviderGuard> guards,
      Map<String, ProviderDescriptor> descriptors,
      Map<String, List<String>> notes) {
    Map<ProviderKind<?>, List<?>> chains = new LinkedHashMap<>();
    for (ProviderKind<?> c : ProviderKind.ALL) {
      chains.put(c, resolve(c, "quotegate.routing." + c.key(), routing.chain(c), providers, guards, notes));
    }
    List<Rule> rules = new ArrayList<>();
    int i = 0;
    for (RoutingProperties.Override o : routing.overrides()) {
      Map<ProviderKind<?>, List<?>> ruleChains = new LinkedHashMap<>();
      for (ProviderKind<?> c : ProviderKind.ALL) {
        List<String> names = o.chain(c);
        if (!names.isEmpty()) {
          ruleChains.put(c, resolve(c, "quotegate.routing.overrides[" + i + "]." + c.key(), names, providers, guards, notes));
        }
      }
      rules.add(new Rule(o.symbols(), glob(o.symbols()), ruleChains));
      i++;
    }
    return new ProviderRouter(providers, chains, rules, guards, Map.copyOf(descriptors), routing.deadline());
  }

  private static List<?> resolve(
      ProviderKind<?> c,
      String property,
      List<String> names,
      Map<ProviderKind<?>, Map<String, ?>> providers,
      Map<String, ProviderGuard> guards,
      Map<String, List<String>> notes) {
    Map<String, ?> available = providers.getOrDefault(c, Map.of());
    if (names.isEmpty()) {
      return List.copyOf(available.values());
    }
    List<Object> chain = new ArrayList<>();
    for (String name : names) {
      Object p = available.get(name);
      if (p != null) {
        if (!chain.contains(p)) {
          chain.add(p);
        }
      } else if (guards.containsKey(name)) {
        notes.computeIfAbsent(property, k -> new ArrayList<>()).add(name + " has no " + c.key() + " capability: skipped");
      } else {
        notes.computeIfAbsent(property, k -> new ArrayList<>()).add(name + " is not an enabled provider: skipped");
      }
    }
    if (chain.isEmpty() && !available.isEmpty()) {
      throw new IllegalStateException(
          property + "=" + names + " names no enabled provider with the " + c.key()
              + " capability; enabled: " + available.keySet());
    }
    return List.copyOf(chain);
  }

  /** A glob over upper-case symbols: {@code *} any run, {@code ?} one character. */
  static Pattern glob(String glob) {
    StringBuilder re = new StringBuilder();
    for (char ch : glob.trim().toUpperCase(Locale.ROOT).toCharArray()) {
      if (ch == '*') {
        re.append(".*");
      } else if (ch == '?') {
        re.append('.');
      } else {
        re.append(Pattern.quote(String.valueOf(ch)));
      }
    }
    return Pattern.compile(re.toString());
  }

  /**
   * The providers to ask for {@code symbol}, in order: the first override whose pattern matches
   * and that names a chain for this kind, else the main chain. {@code symbol} may be null
   * (search, the universe): the main chain.
   */
  @SuppressWarnings("unchecked")
  public <P> List<P> chain(ProviderKind<P> kind, String symbol) {
    if (symbol != null) {
      for (Rule rule : rules) {
        List<?> chain = rule.chains().get(kind);
        if (chain != null && rule.pattern().matcher(symbol).matches()) {
          return (List<P>) chain;
        }
      }
    }
    return (List<P>) chains.getOrDefault(kind, List.of());
  }

  /** Every provider of {@code kind}, by name, in bean order. */
  @SuppressWarnings("unchecked")
  public <P> Map<String, P> providers(ProviderKind<P> kind) {
    return Collections.unmodifiableMap((Map<String, P>) providers.getOrDefault(kind, Map.of()));
  }

  /**
   * One read for {@code symbol} along its chain: each provider in turn (skipping those that
   * would refuse or cannot serve the symbol), its read guarded, until one answers or says
   * not-found.
   *
   * @param kind what is read
   * @param symbol the symbol, or null for reads without one (search, the universe)
   * @param read the read on one provider; must be idempotent
   */
  public <P, T> Mono<T> call(ProviderKind<P> kind, String symbol, Function<P, Mono<T>> read) {
    return walk(kind, symbol, read, true);
  }

  /**
   * As {@link #call}, for reads that join a provider's batcher ({@code enqueue}), whose batch
   * call is already guarded by {@link #guardBatch}: the walk adds no guard of its own.
   */
  public <P, T> Mono<T> callBatched(ProviderKind<P> kind, String symbol, Function<P, Mono<T>> enqueue) {
    return walk(kind, symbol, enqueue, false);
  }

  /**
   * One batch call to provider {@code name} for {@code symbols} symbols, guarded at the
   * plan's cost: one unit per call, or one per symbol where the provider charges per symbol.
   */
  public <T> Mono<T> guardBatch(String name, ProviderKind<?> kind, int symbols, Mono<T> call) {
    ProviderGuard g = guardOf(name);
    return g.apply(kind, g.limits().cost(symbols), call);
  }

  private <P, T> Mono<T> walk(ProviderKind<P> kind, String symbol, Function<P, Mono<T>> read, boolean guard) {
    List<P> chain = chain(kind, symbol);
    return Mono.defer(() -> attempt(kind, symbol, chain, 0, read, guard, new ArrayList<>(), 0))
        .timeout(deadline, Mono.error(() -> Upstream.ofGateway(UpstreamFailure.TIMEOUT,
            "no provider answered within " + deadline.toMillis() + " ms", null)));
  }

  private <P, T> Mono<T> attempt(
      ProviderKind<P> kind, String symbol, List<P> chain, int index, Function<P, Mono<T>> read, boolean guard,
      List<GatewayException> failures, int unsupported) {
    if (index == chain.size()) {
      return Mono.error(exhausted(kind, symbol, failures, unsupported));
    }
    P provider = chain.get(index);
    String name = kind.nameOf(provider);
    ProviderDescriptor d = descriptors.get(name);
    if (symbol != null && d != null && !d.supportsSymbol(symbol)) {
      guardOf(name).countFallback(kind);
      return attempt(kind, symbol, chain, index + 1, read, guard, failures, unsupported + 1);
    }
    ProviderGuard g = guardOf(name);
    ProviderGuard.Refused r = g.refusal();
    if (r != null) {
      g.countRefusal(kind, r);
      g.countFallback(kind);
      String why = "not called: " + r.reason.tag().replace('_', ' ');
      failures.add(new Upstream(name, r.kind, why, r.retryAfter, r, "provider " + name + " " + why));
      return attempt(kind, symbol, chain, index + 1, read, guard, failures, unsupported);
    }
    Mono<T> one = Mono.defer(() -> read.apply(provider));
    return (guard ? g.apply(kind, 1, one) : one)
        .onErrorResume(
            ProviderRouter::fallsThrough,
            e -> {
              failures.add((GatewayException) e);
              g.countFallback(kind);
              return attempt(kind, symbol, chain, index + 1, read, guard, failures, unsupported);
            });
  }

  /** Whether a failure sends the request to the next provider (anything but not-found and bad input). */
  static boolean fallsThrough(Throwable e) {
    return e instanceof Upstream || e instanceof GatewayException.Overloaded;
  }

  /**
   * The error for a request no provider in its chain could answer: a timeout if the last
   * provider actually asked timed out (504), else unavailable or rate-limited (503) with the
   * earliest Retry-After any provider gave; the message names each provider's reason. A chain
   * none of whose providers can serve the symbol answers not-found.
   */
  private static GatewayException exhausted(ProviderKind<?> kind, String symbol, List<GatewayException> failures, int unsupported) {
    if (failures.isEmpty()) {
      if (unsupported > 0) {
        return new GatewayException.NotFound(symbol, "no provider of the " + kind.key() + " chain serves " + symbol);
      }
      return Upstream.ofGateway(UpstreamFailure.UNAVAILABLE, "no provider serves " + kind.key(), null);
    }
    if (failures.size() == 1) {
      return failures.get(0);
    }
    GatewayException primary = null;
    Duration retryAfter = null;
    StringBuilder why = new StringBuilder("no provider could answer:");
    StringBuilder detail = new StringBuilder("no provider could answer:");
    for (GatewayException e : failures) {
      why.append(' ').append(e.getMessage()).append(';');
      detail.append(' ').append(e instanceof Upstream u ? u.detail() : e.getMessage()).append(';');
      boolean called = !(e.getCause() instanceof ProviderGuard.Refused);
      if (called || primary == null) {
        primary = e;
      }
      Duration ra = e instanceof Upstream u ? u.retryAfter() : e instanceof GatewayException.Overloaded o ? o.retryAfter() : null;
      if (ra != null && (retryAfter == null || ra.compareTo(retryAfter) < 0)) {
        retryAfter = ra;
      }
    }
    why.setLength(why.length() - 1);
    detail.setLength(detail.length() - 1);
    if (primary instanceof Upstream u) {
      return new Upstream(u.provider(), u.kind(), why.substring(0), u.kind() == UpstreamFailure.TIMEOUT ? null : retryAfter,
          null, detail.toString());
    }
    return primary;
  }

  /** Closes every circuit, ends every cool-down and renews every quota (operators, tests). */
  public void reset() {
    guards.values().forEach(ProviderGuard::reset);
  }

  /** Circuit state of every provider, by name ({@code CLOSED}, {@code OPEN}, {@code HALF_OPEN}, ...). */
  public Map<String, String> circuitStates() {
    Map<String, String> out = new TreeMap<>();
    guards.forEach((name, g) -> out.put(name, g.circuitState()));
    return out;
  }

  /**
   * Whether some provider of {@code kind}'s main chain may be called now (not refusing: circuit
   * open, cooling down, quota spent). False also for a kind no provider serves.
   */
  public boolean canServe(ProviderKind<?> kind) {
    for (Object p : chain(kind, null)) {
      if (guardOf(nameOf(kind, p)).refusal() == null) {
        return true;
      }
    }
    return false;
  }

  /** The kinds of data some provider serves, with their main chains' provider names. */
  public Map<ProviderKind<?>, List<String>> chainNames() {
    Map<ProviderKind<?>, List<String>> out = new LinkedHashMap<>();
    for (ProviderKind<?> kind : ProviderKind.ALL) {
      List<?> chain = chain(kind, null);
      if (!chain.isEmpty()) {
        out.put(kind, chain.stream().map(p -> nameOf(kind, p)).toList());
      }
    }
    return out;
  }

  @SuppressWarnings("unchecked")
  private static <P> String nameOf(ProviderKind<P> kind, Object provider) {
    return kind.nameOf((P) provider);
  }

  Map<String, ProviderGuard> guards() {
    return guards;
  }

  private ProviderGuard guardOf(String name) {
    return Objects.requireNonNull(guards.get(name), () -> "no provider named " + name);
  }
}
