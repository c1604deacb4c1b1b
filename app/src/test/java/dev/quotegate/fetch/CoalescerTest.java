package dev.quotegate.fetch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.core.scheduler.Schedulers;
import reactor.test.StepVerifier;
import reactor.util.context.Context;

class CoalescerTest {

  private static final Duration TIMEOUT = Duration.ofSeconds(10);

  private final MeterRegistry registry = new SimpleMeterRegistry();
  private final Coalescer<String, String> coalescer = new Coalescer<>("quotes", 100, registry);

  /** A fetch that counts its subscriptions and answers when the test says so. */
  private static final class ControlledFetch implements Supplier<Mono<String>> {
    final AtomicInteger subscriptions = new AtomicInteger();
    final AtomicBoolean cancelled = new AtomicBoolean();
    final Sinks.One<String> upstream = Sinks.one();

    @Override
    public Mono<String> get() {
      return Mono.defer(
          () -> {
            subscriptions.incrementAndGet();
            return upstream.asMono().doOnCancel(() -> cancelled.set(true));
          });
    }
  }

  @Test
  void nothingHappensUntilSubscription() {
    ControlledFetch fetch = new ControlledFetch();

    Mono<String> quote = coalescer.get("AAPL", fetch);

    assertThat(fetch.subscriptions).hasValue(0);
    assertThat(inflight()).isZero();
    assertThat(requests("leader")).isZero();
    quote.subscribe();
    assertThat(fetch.subscriptions).hasValue(1);
  }

  @Test
  void coalescesConcurrentRequestsForSameKey() throws InterruptedException {
    ControlledFetch fetch = new ControlledFetch();
    int callers = 500;
    CountDownLatch registered = new CountDownLatch(callers);
    // doOnSubscribe runs after get's body, i.e. once the caller has led or joined.
    Mono<List<String>> all =
        Flux.range(0, callers)
            .flatMap(
                i ->
                    coalescer
                        .get("AAPL", fetch)
                        .doOnSubscribe(s -> registered.countDown())
                        .subscribeOn(Schedulers.parallel()),
                callers)
            .collectList();

    StepVerifier verifier =
        StepVerifier.create(all)
            .assertNext(values -> assertThat(values).hasSize(callers).containsOnly("quote:AAPL"))
            .expectComplete()
            .verifyLater();
    assertThat(registered.await(10, TimeUnit.SECONDS)).as("all callers registered").isTrue();
    assertThat(inflight()).isEqualTo(1);
    fetch.upstream.tryEmitValue("quote:AAPL");
    verifier.verify(TIMEOUT);

    assertThat(fetch.subscriptions).as("fetch subscriptions").hasValue(1);
    assertThat(requests("leader")).isEqualTo(1);
    assertThat(requests("joined")).isEqualTo(callers - 1);
    assertThat(inflight()).isZero();
  }

  @Test
  void wakesWaitersSynchronouslyWhenFetchCompletes() {
    ControlledFetch fetch = new ControlledFetch();
    List<String> received = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      coalescer.get("AAPL", fetch).subscribe(received::add);
    }
    assertThat(received).isEmpty();

    fetch.upstream.tryEmitValue("quote:AAPL");

    // No await: the fetch's own signal completed every waiter on this thread.
    assertThat(received).containsExactly("quote:AAPL", "quote:AAPL", "quote:AAPL");
  }

  @Test
  void cancelledCallerDoesNotCancelSharedFetch() {
    ControlledFetch fetch = new ControlledFetch();

    StepVerifier.create(coalescer.get("AAPL", fetch)).thenCancel().verify(TIMEOUT);
    StepVerifier.create(coalescer.get("AAPL", fetch))
        .then(() -> fetch.upstream.tryEmitValue("quote:AAPL"))
        .expectNext("quote:AAPL")
        .expectComplete()
        .verify(TIMEOUT);

    assertThat(fetch.cancelled).as("upstream cancelled").isFalse();
    assertThat(fetch.subscriptions).hasValue(1);
    assertThat(requests("joined")).isEqualTo(1);
  }

  @Test
  void fetchRunsToCompletionWhenEveryCallerCancels() {
    ControlledFetch fetch = new ControlledFetch();
    Map<String, String> cache = new ConcurrentHashMap<>();
    Supplier<Mono<String>> fetchAndCache =
        () -> fetch.get().doOnNext(quote -> cache.put("AAPL", quote));

    StepVerifier.create(coalescer.get("AAPL", fetchAndCache)).thenCancel().verify(TIMEOUT);
    StepVerifier.create(coalescer.get("AAPL", fetchAndCache)).thenCancel().verify(TIMEOUT);
    assertThat(inflight()).as("still in flight with no caller").isEqualTo(1);

    // A caller arriving meanwhile joins the abandoned fetch rather than starting another.
    StepVerifier.create(coalescer.get("AAPL", fetchAndCache))
        .then(() -> fetch.upstream.tryEmitValue("quote:AAPL"))
        .expectNext("quote:AAPL")
        .expectComplete()
        .verify(TIMEOUT);

    assertThat(fetch.cancelled).isFalse();
    assertThat(fetch.subscriptions).hasValue(1);
    assertThat(cache).containsEntry("AAPL", "quote:AAPL");
    assertThat(inflight()).isZero();
  }

  @Test
  void failureReachesEveryWaiterAndIsNotRemembered() {
    ControlledFetch failing = new ControlledFetch();
    IllegalStateException boom = new IllegalStateException("provider down");

    StepVerifier first = StepVerifier.create(coalescer.get("AAPL", failing))
        .expectErrorSatisfies(e -> assertThat(e).isSameAs(boom))
        .verifyLater();
    StepVerifier second = StepVerifier.create(coalescer.get("AAPL", failing))
        .expectErrorSatisfies(e -> assertThat(e).isSameAs(boom))
        .verifyLater();
    failing.upstream.tryEmitError(boom);
    first.verify(TIMEOUT);
    second.verify(TIMEOUT);
    assertThat(inflight()).isZero();

    ControlledFetch next = new ControlledFetch();
    next.upstream.tryEmitValue("quote:AAPL");
    StepVerifier.create(coalescer.get("AAPL", next))
        .expectNext("quote:AAPL")
        .expectComplete()
        .verify(TIMEOUT);
    assertThat(failing.subscriptions).hasValue(1);
    assertThat(next.subscriptions).as("new fetch after failure").hasValue(1);
  }

  @Test
  void emptyResultCompletesEveryWaiterEmptyAndIsNotRemembered() {
    ControlledFetch empty = new ControlledFetch();

    StepVerifier first = StepVerifier.create(coalescer.get("NOPE", empty)).expectComplete().verifyLater();
    StepVerifier second = StepVerifier.create(coalescer.get("NOPE", empty)).expectComplete().verifyLater();
    empty.upstream.tryEmitEmpty();
    first.verify(TIMEOUT);
    second.verify(TIMEOUT);
    assertThat(inflight()).isZero();

    ControlledFetch next = new ControlledFetch();
    next.upstream.tryEmitValue("listed now");
    StepVerifier.create(coalescer.get("NOPE", next))
        .expectNext("listed now")
        .expectComplete()
        .verify(TIMEOUT);
    assertThat(next.subscriptions).hasValue(1);
  }

  @Test
  void fetchSupplierThatThrowsFailsTheCallerAndFreesTheKey() {
    Supplier<Mono<String>> throwing =
        () -> {
          throw new IllegalArgumentException("bad request");
        };

    StepVerifier.create(coalescer.get("AAPL", throwing))
        .expectErrorMessage("bad request")
        .verify(TIMEOUT);

    assertThat(inflight()).isZero();
    StepVerifier.create(coalescer.get("AAPL", () -> Mono.just("ok")))
        .expectNext("ok")
        .expectComplete()
        .verify(TIMEOUT);
  }

  @Test
  void callerWokenByCompletionStartsANewFetch() {
    ControlledFetch first = new ControlledFetch();
    AtomicInteger secondFetches = new AtomicInteger();
    Supplier<Mono<String>> second =
        () -> Mono.fromSupplier(() -> "fresh#" + secondFetches.incrementAndGet());

    // The waiter reacts to the first outcome with a new get, on the completing thread. The entry
    // must already be gone: joining the finished fetch would hand it the old value.
    Mono<String> chained = coalescer.get("AAPL", first).flatMap(old -> coalescer.get("AAPL", second));

    StepVerifier.create(chained)
        .then(() -> first.upstream.tryEmitValue("old"))
        .expectNext("fresh#1")
        .expectComplete()
        .verify(TIMEOUT);
    assertThat(requests("leader")).isEqualTo(2);
    assertThat(requests("joined")).isZero();
    assertThat(inflight()).isZero();
  }

  @Test
  void rejectsNewKeysBeyondInFlightBound() {
    Coalescer<String, String> bounded = new Coalescer<>("bounded", 2, registry);
    ControlledFetch aapl = new ControlledFetch();
    ControlledFetch msft = new ControlledFetch();
    StepVerifier aaplCaller =
        StepVerifier.create(bounded.get("AAPL", aapl)).expectNext("a").expectComplete().verifyLater();
    bounded.get("MSFT", msft).subscribe();

    StepVerifier.create(bounded.get("GOOG", () -> Mono.just("never fetched")))
        .expectErrorSatisfies(
            e ->
                assertThat(e)
                    .isInstanceOf(CapacityExceededException.class)
                    .hasMessageContaining("coalescer 'bounded'")
                    .hasMessageContaining("maxInFlight=2")
                    .satisfies(
                        c -> {
                          CapacityExceededException capacity = (CapacityExceededException) c;
                          assertThat(capacity.bound()).isEqualTo("maxInFlight");
                          assertThat(capacity.limit()).isEqualTo(2);
                        }))
        .verify(TIMEOUT);
    StepVerifier joiner =
        StepVerifier.create(bounded.get("AAPL", aapl)).expectNext("a").expectComplete().verifyLater();

    assertThat(registry.get("quotegate.coalescer.requests").tags("name", "bounded", "outcome", "rejected").counter().count())
        .isEqualTo(1);
    assertThat(registry.get("quotegate.coalescer.inflight").tag("name", "bounded").gauge().value())
        .isEqualTo(2);
    assertThat(registry.get("quotegate.coalescer.inflight.max").tag("name", "bounded").gauge().value())
        .isEqualTo(2);

    aapl.upstream.tryEmitValue("a");
    aaplCaller.verify(TIMEOUT);
    joiner.verify(TIMEOUT);
    assertThat(aapl.subscriptions).hasValue(1);
    StepVerifier.create(bounded.get("GOOG", () -> Mono.just("g")))
        .expectNext("g")
        .expectComplete()
        .verify(TIMEOUT);
  }

  @Test
  void fetchSeesTheLeadersContext() {
    Supplier<Mono<String>> fetch =
        () -> Mono.deferContextual(context -> Mono.just(context.<String>get("traceId")));

    StepVerifier.create(coalescer.get("AAPL", fetch).contextWrite(Context.of("traceId", "t-1")))
        .expectNext("t-1")
        .expectComplete()
        .verify(TIMEOUT);
  }

  @Test
  void concurrentCallersOverManyKeysNeverRunTwoFetchesForOneKeyAndNeverHang() {
    int keys = 50;
    int threads = 8;
    int getsPerThread = 1000;
    Map<String, AtomicInteger> fetches = new ConcurrentHashMap<>();
    Map<String, AtomicInteger> running = new ConcurrentHashMap<>();
    AtomicBoolean overlap = new AtomicBoolean();
    Coalescer<String, String> shared = new Coalescer<>("concurrent", keys, registry);

    Mono<Long> answered =
        Flux.range(0, threads * getsPerThread)
            .parallel(threads)
            .runOn(Schedulers.parallel())
            .flatMap(
                i -> {
                  String key = "K" + (i % keys);
                  return shared.get(
                      key,
                      () ->
                          Mono.defer(
                              () -> {
                                fetches.computeIfAbsent(key, k -> new AtomicInteger()).incrementAndGet();
                                AtomicInteger active = running.computeIfAbsent(key, k -> new AtomicInteger());
                                if (active.incrementAndGet() > 1) {
                                  overlap.set(true);
                                }
                                // Answers on another thread, racing with new joiners; it stops
                                // counting as running before the waiters hear the answer.
                                return Mono.fromSupplier(
                                        () -> {
                                          active.decrementAndGet();
                                          return "quote:" + key;
                                        })
                                    .subscribeOn(Schedulers.parallel());
                              }));
                })
            .sequential()
            .filter(v -> v.startsWith("quote:K"))
            .count();

    StepVerifier.create(answered).expectNext((long) threads * getsPerThread).expectComplete().verify(TIMEOUT);

    assertThat(overlap).as("two fetches for one key at once").isFalse();
    assertThat(fetches).hasSize(keys);
    assertThat(fetches.values()).allSatisfy(count -> assertThat(count.get()).isBetween(1, threads * getsPerThread / keys));
    long totalFetches = fetches.values().stream().mapToLong(AtomicInteger::get).sum();
    double leaders = registry.get("quotegate.coalescer.requests").tags("name", "concurrent", "outcome", "leader").counter().count();
    double joined = registry.get("quotegate.coalescer.requests").tags("name", "concurrent", "outcome", "joined").counter().count();
    assertThat(leaders).as("one leader per fetch").isEqualTo(totalFetches);
    assertThat(leaders + joined).isEqualTo(threads * getsPerThread);
    assertThat(registry.get("quotegate.coalescer.inflight").tag("name", "concurrent").gauge().value()).isZero();
  }

  @Test
  void rejectsInvalidConfiguration() {
    assertThatThrownBy(() -> new Coalescer<String, String>("q", 0, registry))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("maxInFlight must be at least 1, was 0");
  }

  private double requests(String outcome) {
    return registry.get("quotegate.coalescer.requests").tags("name", "quotes", "outcome", outcome).counter().count();
  }

  private double inflight() {
    return registry.get("quotegate.coalescer.inflight").tag("name", "quotes").gauge().value();
  }
}
