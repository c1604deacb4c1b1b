package dev.quotegate.fetch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.core.scheduler.Schedulers;
import reactor.test.StepVerifier;
import reactor.test.scheduler.VirtualTimeScheduler;

class BatcherTest {

  private static final Duration TIMEOUT = Duration.ofSeconds(10);
  private static final Duration WINDOW = Duration.ofMillis(10);

  private final MeterRegistry registry = new SimpleMeterRegistry();
  private final VirtualTimeScheduler time = VirtualTimeScheduler.create();
  /** Every batch call, in call order. */
  private final List<List<String>> calls = new CopyOnWriteArrayList<>();

  @AfterEach
  void disposeTime() {
    time.dispose();
  }

  /** Answers every key with {@code quote:KEY}. */
  private Mono<Map<String, String>> answerAll(List<String> keys) {
    calls.add(keys);
    return Mono.just(keys.stream().collect(Collectors.toMap(k -> k, k -> "quote:" + k)));
  }

  private Batcher<String, String> batcher(
      int maxBatchSize, int maxPending, Function<List<String>, Mono<Map<String, String>>> fetch) {
    return new Batcher<>("quotes", WINDOW, maxBatchSize, maxPending, fetch, time, registry);
  }

  @Test
  void flushesWhenWindowElapses() {
    Batcher<String, String> batcher = batcher(20, 100, this::answerAll);

    StepVerifier aapl = StepVerifier.create(batcher.get("AAPL")).expectNext("quote:AAPL").expectComplete().verifyLater();
    StepVerifier msft = StepVerifier.create(batcher.get("MSFT")).expectNext("quote:MSFT").expectComplete().verifyLater();
    time.advanceTimeBy(WINDOW.minusMillis(1));
    assertThat(calls).as("no call before the window elapses").isEmpty();
    assertThat(pending()).isEqualTo(2);

    time.advanceTimeBy(Duration.ofMillis(1));

    assertThat(calls).containsExactly(List.of("AAPL", "MSFT"));
    aapl.verify(TIMEOUT);
    msft.verify(TIMEOUT);
    assertThat(flushes("window")).isEqualTo(1);
    assertThat(flushes("size")).isZero();
    assertThat(batchSizes().count()).isEqualTo(1);
    assertThat(batchSizes().totalAmount()).isEqualTo(2);
    assertThat(pending()).isZero();
  }

  @Test
  void windowStartsWithFirstKeyAndLaterKeysOpenANewBatch() {
    Batcher<String, String> batcher = batcher(20, 100, this::answerAll);

    batcher.get("AAPL").subscribe();
    time.advanceTimeBy(Duration.ofMillis(5));
    batcher.get("MSFT").subscribe();
    time.advanceTimeBy(Duration.ofMillis(5));
    assertThat(calls).as("flushed 10ms after the first key, not the last").containsExactly(List.of("AAPL", "MSFT"));

    batcher.get("GOOG").subscribe();
    time.advanceTimeBy(WINDOW.minusMillis(1));
    assertThat(calls).hasSize(1);
    time.advanceTimeBy(Duration.ofMillis(1));
    assertThat(calls).containsExactly(List.of("AAPL", "MSFT"), List.of("GOOG"));
    assertThat(flushes("window")).isEqualTo(2);
  }

  @Test
  void flushesAtBatchLimitWithoutWaitingForWindow() {
    Batcher<String, String> batcher = batcher(3, 100, this::answerAll);

    StepVerifier full =
        StepVerifier.create(Flux.merge(batcher.get("A"), batcher.get("B"), batcher.get("C")).collectList())
            .assertNext(values -> assertThat(values).containsExactlyInAnyOrder("quote:A", "quote:B", "quote:C"))
            .expectComplete()
            .verifyLater();
    full.verify(TIMEOUT); // answered with no virtual time elapsed
    assertThat(calls).containsExactly(List.of("A", "B", "C"));
    assertThat(flushes("size")).isEqualTo(1);

    batcher.get("D").subscribe();
    assertThat(calls).as("the next key opens a new batch that waits").hasSize(1);
    time.advanceTimeBy(WINDOW);
    assertThat(calls).containsExactly(List.of("A", "B", "C"), List.of("D"));
    assertThat(flushes("window")).isEqualTo(1);
  }

  @Test
  void fiftyKeysWithLimitTwentyMakeThreeBatchCalls() {
    Batcher<String, String> batcher = batcher(20, 100, this::answerAll);
    List<String> keys = IntStream.range(0, 50).mapToObj(i -> "S" + i).toList();

    StepVerifier all =
        StepVerifier.create(Flux.fromIterable(keys).flatMap(batcher::get).collectList())
            .assertNext(values -> assertThat(values).hasSize(50).containsExactlyInAnyOrderElementsOf(keys.stream().map(k -> "quote:" + k).toList()))
            .expectComplete()
            .verifyLater();
    assertThat(calls).as("two full batches before the window").hasSize(2);
    time.advanceTimeBy(WINDOW);
    all.verify(TIMEOUT);

    assertThat(calls).hasSize(3);
    assertThat(calls).extracting(List::size).containsExactly(20, 20, 10);
    assertThat(calls.stream().flatMap(List::stream).toList()).containsExactlyElementsOf(keys);
    assertThat(flushes("size")).isEqualTo(2);
    assertThat(flushes("window")).isEqualTo(1);
    assertThat(batchSizes().count()).isEqualTo(3);
    assertThat(batchSizes().max()).isEqualTo(20);
  }

  @Test
  void mergesDuplicateKeysInOpenBatch() {
    Batcher<String, String> batcher = batcher(20, 100, this::answerAll);

    StepVerifier first = StepVerifier.create(batcher.get("AAPL")).expectNext("quote:AAPL").expectComplete().verifyLater();
    StepVerifier second = StepVerifier.create(batcher.get("AAPL")).expectNext("quote:AAPL").expectComplete().verifyLater();
    batcher.get("MSFT").subscribe();
    assertThat(pending()).as("a merged key is pending once").isEqualTo(2);
    time.advanceTimeBy(WINDOW);

    first.verify(TIMEOUT);
    second.verify(TIMEOUT);
    assertThat(calls).containsExactly(List.of("AAPL", "MSFT"));
  }

  @Test
  void missingKeyCompletesEmpty() {
    Batcher<String, String> batcher =
        batcher(20, 100, keys -> { calls.add(keys); return Mono.just(Map.of("AAPL", "quote:AAPL")); });

    StepVerifier found = StepVerifier.create(batcher.get("AAPL")).expectNext("quote:AAPL").expectComplete().verifyLater();
    StepVerifier missing = StepVerifier.create(batcher.get("NOPE")).expectComplete().verifyLater();
    time.advanceTimeBy(WINDOW);

    found.verify(TIMEOUT);
    missing.verify(TIMEOUT);
    assertThat(pending()).isZero();
  }

  @Test
  void emptyBatchAnswerCompletesEveryCallerEmpty() {
    Batcher<String, String> batcher = batcher(20, 100, keys -> Mono.empty());

    StepVerifier a = StepVerifier.create(batcher.get("A")).expectComplete().verifyLater();
    StepVerifier b = StepVerifier.create(batcher.get("B")).expectComplete().verifyLater();
    time.advanceTimeBy(WINDOW);

    a.verify(TIMEOUT);
    b.verify(TIMEOUT);
    assertThat(pending()).isZero();
  }

  @Test
  void batchFailureReachesEveryCaller() {
    IllegalStateException boom = new IllegalStateException("provider down");
    Batcher<String, String> batcher = batcher(20, 100, keys -> Mono.error(boom));

    StepVerifier a = StepVerifier.create(batcher.get("A")).expectErrorSatisfies(e -> assertThat(e).isSameAs(boom)).verifyLater();
    StepVerifier b = StepVerifier.create(batcher.get("B")).expectErrorSatisfies(e -> assertThat(e).isSameAs(boom)).verifyLater();
    time.advanceTimeBy(WINDOW);

    a.verify(TIMEOUT);
    b.verify(TIMEOUT);
    assertThat(pending()).isZero();
  }

  @Test
  void batchFetchThatThrowsFailsEveryCaller() {
    Batcher<String, String> batcher =
        batcher(2, 100, keys -> { throw new IllegalArgumentException("bad batch " + keys); });

    StepVerifier a = StepVerifier.create(batcher.get("A")).expectErrorMessage("bad batch [A, B]").verifyLater();
    StepVerifier b = StepVerifier.create(batcher.get("B")).expectErrorMessage("bad batch [A, B]").verifyLater();

    a.verify(TIMEOUT);
    b.verify(TIMEOUT);
    assertThat(pending()).isZero();
  }

  @Test
  void batchesRunConcurrently() {
    Sinks.One<Map<String, String>> slow = Sinks.one();
    List<Mono<Map<String, String>>> answers = new ArrayList<>(List.of(slow.asMono()));
    Batcher<String, String> batcher =
        batcher(1, 100, keys -> answers.isEmpty() ? answerAll(keys) : answers.remove(0));

    StepVerifier first = StepVerifier.create(batcher.get("SLOW")).expectNext("late").expectComplete().verifyLater();
    StepVerifier.create(batcher.get("FAST"))
        .as("the second batch is answered while the first is still out")
        .expectNext("quote:FAST")
        .expectComplete()
        .verify(TIMEOUT);

    slow.tryEmitValue(Map.of("SLOW", "late"));
    first.verify(TIMEOUT);
  }

  @Test
  void cancelledCallerDoesNotCancelBatch() {
    Sinks.One<Map<String, String>> answer = Sinks.one();
    AtomicBoolean batchCancelled = new AtomicBoolean();
    Batcher<String, String> batcher =
        batcher(20, 100, keys -> { calls.add(keys); return answer.asMono().doOnCancel(() -> batchCancelled.set(true)); });

    StepVerifier.create(batcher.get("AAPL")).thenCancel().verify(TIMEOUT);
    StepVerifier sameKey = StepVerifier.create(batcher.get("AAPL")).expectNext("quote:AAPL").expectComplete().verifyLater();
    StepVerifier otherKey = StepVerifier.create(batcher.get("MSFT")).expectNext("quote:MSFT").expectComplete().verifyLater();
    Disposable givesUpAfterFlush = batcher.get("IBM").subscribe();
    time.advanceTimeBy(WINDOW);
    givesUpAfterFlush.dispose();

    answer.tryEmitValue(Map.of("AAPL", "quote:AAPL", "MSFT", "quote:MSFT"));

    sameKey.verify(TIMEOUT);
    otherKey.verify(TIMEOUT);
    assertThat(batchCancelled).isFalse();
    assertThat(calls).containsExactly(List.of("AAPL", "MSFT", "IBM"));
  }

  @Test
  void rejectsKeysBeyondPendingBound() {
    Sinks.One<Map<String, String>> firstAnswer = Sinks.one();
    Batcher<String, String> batcher =
        batcher(2, 3, keys -> calls.isEmpty() ? record(keys, firstAnswer.asMono()) : answerAll(keys));
    batcher.get("A").subscribe();
    batcher.get("B").subscribe(); // flushed by size, unanswered: still pending
    StepVerifier c = StepVerifier.create(batcher.get("C")).expectNext("quote:C").expectComplete().verifyLater();
    assertThat(pending()).isEqualTo(3);

    StepVerifier.create(batcher.get("D"))
        .expectErrorSatisfies(
            e -> {
              assertThat(e).isInstanceOf(CapacityExceededException.class).hasMessage("batcher 'quotes' is at its bound maxPending=3");
              assertThat(((CapacityExceededException) e).bound()).isEqualTo("maxPending");
            })
        .verify(TIMEOUT);
    StepVerifier cAgain = StepVerifier.create(batcher.get("C")).expectNext("quote:C").expectComplete().verifyLater();
    assertThat(rejected()).as("merging into the open batch is not rejected").isEqualTo(1);
    assertThat(gauge("quotegate.batcher.pending.max")).isEqualTo(3);

    firstAnswer.tryEmitValue(Map.of("A", "a", "B", "b"));
    assertThat(pending()).isEqualTo(1);
    StepVerifier d = StepVerifier.create(batcher.get("D")).expectNext("quote:D").expectComplete().verifyLater();
    c.verify(TIMEOUT);
    cAgain.verify(TIMEOUT);
    d.verify(TIMEOUT);
    assertThat(calls)
        .as("D joined C's open batch and filled it")
        .containsExactly(List.of("A", "B"), List.of("C", "D"));
    assertThat(pending()).isZero();
  }

  private Mono<Map<String, String>> record(List<String> keys, Mono<Map<String, String>> answer) {
    calls.add(keys);
    return answer;
  }

  @Test
  void nothingIsEnqueuedUntilSubscription() {
    Batcher<String, String> batcher = batcher(20, 100, this::answerAll);

    Mono<String> quote = batcher.get("AAPL");
    time.advanceTimeBy(WINDOW);

    assertThat(calls).isEmpty();
    assertThat(pending()).isZero();
    StepVerifier.create(quote).then(() -> time.advanceTimeBy(WINDOW)).expectNext("quote:AAPL").expectComplete().verify(TIMEOUT);
  }

  @Test
  void zeroWindowFlushesEachKeyAtOnce() {
    Batcher<String, String> batcher =
        new Batcher<>("quotes", Duration.ZERO, 20, 100, this::answerAll, time, registry);

    StepVerifier.create(Flux.concat(batcher.get("A"), batcher.get("B")))
        .expectNext("quote:A", "quote:B")
        .expectComplete()
        .verify(TIMEOUT);

    assertThat(calls).containsExactly(List.of("A"), List.of("B"));
    assertThat(time.getScheduledTaskCount()).as("no timer").isZero();
    assertThat(flushes("window")).isEqualTo(2);
  }

  @Test
  void rejectsInvalidConfiguration() {
    assertThatThrownBy(() -> new Batcher<String, String>("q", Duration.ofMillis(-1), 20, 100, this::answerAll, time, registry))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("window must be zero or positive, was PT-0.001S");
    assertThatThrownBy(() -> new Batcher<String, String>("q", WINDOW, 0, 100, this::answerAll, time, registry))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("maxBatchSize must be at least 1, was 0");
    assertThatThrownBy(() -> new Batcher<String, String>("q", WINDOW, 20, 10, this::answerAll, time, registry))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("maxPending must be at least maxBatchSize (20), was 10");
    assertThatThrownBy(() -> new Batcher<String, String>("q", WINDOW, 20, 100, null, time, registry))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("batchFetch");
  }

  @Test
  void concurrentCallersAreAllAnsweredInBoundedBatchesOfDistinctKeys() {
    int keys = 50;
    int gets = 8 * 1000;
    Batcher<String, String> batcher =
        new Batcher<>("concurrent", Duration.ofMillis(1), 20, gets, this::answerAll, Schedulers.parallel(), registry);

    Mono<Long> answered =
        Flux.range(0, gets)
            .parallel(8)
            .runOn(Schedulers.parallel())
            .flatMap(i -> batcher.get("K" + (i % keys)).filter(v -> v.equals("quote:K" + (i % keys))))
            .sequential()
            .count();

    StepVerifier.create(answered).expectNext((long) gets).expectComplete().verify(TIMEOUT);
    assertThat(calls).allSatisfy(
        batch -> {
          assertThat(batch).hasSizeBetween(1, 20);
          assertThat(new HashSet<>(batch)).as("distinct keys in a batch").hasSameSizeAs(batch);
        });
    assertThat(calls.stream().flatMap(List::stream).distinct())
        .as("the batches asked for exactly the keys that were requested")
        .containsExactlyInAnyOrderElementsOf(IntStream.range(0, keys).mapToObj(i -> "K" + i).toList());
    assertThat(registry.get("quotegate.batcher.pending").tag("name", "concurrent").gauge().value()).isZero();
    assertThat(registry.get("quotegate.batcher.batch.size").tag("name", "concurrent").summary().count()).isEqualTo(calls.size());
  }

  private double pending() {
    return gauge("quotegate.batcher.pending");
  }

  private double gauge(String name) {
    return registry.get(name).tag("name", "quotes").gauge().value();
  }

  private double flushes(String reason) {
    return registry.get("quotegate.batcher.flushes").tags("name", "quotes", "reason", reason).counter().count();
  }

  private double rejected() {
    return registry.get("quotegate.batcher.rejected").tag("name", "quotes").counter().count();
  }

  private DistributionSummary batchSizes() {
    return registry.get("quotegate.batcher.batch.size").tag("name", "quotes").summary();
  }
}
