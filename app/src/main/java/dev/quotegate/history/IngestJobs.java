package dev.quotegate.history;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.quotegate.calendar.BarInterval;
import dev.quotegate.platform.GatewayException;
import dev.quotegate.platform.GatewayException.UpstreamFailure;
import dev.quotegate.provider.Bar;
import dev.quotegate.web.Problems;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.util.retry.Retry;

/**
 * Bulk ingestion: loads bars for a list of symbols and a range into the store in the
 * background. Owns its jobs: a bounded number runs at once, each loads a bounded number of
 * symbols at once through {@link HistoryService} (so stored bars are skipped and writes are
 * batched), logs its progress every {@code ingest-progress-interval} and counts every symbol;
 * stopping the application disposes running jobs. Finished jobs are kept (bounded) for the
 * status endpoint.
 */
final class IngestJobs implements SmartLifecycle {

  private static final Logger log = LoggerFactory.getLogger(IngestJobs.class);
  private static final int MAX_ERRORS_KEPT = 20;

  private final HistoryService service;
  private final HistoryStore store;
  private final HistoryProperties props;
  private final Clock clock;
  private final Map<String, Job> jobs = new LinkedHashMap<>();
  private final AtomicInteger running = new AtomicInteger();
  private final Counter symbolsDone;
  private final Counter symbolsFailed;
  private final Counter rowsWritten;
  private volatile boolean started;

  IngestJobs(HistoryService service, HistoryStore store, HistoryProperties props, Clock clock, MeterRegistry registry) {
    this.service = service;
    this.store = store;
    this.props = props;
    this.clock = clock;
    this.symbolsDone = symbols(registry, "done");
    this.symbolsFailed = symbols(registry, "failed");
    this.rowsWritten =
        Counter.builder(HistoryMeters.INGEST_ROWS)
            .description("Bar rows written by bulk-ingest jobs (also counted in " + HistoryMeters.ROWS_WRITTEN + ")")
            .register(registry);
    Gauge.builder(HistoryMeters.INGEST_RUNNING, running, AtomicInteger::get)
        .description("Bulk-ingest jobs running")
        .register(registry);
    Gauge.builder(HistoryMeters.INGEST_RUNNING_MAX, props, HistoryProperties::ingestMaxRunning)
        .description("Bound on bulk-ingest jobs running at once")
        .register(registry);
  }

  private static Counter symbols(MeterRegistry registry, String outcome) {
    return Counter.builder(HistoryMeters.INGEST_SYMBOLS)
        .description("Symbols processed by bulk-ingest jobs, by outcome")
        .tag("outcome", outcome)
        .register(registry);
  }

  /** Starts a job; fails with a 503 when {@code ingest-max-running} jobs run or the store is down. */
  JobView submit(List<String> symbols, BarInterval interval, Instant from, Instant to) {
    if (!store.available()) {
      throw new GatewayException.Upstream("history-db", UpstreamFailure.UNAVAILABLE,
          "the history database is unavailable: bulk ingestion needs it", Duration.ofSeconds(30), null);
    }
    Job job;
    synchronized (jobs) {
      if (!started) {
        throw new GatewayException.Overloaded("the gateway is shutting down", Duration.ofSeconds(5));
      }
      if (running.get() >= props.ingestMaxRunning()) {
        throw new GatewayException.Overloaded(
            props.ingestMaxRunning() + " bulk-ingest jobs are running already", Duration.ofSeconds(30));
      }
      running.incrementAndGet();
      // Not UUID.randomUUID(): SecureRandom may block, and this runs on an event loop.
      ThreadLocalRandom r = ThreadLocalRandom.current();
      job = new Job(new UUID(r.nextLong(), r.nextLong()).toString(), List.copyOf(symbols), interval, from, to, clock.instant());
      jobs.put(job.id, job);
      while (jobs.size() > props.ingestRetainedJobs()) {
        String oldest = null;
        for (Job j : jobs.values()) {
          if (j.state.get() != State.RUNNING) {
            oldest = j.id;
            break;
          }
        }
        if (oldest == null) {
          break;
        }
        jobs.remove(oldest);
      }
    }
    log.info("ingest job {}: {} symbols of {} bars from {} to {}, {} at once",
        job.id, symbols.size(), interval.code(), from, to, props.ingestConcurrency());
    Disposable d =
        Flux.fromIterable(job.symbols)
            .flatMap(symbol -> one(job, symbol), props.ingestConcurrency())
            .then()
            .subscribe(
                v -> {},
                e -> finish(job, State.FAILED, e),
                () -> finish(job, job.failed.get() == job.symbols.size() && !job.symbols.isEmpty() ? State.FAILED : State.DONE, null));
    job.disposable.set(d);
    return job.view(clock.instant());
  }

  private Mono<Void> one(Job job, String symbol) {
    return service
        .ingest(symbol, job.interval, job.from, job.to)
        .doOnNext(
            r -> {
              if (!r.stored()) {
                throw new GatewayException.Upstream("history-db", UpstreamFailure.UNAVAILABLE,
                    "bars fetched but not stored: the history database failed", null, null);
              }
              job.done.incrementAndGet();
              job.bars.addAndGet(r.bars());
              job.upstreamRequests.addAndGet(r.gapFetches());
              rowsWritten.increment(r.bars());
              symbolsDone.increment();
            })
        // A symbol that failed on a transient error (upstream timeout, the store's back-off
        // after a failure) is tried again, twice, after the store's back-off.
        .retryWhen(Retry.backoff(2, props.unavailableBackoff())
            .filter(e -> !(e instanceof GatewayException.NotFound) && !(e instanceof GatewayException.InvalidRequest))
            .onRetryExhaustedThrow((spec, signal) -> signal.failure()))
        .onErrorResume(
            e -> {
              // Counted, logged and listed in the job's status; the job goes on with the next symbol.
              job.failed.incrementAndGet();
              symbolsFailed.increment();
              job.addError(symbol, e);
              log.warn("ingest job {}: {} failed: {}", job.id, symbol, e.getMessage());
              return Mono.empty();
            })
        .doFinally(s -> progress(job))
        .then();
  }

  private void progress(Job job) {
    long now = clock.millis();
    long last = job.lastLog.get();
    if (now - last >= props.ingestProgressInterval().toMillis() && job.lastLog.compareAndSet(last, now)) {
      log.info("ingest job {}: {}/{} symbols, {} bars written, {} failed",
          job.id, job.done.get() + job.failed.get(), job.symbols.size(), job.bars.get(), job.failed.get());
    }
  }

  private void finish(Job job, State state, Throwable e) {
    if (job.state.compareAndSet(State.RUNNING, state)) {
      job.finishedAt = clock.instant();
      running.decrementAndGet();
      if (e != null) {
        job.addError("*", e);
        log.error("ingest job {} failed", job.id, e);
      } else {
        log.info("ingest job {} {}: {}/{} symbols, {} bars written, {} upstream range requests, {} failed, in {}",
            job.id, state.code, job.done.get(), job.symbols.size(), job.bars.get(), job.upstreamRequests.get(),
            job.failed.get(), Duration.between(job.startedAt, job.finishedAt));
      }
    }
  }

  Optional<JobView> status(String id) {
    synchronized (jobs) {
      Job job = jobs.get(id);
      return job == null ? Optional.empty() : Optional.of(job.view(clock.instant()));
    }
  }

  List<JobView> list() {
    Instant now = clock.instant();
    List<JobView> out = new ArrayList<>();
    synchronized (jobs) {
      for (Job j : jobs.values()) {
        out.add(j.view(now));
      }
    }
    Collections.reverse(out);
    return out;
  }

  /** Cancels a running job; false when unknown. */
  Optional<JobView> cancel(String id) {
    Job job;
    synchronized (jobs) {
      job = jobs.get(id);
    }
    if (job == null) {
      return Optional.empty();
    }
    Disposable d = job.disposable.get();
    if (job.state.compareAndSet(State.RUNNING, State.CANCELLED)) {
      job.finishedAt = clock.instant();
      running.decrementAndGet();
      if (d != null) {
        d.dispose();
      }
      log.info("ingest job {} cancelled after {}/{} symbols", job.id, job.done.get() + job.failed.get(), job.symbols.size());
    }
    return Optional.of(job.view(clock.instant()));
  }

  @Override
  public void start() {
    started = true;
  }

  @Override
  public void stop() {
    List<Job> all;
    synchronized (jobs) {
      started = false;
      all = new ArrayList<>(jobs.values());
    }
    for (Job j : all) {
      if (j.state.get() == State.RUNNING) {
        cancel(j.id);
      }
    }
  }

  @Override
  public boolean isRunning() {
    return started;
  }

  enum State {
    RUNNING("running"),
    DONE("done"),
    FAILED("failed"),
    CANCELLED("cancelled");

    final String code;

    State(String code) {
      this.code = code;
    }
  }

  /** A job's status as the API shows it. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  record JobView(
      String id, String state, String interval, Instant from, Instant to, int symbols, int done, int failed,
      long barsWritten, long upstreamRequests, Instant startedAt, Instant finishedAt, long elapsedMs,
      List<SymbolError> errors) {}

  /** Why one symbol failed. */
  record SymbolError(String symbol, String error) {}

  private static final class Job {
    final String id;
    final List<String> symbols;
    final BarInterval interval;
    final Instant from;
    final Instant to;
    final Instant startedAt;
    volatile Instant finishedAt;
    final AtomicReference<State> state = new AtomicReference<>(State.RUNNING);
    final AtomicInteger done = new AtomicInteger();
    final AtomicInteger failed = new AtomicInteger();
    final AtomicLong bars = new AtomicLong();
    final AtomicLong upstreamRequests = new AtomicLong();
    final AtomicLong lastLog = new AtomicLong();
    final AtomicReference<Disposable> disposable = new AtomicReference<>();
    final List<SymbolError> errors = Collections.synchronizedList(new ArrayList<>());

    Job(String id, List<String> symbols, BarInterval interval, Instant from, Instant to, Instant startedAt) {
      this.id = id;
      this.symbols = symbols;
      this.interval = interval;
      this.from = from;
      this.to = to;
      this.startedAt = startedAt;
      this.lastLog.set(startedAt.toEpochMilli());
    }

    void addError(String symbol, Throwable e) {
      synchronized (errors) {
        if (errors.size() < MAX_ERRORS_KEPT) {
          errors.add(new SymbolError(symbol, e instanceof GatewayException g ? Problems.detail(g) : "failed unexpectedly (logged)"));
        }
      }
    }

    JobView view(Instant now) {
      Instant end = finishedAt != null ? finishedAt : now;
      List<SymbolError> errs;
      synchronized (errors) {
        errs = errors.isEmpty() ? null : List.copyOf(errors);
      }
      return new JobView(id, state.get().code, interval.code(), from, to, symbols.size(), done.get(), failed.get(),
          bars.get(), upstreamRequests.get(), startedAt, finishedAt, Duration.between(startedAt, end).toMillis(), errs);
    }
  }
}
