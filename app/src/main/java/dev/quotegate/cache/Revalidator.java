package dev.quotegate.cache;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.Disposable;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

/**
 * Background refreshes for stale-while-revalidate: a bounded set of keys waiting, refreshed
 * with bounded concurrency by one loop this object owns ({@link #close()} disposes it). A key
 * already waiting or refreshing is not queued again.
 *
 * <p>Meters (tag {@code kind}): counter {@code quotegate.cache.revalidations} with {@code
 * outcome=queued|deduplicated|rejected|succeeded|failed}, gauges {@code
 * quotegate.cache.revalidations.pending} and {@code .pending.max}.
 */
final class Revalidator implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(Revalidator.class);

  private record Task(String key, Supplier<Mono<?>> refresh) {}

  private final int capacity;
  private final Set<String> pending = ConcurrentHashMap.newKeySet();
  private final Sinks.Many<Task> queue = Sinks.many().unicast().onBackpressureBuffer();
  private final Disposable loop;
  private final Counter queued;
  private final Counter deduplicated;
  private final Counter rejected;
  private final Counter succeeded;
  private final Counter failed;

  Revalidator(CacheKind kind, int capacity, int concurrency, MeterRegistry registry) {
    this.capacity = capacity;
    this.queued = counter(registry, kind, "queued");
    this.deduplicated = counter(registry, kind, "deduplicated");
    this.rejected = counter(registry, kind, "rejected");
    this.succeeded = counter(registry, kind, "succeeded");
    this.failed = counter(registry, kind, "failed");
    Gauge.builder("quotegate.cache.revalidations.pending", pending, Set::size)
        .description("Keys waiting for or in a background refresh")
        .tag("kind", kind.tag())
        .register(registry);
    Gauge.builder("quotegate.cache.revalidations.pending.max", () -> capacity)
        .description("Bound on keys waiting for or in a background refresh")
        .tag("kind", kind.tag())
        .register(registry);
    // The loop this component owns; every refresh's error is logged and counted here.
    this.loop =
        queue
            .asFlux()
            .flatMap(
                t ->
                    Mono.defer(t.refresh())
                        .doOnSuccess(v -> succeeded.increment())
                        .onErrorResume(
                            e -> {
                              failed.increment();
                              log.debug("background refresh of {} failed: {}", t.key(), e.toString());
                              return Mono.empty();
                            })
                        .doFinally(s -> pending.remove(t.key())),
                concurrency)
            .subscribe(v -> {}, e -> log.error("revalidation loop ended", e));
  }

  private static Counter counter(MeterRegistry registry, CacheKind kind, String outcome) {
    return Counter.builder("quotegate.cache.revalidations")
        .description("Stale-while-revalidate background refreshes by outcome")
        .tag("kind", kind.tag())
        .tag("outcome", outcome)
        .register(registry);
  }

  /** Queues a refresh of {@code key} unless one is waiting or running, or the queue is full. */
  void submit(String key, Supplier<Mono<?>> refresh) {
    if (pending.size() >= capacity) {
      rejected.increment();
      return;
    }
    if (!pending.add(key)) {
      deduplicated.increment();
      return;
    }
    Sinks.EmitResult r;
    synchronized (queue) {
      r = queue.tryEmitNext(new Task(key, refresh));
    }
    if (r.isFailure()) {
      pending.remove(key);
      rejected.increment();
    } else {
      queued.increment();
    }
  }

  int pending() {
    return pending.size();
  }

  @Override
  public void close() {
    loop.dispose();
  }
}
