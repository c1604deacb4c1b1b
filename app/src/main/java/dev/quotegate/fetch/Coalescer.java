package dev.quotegate.fetch;

import static java.util.Objects.requireNonNull;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.reactivestreams.Subscription;
import reactor.core.publisher.BaseSubscriber;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.util.context.Context;
import reactor.util.context.ContextView;

/**
 * Single-flight per key: at most one fetch per key is in flight, and every caller that asks for
 * that key meanwhile shares its outcome.
 *
 * <p>Guarantees of {@link #get(Object, Supplier)}:
 *
 * <ul>
 *   <li><b>Lazy.</b> Nothing happens until the returned {@code Mono} is subscribed.
 *   <li><b>One fetch per key.</b> The first subscriber for a key (the leader) subscribes the fetch
 *       exactly once; later subscribers join it while it is in flight. Two fetches for one key
 *       never run at the same time.
 *   <li><b>Push, not poll.</b> Waiters are completed by the fetch's own terminal signal, on the
 *       thread that delivers it.
 *   <li><b>Nothing remembered.</b> The entry is removed when the fetch terminates, <em>before</em>
 *       the waiters are signalled: a value, an empty completion or an error reaches every waiter
 *       and the next {@code get} starts a new fetch. A caller that joined just before the removal
 *       still receives the outcome (the shared result is replayed), so no late joiner hangs.
 *   <li><b>Cancellation is per caller.</b> A cancelled caller only stops waiting. The fetch is
 *       detached from its callers and runs to completion even if every caller cancelled, so side
 *       effects inside the fetch (writing the cache) still happen and a caller arriving meanwhile
 *       joins it instead of starting another one. The fetch must therefore be bounded in time (the
 *       provider layer owns timeouts).
 *   <li><b>Bounded.</b> At most {@code maxInFlight} distinct keys are in flight; a new key beyond
 *       that fails fast with {@link CapacityExceededException}. Joining a key in flight is always
 *       allowed.
 *   <li><b>Context.</b> The fetch is subscribed on the leader's thread and sees the leader's
 *       Reactor context. No scheduler is added.
 * </ul>
 *
 * <p>Meters, tagged {@code name}: counter {@code quotegate.coalescer.requests} with {@code
 * outcome=leader|joined|rejected}, gauges {@code quotegate.coalescer.inflight} and {@code
 * quotegate.coalescer.inflight.max}.
 *
 * @param <K> key type (equals/hashCode), for example a symbol
 * @param <V> value type
 */
public final class Coalescer<K, V> {

  private final String component;
  private final int maxInFlight;
  private final ConcurrentHashMap<K, Sinks.One<V>> inFlight = new ConcurrentHashMap<>();
  // Counts entries of inFlight; reserved before insertion so the bound holds across keys.
  private final AtomicInteger inFlightCount = new AtomicInteger();
  private final Counter leaders;
  private final Counter joins;
  private final Counter rejections;

  /**
   * @param name names this coalescer in meters and errors, for example {@code quotes}
   * @param maxInFlight bound on distinct keys in flight, at least 1
   * @param registry where the meters are registered
   */
  public Coalescer(String name, int maxInFlight, MeterRegistry registry) {
    requireNonNull(name, "name");
    requireNonNull(registry, "registry");
    if (maxInFlight < 1) {
      throw new IllegalArgumentException("maxInFlight must be at least 1, was " + maxInFlight);
    }
    this.component = "coalescer '" + name + "'";
    this.maxInFlight = maxInFlight;
    this.leaders = requests(registry, name, "leader");
    this.joins = requests(registry, name, "joined");
    this.rejections = requests(registry, name, "rejected");
    Gauge.builder(FetchMeters.COALESCER_INFLIGHT, inFlightCount, AtomicInteger::get)
        .description("Distinct keys with a fetch in flight")
        .tag(FetchMeters.TAG_NAME, name)
        .register(registry);
    Gauge.builder(FetchMeters.COALESCER_INFLIGHT_MAX, () -> maxInFlight)
        .description("Bound on distinct keys in flight")
        .tag(FetchMeters.TAG_NAME, name)
        .register(registry);
  }

  private static Counter requests(MeterRegistry registry, String name, String outcome) {
    return Counter.builder(FetchMeters.COALESCER_REQUESTS)
        .description("Coalescer requests by outcome")
        .tag(FetchMeters.TAG_NAME, name)
        .tag("outcome", outcome)
        .register(registry);
  }

  /**
   * The value for {@code key}: joins the fetch in flight for it, or else subscribes {@code fetch}
   * once and shares its outcome.
   *
   * @param key the key; not null
   * @param fetch supplies the upstream request; called only by the leader, at subscription time
   * @return the fetched value, empty if the fetch completed empty, or its error; {@link
   *     CapacityExceededException} if {@code key} is not in flight and {@code maxInFlight} keys are
   */
  public Mono<V> get(K key, Supplier<Mono<V>> fetch) {
    requireNonNull(key, "key");
    requireNonNull(fetch, "fetch");
    return Mono.deferContextual(
        context -> {
          Sinks.One<V> candidate = Sinks.one();
          Sinks.One<V> flight =
              inFlight.computeIfAbsent(key, k -> tryReserve() ? candidate : null);
          if (flight == null) {
            rejections.increment();
            return Mono.error(
                new CapacityExceededException(component, "maxInFlight", maxInFlight));
          }
          if (flight != candidate) {
            joins.increment();
            return flight.asMono();
          }
          leaders.increment();
          // The only subscribe of this class: it detaches the fetch from the callers'
          // cancellation. Every terminal signal, including a supplier that throws, is routed to
          // the shared sink by Leader, so no error is lost.
          Mono.defer(fetch).subscribe(new Leader(key, flight, context));
          return flight.asMono();
        });
  }

  private boolean tryReserve() {
    int current;
    do {
      current = inFlightCount.get();
      if (current >= maxInFlight) {
        return false;
      }
    } while (!inFlightCount.compareAndSet(current, current + 1));
    return true;
  }

  /** Subscribes the fetch for one key and hands its outcome to the waiters of that key. */
  private final class Leader extends BaseSubscriber<V> {

    private final K key;
    private final Sinks.One<V> flight;
    private final Context context;
    private boolean done; // terminal signals are serialized: no need for volatile

    Leader(K key, Sinks.One<V> flight, ContextView context) {
      this.key = key;
      this.flight = flight;
      this.context = Context.of(context);
    }

    @Override
    public Context currentContext() {
      return context;
    }

    @Override
    protected void hookOnSubscribe(Subscription subscription) {
      subscription.request(Long.MAX_VALUE);
    }

    @Override
    protected void hookOnNext(V value) {
      if (release()) {
        flight.tryEmitValue(value);
      }
    }

    @Override
    protected void hookOnComplete() {
      // After a value the entry is already released and the sink already holds the value.
      if (release()) {
        flight.tryEmitEmpty();
      }
    }

    @Override
    protected void hookOnError(Throwable error) {
      if (release()) {
        flight.tryEmitError(error);
      }
    }

    /**
     * Removes the entry before the waiters are signalled, so a waiter that reacts to the outcome
     * with a new {@code get} starts a new fetch. Removal and release of the slot are one atomic
     * step for this key, so a {@code get} for it never sees the key gone but its slot still taken.
     * True only for the first terminal signal.
     */
    private boolean release() {
      if (done) {
        return false;
      }
      done = true;
      inFlight.computeIfPresent(
          key,
          (k, current) -> {
            if (current != flight) {
              return current;
            }
            inFlightCount.decrementAndGet();
            return null;
          });
      return true;
    }
  }
}
