package dev.quotegate.fetch;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;
import reactor.test.StepVerifier;
import reactor.test.scheduler.VirtualTimeScheduler;

/** The quote path's composition: {@code coalescer.get(symbol, () -> batcher.get(symbol))}. */
class CoalescerBatcherTest {

  private static final Duration WINDOW = Duration.ofMillis(10);

  @Test
  void fiftyKeysTimesTenConcurrentCallersMakeThreeBatchCallsWithEveryKeyOnce()
      throws InterruptedException {
    MeterRegistry registry = new SimpleMeterRegistry();
    VirtualTimeScheduler time = VirtualTimeScheduler.create();
    List<List<String>> calls = new CopyOnWriteArrayList<>();
    // Batch answers are held back until every caller is registered, so no caller can arrive
    // after its key's fetch completed (which would rightly start a new fetch).
    Sinks.Empty<Void> answersReleased = Sinks.empty();
    Batcher<String, String> batcher =
        new Batcher<>(
            "quotes",
            WINDOW,
            20,
            1000,
            keys -> {
              calls.add(keys);
              return answersReleased
                  .asMono()
                  .then(Mono.fromSupplier(() -> keys.stream().collect(Collectors.toMap(k -> k, k -> "quote:" + k))));
            },
            time,
            registry);
    Coalescer<String, String> coalescer = new Coalescer<>("quotes", 1000, registry);
    List<String> symbols = IntStream.range(0, 50).mapToObj(i -> "S" + i).toList();
    int callers = symbols.size() * 10;
    CountDownLatch registered = new CountDownLatch(callers);
    // Callers on a scheduler of the test's own: the JVM-wide parallel one is shared with the
    // cached application contexts of earlier tests, whose background work can hold its workers.
    Scheduler callerThreads = Schedulers.newParallel("callers", 4);
    List<Throwable> errors = new CopyOnWriteArrayList<>();

    Mono<Map<String, List<String>>> answers =
        Flux.range(0, callers)
            .flatMap(
                i -> {
                  String symbol = symbols.get(i % symbols.size());
                  return coalescer
                      .get(symbol, () -> batcher.get(symbol))
                      .doOnSubscribe(s -> registered.countDown())
                      .doOnError(errors::add)
                      .subscribeOn(callerThreads);
                },
                callers)
            .collect(Collectors.groupingBy(v -> v));
    StepVerifier verifier =
        StepVerifier.create(answers)
            .assertNext(
                byValue -> {
                  assertThat(byValue).hasSize(50);
                  assertThat(byValue.values()).allSatisfy(v -> assertThat(v).hasSize(10));
                })
            .expectComplete()
            .verifyLater();

    assertThat(registered.await(30, TimeUnit.SECONDS))
        .as("all callers registered (%d missing; errors: %s)", registered.getCount(), errors).isTrue();
    assertThat(calls).as("two full batches go out without waiting").hasSize(2);
    time.advanceTimeBy(WINDOW);
    answersReleased.tryEmitEmpty();
    verifier.verify(Duration.ofSeconds(10));

    assertThat(calls).hasSize(3);
    assertThat(calls).extracting(List::size).containsExactly(20, 20, 10);
    assertThat(calls.stream().flatMap(List::stream).toList())
        .as("every key asked for exactly once")
        .containsExactlyInAnyOrderElementsOf(symbols);
    assertThat(registry.get("quotegate.coalescer.requests").tag("outcome", "leader").counter().count())
        .isEqualTo(50);
    assertThat(registry.get("quotegate.coalescer.requests").tag("outcome", "joined").counter().count())
        .isEqualTo(callers - 50);
    assertThat(registry.get("quotegate.batcher.flushes").tag("reason", "size").counter().count()).isEqualTo(2);
    assertThat(registry.get("quotegate.batcher.flushes").tag("reason", "window").counter().count()).isEqualTo(1);
    assertThat(registry.get("quotegate.batcher.pending").gauge().value()).isZero();
    assertThat(registry.get("quotegate.coalescer.inflight").gauge().value()).isZero();
    time.dispose();
    callerThreads.dispose();
  }
}
