package dev.quotegate.provider;

import dev.quotegate.platform.GatewayException;
import dev.quotegate.platform.GatewayException.Upstream;
import dev.quotegate.platform.GatewayException.UpstreamFailure;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.regex.Pattern;
import reactor.core.publisher.Mono;

/**
 * Routes each request to a provider and falls back along a chain.
 *
 * <p>Each {@link ProviderKind} has an ordered chain of providers ({@link RoutingProperties}),
 * optionally replaced for symbols matching an override (e.g. {@code *.L}). Providers are the
 * beans of each SPI type, looked up by {@code name()}: adding an adapter needs only
 * configuration. Every call to a provider goes through that provider's {@link ProviderGuard}
 * (rate limits, quota, bulkhead, circuit breaker, retry, timeout, cool-down). When a provider
 * fails, or would refuse the call (open circuit, cool-down, quota spent), the next one in the
 * chain is asked; a not-found answer is final. When the chain is exhausted the caller gets one
 * {@link Upstream} error summing up why, with the earliest Retry-After any provider gave.
 */
public final class ProviderRouter {

  private final Map<ProviderKind<?>, Map<String, ?>> providers;
  private final Map<ProviderKind<?>, List<?>> chains;
  private final List<Rule> rules;
  private final Map<String, ProviderGuard> guards;
  private final Duration deadline;

  private record Rule(String glob, Pattern pattern, Map<ProviderKind<?>, List<?>> chains) {}

  ProviderRouter(
      Map<ProviderKind<?>, Map<String, ?>> providers,
      Map<ProviderKind<?>, List<?>> chains,
      List<Rule> rules,
      Map<String, ProviderGuard> guards,
      Duration deadline) {
    this.providers = providers;
    this.chains = chains;
    this.rules = rules;
    this.guards = guards;
    this.deadline = deadline;
  }

  /**
   * A router over {@code providers} for one capability, in that order, without resilience
   * guards (each call goes through once, only counted). For tests and tools.
   */
  @SafeVarargs
  public static <P> ProviderRouter unguarded(
      ProviderKind<P> capability, java.time.Clock clock, io.micrometer.core.instrument.MeterRegistry registry, P... providers) {
    Map<String, P> byName = new LinkedHashMap<>();
    Map<String, ProviderGuard> guards = new LinkedHashMap<>();
    for (P p : providers) {
      String name = capability.nameOf(p);
      byName.put(name, p);
      guards.put(name, ProviderGuard.unguarded(name, clock, registry));
    }
    return new ProviderRouter(
        Map.of(capability, byName), Map.of(capability, List.copyOf(byName.values())), List.of(), guards,
        Duration.ofSeconds(30));
  }

  /** Builds the chains from configuration; fails on a configured chain that names no known provider. */
  static ProviderRouter build(
      RoutingProperties routing,
      Map<ProviderKind<?>, Map<String, ?>> providers,
      Map<String, ProviderGuard> guards,
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
    return new ProviderRouter(providers, chains, rules, guards, routing.deadline());
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
    for (char ch : glob.trim().toUpperCase(java.util.Locale.ROOT).toCharArray()) {
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
   * and that names a chain for this capability, else the main chain. {@code symbol} may be
   * null (search): the main chain.
   */
  @SuppressWarnings("unchecked")
  public <P> List<P> chain(ProviderKind<P> capability, String symbol) {
    if (symbol != null) {
      for (Rule rule : rules) {
        List<?> chain = rule.chains().get(capability);
        if (chain != null && rule.pattern().matcher(symbol).matches()) {
          return (List<P>) chain;
        }
      }
    }
    return (List<P>) chains.getOrDefault(capability, List.of());
  }

  /** The provider of {@code capability} named {@code name}, or null. */
  @SuppressWarnings("unchecked")
  public <P> P provider(ProviderKind<P> capability, String name) {
    return (P) providers.getOrDefault(capability, Map.of()).get(name);
  }

  /** Names of every provider of {@code capability}. */
  public Collection<String> providerNames(ProviderKind<?> capability) {
    return Collections.unmodifiableCollection(providers.getOrDefault(capability, Map.of()).keySet());
  }

  /**
   * Wraps one idempotent read from provider {@code name} in that provider's guards (see {@link
   * ProviderGuard}): the building block for batched paths, which walk the chain themselves.
   */
  public <T> Mono<T> guard(String name, ProviderKind<?> capability, Mono<T> call) {
    return guardOf(name).apply(capability, call);
  }

  /**
   * Why provider {@code name} would not be called right now for {@code capability} (cool-down,
   * quota spent, circuit open), as the error to report, counted as a rejected call; null when
   * it may be called. Checking costs no I/O.
   */
  public GatewayException refusal(String name, ProviderKind<?> capability) {
    ProviderGuard g = guardOf(name);
    ProviderGuard.Refused r = g.refusal();
    if (r == null) {
      return null;
    }
    g.countRefusal(capability, r);
    String why = "not called: " + r.reason.tag().replace('_', ' ');
    return new Upstream(name, r.kind, why, r.retryAfter, r, "provider " + name + " " + why);
  }

  /** Whether a failure should send the request to the next provider (anything but not-found and bad input). */
  public static boolean fallsThrough(Throwable e) {
    return e instanceof Upstream || e instanceof GatewayException.Overloaded;
  }

  /** Counts that a request for {@code capability} moved on from provider {@code name}. */
  public void fellBack(ProviderKind<?> capability, String name) {
    guardOf(name).countFallback(capability);
  }

  /**
   * One read for {@code symbol} along its chain: each provider in turn (skipping those that
   * would refuse), guarded, until one answers or says not-found.
   *
   * @param capability what is read
   * @param symbol the symbol, or null for reads without one (search)
   * @param read the read on one provider; must be idempotent
   */
  public <P, T> Mono<T> call(ProviderKind<P> capability, String symbol, Function<P, Mono<T>> read) {
    List<P> chain = chain(capability, symbol);
    return withDeadline(Mono.defer(() -> attempt(capability, chain, 0, read, new ArrayList<>())));
  }

  /**
   * {@code walk} failing as a timeout after {@code quotegate.routing.deadline}: the backstop
   * that keeps a request (and a coalesced fetch many wait on) from waiting forever.
   */
  public <T> Mono<T> withDeadline(Mono<T> walk) {
    return walk.timeout(
        deadline,
        Mono.error(() -> Upstream.ofGateway(UpstreamFailure.TIMEOUT,
            "no provider answered within " + deadline.toMillis() + " ms", null)));
  }

  private <P, T> Mono<T> attempt(
      ProviderKind<P> capability, List<P> chain, int index, Function<P, Mono<T>> read, List<GatewayException> failures) {
    if (index == chain.size()) {
      return Mono.error(exhausted(capability, failures));
    }
    P provider = chain.get(index);
    String name = capability.nameOf(provider);
    GatewayException refused = refusal(name, capability);
    if (refused != null) {
      failures.add(refused);
      fellBack(capability, name);
      return attempt(capability, chain, index + 1, read, failures);
    }
    return guard(name, capability, Mono.defer(() -> read.apply(provider)))
        .onErrorResume(
            ProviderRouter::fallsThrough,
            e -> {
              failures.add((GatewayException) e);
              fellBack(capability, name);
              return attempt(capability, chain, index + 1, read, failures);
            });
  }

  /**
   * The error for a request no provider in its chain could answer: a timeout if the last
   * provider actually asked timed out (504), else unavailable or rate-limited (503) with the
   * earliest Retry-After any provider gave; the message names each provider's reason.
   */
  public GatewayException exhausted(ProviderKind<?> capability, List<GatewayException> failures) {
    if (failures.isEmpty()) {
      return Upstream.ofGateway(UpstreamFailure.UNAVAILABLE, "no provider serves " + capability.key(), null);
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

  Map<String, ProviderGuard> guards() {
    return guards;
  }

  private ProviderGuard guardOf(String name) {
    return Objects.requireNonNull(guards.get(name), () -> "no provider named " + name);
  }
}
