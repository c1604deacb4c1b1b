package dev.quotegate.fetch;

import static java.util.Objects.requireNonNull;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.reactivestreams.Subscription;
import reactor.core.Disposable;
import reactor.core.publisher.BaseSubscriber;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.core.scheduler.Scheduler;

/**
 * Micro-batching: single-key requests that arrive close together go out as one batch call.
 *
 * <p>Guarantees of {@link #get(Object)}:
 *
 * <ul>
 *   <li><b>Lazy.</b> A key is enqueued when the returned {@code Mono} is subscribed.
 *   <li><b>Window and size.</b> The first key of an open batch starts a timer of {@code window} on
 *       the given scheduler; keys arriving before it fires join the batch. The batch is flushed
 *       when the window elapses or, without waiting, as soon as it holds {@code maxBatchSize}
 *       distinct keys; the next key opens a new batch. A {@code window} of zero disables waiting:
 *       every key is flushed at once, alone.
 *   <li><b>Duplicates merged.</b> A key already in the open batch is not added again; its callers
 *       share one answer. (Keys in a batch that is already flushed are not joined: put a {@link
 *       Coalescer} in front for that.)
 *   <li><b>One call per batch.</b> Each flushed batch calls {@code batchFetch} exactly once with
 *       its distinct keys in arrival order. Batches run concurrently; a slow batch does not hold
 *       back the next one.
 *   <li><b>Answers.</b> A key missing from the answer map (or an answer that completes empty)
 *       completes its callers empty. An error signalled or thrown by {@code batchFetch} fails every
 *       caller of that batch with that error.
 *   <li><b>Cancellation is per caller.</b> A cancelled caller stops waiting; the batch still runs
 *       for the other callers and its key stays in it.
 *   <li><b>Bounded.</b> {@code pending} counts the distinct keys in the open batch plus the keys of
 *       flushed batches that have not been answered yet. When it reaches {@code maxPending}, a new
 *       key fails fast with {@link CapacityExceededException}; a key that merges into the open
 *       batch is still accepted, since it adds no work.
 *   <li><b>Threads.</b> {@code get} may be called from many threads. A short lock guards the open
 *       batch only; {@code batchFetch} is subscribed and callers are completed outside it. A batch
 *       flushed by size is subscribed on the thread of the caller that filled it, a batch flushed
 *       by its window on the scheduler. The batch call does not carry a caller's Reactor context,
 *       since it serves many callers.
 * </ul>
 *
 * <p>Meters, tagged {@code name}: distribution summary {@code quotegate.batcher.batch.size}
 * (percentile histogram), counter {@code quotegate.batcher.flushes} with {@code
 * reason=size|window}, gauges {@code quotegate.batcher.pending} and {@code
 * quotegate.batcher.pending.max}, counter {@code quotegate.batcher.rejected}.
 *
 * @param <K> key type (equals/hashCode), for example a symbol
 * @param <V> value type
 */
public final class Batcher<K, V> {

  private final String component;
  private final Duration window;
  private final int maxBatchSize;
  private final int maxPending;
  private final Function<List<K>, Mono<Map<K, V>>> batchFetch;
  private final Scheduler scheduler;

  private final Object lock = new Object();
  private Batch<K, V> open; // guarded by lock
  // Incremented under lock only, so check-then-increment is atomic; decremented anywhere.
  private final AtomicInteger pending = new AtomicInteger();

  private final DistributionSummary batchSizes;
  private final Counter sizeFlushes;
  private final Counter windowFlushes;
  private final Counter rejections;

  /**
   * @param name names this batcher in meters and errors, for example {@code quotes}
   * @param window how long the first key of a batch waits for others; zero or positive
   * @param maxBatchSize the provider's batch limit, at least 1
   * @param maxPending bound on pending keys (see the class description), at least {@code
   *     maxBatchSize} so that a full batch can always form
   * @param batchFetch the batch call: distinct keys in, answers by key out
   * @param scheduler drives the window timer ({@code Schedulers.parallel()} in production)
   * @param registry where the meters are registered
   */
  public Batcher(
      String name,
      Duration window,
      int maxBatchSize,
      int maxPending,
      Function<List<K>, Mono<Map<K, V>>> batchFetch,
      Scheduler scheduler,
      MeterRegistry registry) {
    requireNonNull(name, "name");
    requireNonNull(window, "window");
    requireNonNull(batchFetch, "batchFetch");
    requireNonNull(scheduler, "scheduler");
    requireNonNull(registry, "registry");
    if (window.isNegative()) {
      throw new IllegalArgumentException("window must be zero or positive, was " + window);
    }
    if (maxBatchSize < 1) {
      throw new IllegalArgumentException("maxBatchSize must be at least 1, was " + maxBatchSize);
    }
    if (maxPending < maxBatchSize) {
      throw new IllegalArgumentException(
          "maxPending must be at least maxBatchSize ("
              + maxBatchSize
              + "), was "
              + maxPending);
    }
    this.component = "batcher '" + name + "'";
    this.window = window;
    this.maxBatchSize = maxBatchSize;
    this.maxPending = maxPending;
    this.batchFetch = batchFetch;
    this.scheduler = scheduler;
    this.batchSizes =
        DistributionSummary.builder(FetchMeters.BATCHER_BATCH_SIZE)
            .description("Distinct keys per flushed batch")
            .tag(FetchMeters.TAG_NAME, name)
            .publishPercentileHistogram()
            .register(registry);
    this.sizeFlushes = flushes(registry, name, "size");
    this.windowFlushes = flushes(registry, name, "window");
    this.rejections =
        Counter.builder(FetchMeters.BATCHER_REJECTED)
            .description("Keys refused because maxPending was reached")
            .tag(FetchMeters.TAG_NAME, name)
            .register(registry);
    Gauge.builder(FetchMeters.BATCHER_PENDING, pending, AtomicInteger::get)
        .description("Keys in the open batch plus keys of unanswered batches")
        .tag(FetchMeters.TAG_NAME, name)
        .register(registry);
    Gauge.builder(FetchMeters.BATCHER_PENDING_MAX, () -> maxPending)
        .description("Bound on pending keys")
        .tag(FetchMeters.TAG_NAME, name)
        .register(registry);
  }

  private static Counter flushes(MeterRegistry registry, String name, String reason) {
    return Counter.builder(FetchMeters.BATCHER_FLUSHES)
        .description("Flushed batches by reason")
        .tag(FetchMeters.TAG_NAME, name)
        .tag("reason", reason)
        .register(registry);
  }

  /**
   * The value for {@code key}, fetched in a batch with the keys that arrive around the same time.
   *
   * @param key the key; not null
   * @return the answer for {@code key}, empty if the batch answer lacks it, the batch's error, or
   *     {@link CapacityExceededException} if {@code maxPending} keys are pending
   */
  public Mono<V> get(K key) {
    requireNonNull(key, "key");
    return Mono.defer(() -> enqueue(key));
  }

  private Mono<V> enqueue(K key) {
    Sinks.One<V> waiter;
    Batch<K, V> opened = null;
    Batch<K, V> full = null;
    synchronized (lock) {
      if (open != null) {
        Sinks.One<V> existing = open.waiters.get(key);
        if (existing != null) {
          return existing.asMono();
        }
      }
      if (pending.get() >= maxPending) {
        waiter = null;
      } else {
        pending.incrementAndGet();
        if (open == null) {
          open = opened = new Batch<>();
        }
        waiter = Sinks.one();
        open.waiters.put(key, waiter);
        if (open.waiters.size() >= maxBatchSize || window.isZero()) {
          full = open;
          open = null;
        }
      }
    }
    if (waiter == null) {
      rejections.increment();
      return Mono.error(new CapacityExceededException(component, "maxPending", maxPending));
    }
    if (full != null) {
      Disposable timer = full.timer;
      if (timer != null) {
        timer.dispose();
      }
      flush(full);
    } else if (opened != null) {
      startWindow(opened);
    }
    return waiter.asMono();
  }

  private void startWindow(Batch<K, V> batch) {
    // Scheduled outside the lock: if the batch fills up meanwhile, the timer finds it flushed and
    // does nothing.
    try {
      batch.timer =
          scheduler.schedule(() -> onWindow(batch), window.toNanos(), TimeUnit.NANOSECONDS);
    } catch (RejectedExecutionException e) {
      // Scheduler shut down: flush now rather than leave the callers waiting forever.
      onWindow(batch);
    }
  }

  private void onWindow(Batch<K, V> batch) {
    synchronized (lock) {
      if (open != batch) {
        return;
      }
      open = null;
    }
    flush(batch);
  }

  private void flush(Batch<K, V> batch) {
    int size = batch.waiters.size();
    (size >= maxBatchSize ? sizeFlushes : windowFlushes).increment();
    batchSizes.record(size);
    List<K> keys = List.copyOf(batch.waiters.keySet());
    // The only subscribe of this class: the batch is shared by its callers and must not follow any
    // one caller's cancellation. Every terminal signal, including a batchFetch that throws, is
    // routed to the callers by Answer, so no error is lost.
    Mono.defer(() -> batchFetch.apply(keys)).subscribe(new Answer(Map.copyOf(batch.waiters)));
  }

  /** An open or flushed batch. Its waiters are only changed under the lock while it is open. */
  private static final class Batch<K, V> {
    final Map<K, Sinks.One<V>> waiters = new LinkedHashMap<>();
    volatile Disposable timer;
  }

  /** Receives one batch answer and completes the callers of that batch. */
  private final class Answer extends BaseSubscriber<Map<K, V>> {

    private final Map<K, Sinks.One<V>> waiters;
    private boolean done;

    Answer(Map<K, Sinks.One<V>> waiters) {
      this.waiters = waiters;
    }

    @Override
    protected void hookOnSubscribe(Subscription subscription) {
      subscription.request(Long.MAX_VALUE);
    }

    @Override
    protected void hookOnNext(Map<K, V> answers) {
      if (release()) {
        waiters.forEach(
            (key, waiter) -> {
              V value = answers.get(key);
              if (value == null) {
                waiter.tryEmitEmpty();
              } else {
                waiter.tryEmitValue(value);
              }
            });
      }
    }

    @Override
    protected void hookOnComplete() {
      if (release()) {
        waiters.values().forEach(Sinks.One::tryEmitEmpty);
      }
    }

    @Override
    protected void hookOnError(Throwable error) {
      if (release()) {
        waiters.values().forEach(waiter -> waiter.tryEmitError(error));
      }
    }

    /** Frees the pending slots before the callers are completed. True on the first signal only. */
    private boolean release() {
      if (done) {
        return false;
      }
      done = true;
      pending.addAndGet(-waiters.size());
      return true;
    }
  }
}
