package dev.quotegate.history;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.quotegate.calendar.BarInterval;
import dev.quotegate.history.IngestJobStore.JobRow;
import dev.quotegate.history.IngestJobStore.JobSymbol;
import dev.quotegate.platform.GatewayException;
import dev.quotegate.platform.GatewayException.UpstreamFailure;
import dev.quotegate.web.Problems;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
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
import reactor.core.scheduler.Schedulers;
import reactor.util.retry.Retry;

/**
 * Bulk ingestion: loads bars for a list of symbols and a range into the store in the
 * background, as jobs kept in the database ({@link IngestJobStore}) so they outlive the process.
 *
 * <p>A bounded number of jobs runs per instance, each loading a bounded number of symbols at
 * once through {@link HistoryService#ingest}: a symbol's bars and its "done" record commit in
 * one transaction, so the job's counts ({@code done}, {@code barsWritten},
 * {@code upstreamRequests}) always match what the store holds. Every
 * {@code quotegate.history.ingest.heartbeat-interval} the instance marks its running jobs alive
 * and marks {@code interrupted} the running jobs of any instance whose heartbeat is older than
 * {@code stale-after} (it crashed or was killed); a graceful stop marks its own running jobs
 * interrupted at once. An interrupted, failed or cancelled job is resumed by
 * {@link #resume(String)}: only its symbols not yet done are loaded.
 */
final class IngestJobs implements SmartLifecycle {

  private static final Logger log = LoggerFactory.getLogger(IngestJobs.class);

  private final HistoryService service;
  private final HistoryStore store;
  private final IngestJobStore jobStore;
  private final HistoryProperties props;
  private final IngestProperties ingest;
  private final Clock clock;
  private final String owner;
  private final Map<String, Job> local = new ConcurrentHashMap<>();
  private final AtomicInteger running = new AtomicInteger();
  private final AtomicReference<Disposable> sweeper = new AtomicReference<>();
  private final Counter symbolsDone;
  private final Counter symbolsFailed;
  private final Counter rowsWritten;
  private final Counter interruptedJobs;
  private volatile boolean started;

  IngestJobs(HistoryService service, HistoryStore store, IngestJobStore jobStore, HistoryProperties props,
      IngestProperties ingest, Clock clock, MeterRegistry registry) {
    this.service = service;
    this.store = store;
    this.jobStore = jobStore;
    this.props = props;
    this.ingest = ingest;
    this.clock = clock;
    ThreadLocalRandom r = ThreadLocalRandom.current();
    this.owner = "pid-" + ProcessHandle.current().pid() + "-" + Long.toHexString(r.nextLong() & 0xffffffffL);
    this.symbolsDone = symbols(registry, "done");
    this.symbolsFailed = symbols(registry, "failed");
    this.rowsWritten =
        Counter.builder(HistoryMeters.INGEST_ROWS)
            .description("Bar rows written by bulk-ingest jobs (also counted in " + HistoryMeters.ROWS_WRITTEN + ")")
            .register(registry);
    this.interruptedJobs =
        Counter.builder(HistoryMeters.INGEST_INTERRUPTED)
            .description("Running bulk-ingest jobs marked interrupted (their instance stopped or stopped beating)")
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

  /** Starts a job; a 503 when {@code ingest-max-running} jobs run here or the store is down. */
  Mono<JobView> submit(List<String> symbols, BarInterval interval, Instant from, Instant to) {
    return Mono.defer(() -> {
      reserve();
      // Not UUID.randomUUID(): SecureRandom may block, and this runs on an event loop.
      ThreadLocalRandom r = ThreadLocalRandom.current();
      String id = new UUID(r.nextLong(), r.nextLong()).toString();
      long now = clock.millis();
      JobRow row = new JobRow(id, State.RUNNING.code, interval.code(), from.toEpochMilli(), to.toEpochMilli(),
          symbols.size(), 0, 0, 0, 0, owner, now, now, null, 0, null);
      List<JobSymbol> todo = new ArrayList<>(symbols.size());
      for (int i = 0; i < symbols.size(); i++) {
        todo.add(new JobSymbol(i, symbols.get(i)));
      }
      return jobStore.create(row, symbols)
          .onErrorMap(e -> !(e instanceof GatewayException), IngestJobs::databaseDown)
          .doOnError(e -> running.decrementAndGet())
          .then(Mono.fromSupplier(() -> {
            Job job = new Job(row);
            log.info("ingest job {}: {} symbols of {} bars from {} to {}, {} at once",
                id, symbols.size(), interval.code(), from, to, props.ingestConcurrency());
            run(job, todo);
            return job.view(clock.instant());
          }))
          .flatMap(v -> jobStore.prune(props.ingestRetainedJobs())
              .onErrorResume(e -> {
                log.debug("pruning old ingest jobs failed: {}", HistoryDatabase.rootMessage(e));
                return Mono.empty();
              })
              .thenReturn(v));
    });
  }

  /**
   * Resumes an interrupted, failed or cancelled job: its symbols not yet done (failed ones
   * again). 404 when unknown, 400 naming {@code id} when it is running or done.
   */
  Mono<JobView> resume(String id) {
    return jobStore.find(id)
        .onErrorMap(e -> !(e instanceof GatewayException), IngestJobs::databaseDown)
        .flatMap(found -> {
          JobRow row = found.orElseThrow(() -> new GatewayException.NotFound("job", "no ingest job " + id));
          if (State.RUNNING.code.equals(row.state()) || (State.DONE.code.equals(row.state()) && row.failed() == 0)) {
            throw new GatewayException.InvalidRequest("id", "ingest job " + id + " is " + row.state()
                + ": only interrupted, failed or cancelled jobs (or done ones with failed symbols) resume");
          }
          reserve();
          return jobStore.claim(id, owner, clock.millis())
              .flatMap(claimed -> claimed.isEmpty()
                  ? Mono.<JobView>error(new GatewayException.InvalidRequest("id", "ingest job " + id + " is running"))
                  : jobStore.pending(id).map(todo -> {
                    Job job = new Job(claimed.get());
                    log.info("ingest job {} resumed ({} time{}): {} of {} symbols left", id, job.resumes,
                        job.resumes == 1 ? "" : "s", todo.size(), job.symbols);
                    run(job, todo);
                    return job.view(clock.instant());
                  }))
              .onErrorMap(e -> !(e instanceof GatewayException), IngestJobs::databaseDown)
              .doOnError(e -> running.decrementAndGet());
        });
  }

  private void reserve() {
    if (!store.available()) {
      throw new GatewayException.Upstream("history-db", UpstreamFailure.UNAVAILABLE,
          "the history database is unavailable: bulk ingestion needs it", Duration.ofSeconds(30), null);
    }
    synchronized (local) {
      if (!started) {
        throw new GatewayException.Overloaded("the gateway is shutting down", Duration.ofSeconds(5));
      }
      if (running.get() >= props.ingestMaxRunning()) {
        throw new GatewayException.Overloaded(
            props.ingestMaxRunning() + " bulk-ingest jobs are running already", Duration.ofSeconds(30));
      }
      running.incrementAndGet();
    }
  }

  private static GatewayException databaseDown(Throwable e) {
    return new GatewayException.Upstream("history-db", UpstreamFailure.UNAVAILABLE,
        "the history database failed: " + HistoryDatabase.rootMessage(e), Duration.ofSeconds(5), e);
  }

  /** Runs {@code todo} of {@code job} in the background (owned here: disposed on cancel or stop). */
  private void run(Job job, List<JobSymbol> todo) {
    local.put(job.id, job);
    Disposable d =
        Flux.fromIterable(todo)
            .flatMap(symbol -> one(job, symbol), props.ingestConcurrency())
            .then(Mono.defer(() -> finish(job, job.failed.get() == todo.size() && !todo.isEmpty() ? State.FAILED : State.DONE, null)))
            .onErrorResume(e -> finish(job, State.FAILED, e))
            .subscribe(
                v -> {},
                e -> log.error("ingest job {} could not record its end", job.id, e));
    job.disposable.set(d);
  }

  private Mono<Void> one(Job job, JobSymbol sym) {
    AtomicLong upstream = new AtomicLong();
    return service
        .ingest(sym.symbol(), job.interval, job.from, job.to, ingest.maxSymbolBars(), upstream,
            (c, bars) -> jobStore.symbolDone(c, job.id, sym.pos(), bars, upstream.get(), clock.millis()))
        // A symbol that failed on a transient error (upstream timeout, the store's back-off
        // after a failure) is tried again, twice, after the store's back-off.
        .retryWhen(Retry.backoff(2, props.unavailableBackoff())
            .filter(e -> !(e instanceof GatewayException.NotFound) && !(e instanceof GatewayException.InvalidRequest))
            .onRetryExhaustedThrow((spec, signal) -> signal.failure()))
        .doOnNext(
            bars -> {
              // committed with the symbol's bars: the same counts are now in the database
              job.done.incrementAndGet();
              job.bars.addAndGet(bars);
              job.upstreamRequests.addAndGet(upstream.get());
              rowsWritten.increment(bars);
              symbolsDone.increment();
            })
        .then()
        .onErrorResume(
            e -> {
              // Counted, logged and listed in the job's status; the job goes on with the next symbol.
              job.failed.incrementAndGet();
              job.upstreamRequests.addAndGet(upstream.get());
              symbolsFailed.increment();
              String why = e instanceof GatewayException g ? Problems.detail(g) : "failed unexpectedly (logged)";
              if (!(e instanceof GatewayException)) {
                log.error("ingest job {}: {} failed", job.id, sym.symbol(), e);
              } else {
                log.warn("ingest job {}: {} failed: {}", job.id, sym.symbol(), e.getMessage());
              }
              return jobStore.symbolFailed(job.id, sym.pos(), why, upstream.get(), clock.millis())
                  .onErrorResume(x -> {
                    log.warn("ingest job {}: recording the failure of {} failed too: {}", job.id, sym.symbol(),
                        HistoryDatabase.rootMessage(x));
                    return Mono.empty();
                  });
            })
        .doFinally(s -> progress(job));
  }

  private void progress(Job job) {
    long now = clock.millis();
    long last = job.lastLog.get();
    if (now - last >= props.ingestProgressInterval().toMillis() && job.lastLog.compareAndSet(last, now)) {
      log.info("ingest job {}: {}/{} symbols, {} bars written, {} failed",
          job.id, job.done.get() + job.failed.get(), job.symbols, job.bars.get(), job.failed.get());
    }
  }

  private Mono<Void> finish(Job job, State state, Throwable e) {
    if (!job.state.compareAndSet(State.RUNNING, state)) {
      return Mono.empty();
    }
    running.decrementAndGet();
    local.remove(job.id);
    if (e != null) {
      log.error("ingest job {} failed", job.id, e);
    } else {
      log.info("ingest job {} {}: {}/{} symbols, {} bars written, {} upstream range requests, {} failed",
          job.id, state.code, job.done.get(), job.symbols, job.bars.get(), job.upstreamRequests.get(), job.failed.get());
    }
    return jobStore.finish(job.id, state.code, clock.millis(), e == null ? null : "failed unexpectedly (logged)");
  }

  Mono<Optional<JobView>> status(String id) {
    return jobStore.find(id)
        .flatMap(row -> row.isEmpty()
            ? Mono.just(Optional.<JobView>empty())
            : jobStore.failures(id).map(f -> Optional.of(view(row.get(), f))))
        .onErrorResume(e -> {
          // The database failed: this instance's own running job is still known.
          Job job = local.get(id);
          if (job == null) {
            return Mono.error(databaseDown(e));
          }
          return Mono.just(Optional.of(job.view(clock.instant())));
        });
  }

  /** Recent jobs of every instance, newest first (this instance's running ones when the database fails). */
  Mono<List<JobView>> list() {
    return jobStore.list(props.ingestRetainedJobs())
        .map(rows -> {
          List<JobView> out = new ArrayList<>(rows.size());
          for (JobRow r : rows) {
            out.add(view(r, List.of()));
          }
          return out;
        })
        .onErrorResume(e -> {
          log.debug("listing ingest jobs from the database failed: {}", HistoryDatabase.rootMessage(e));
          List<JobView> out = new ArrayList<>();
          for (Job j : local.values()) {
            out.add(j.view(clock.instant()));
          }
          return Mono.just(out);
        });
  }

  /** Cancels a running job of this instance; empty when unknown here. */
  Mono<Optional<JobView>> cancel(String id) {
    return Mono.defer(() -> {
      Job job = local.get(id);
      if (job == null) {
        return status(id).flatMap(v -> v.isPresent() && State.RUNNING.code.equals(v.get().state())
            ? Mono.error(new GatewayException.InvalidRequest("id", "ingest job " + id + " runs on another instance: cancel it there"))
            : Mono.just(v));
      }
      if (!job.state.compareAndSet(State.RUNNING, State.CANCELLED)) {
        return status(id);
      }
      running.decrementAndGet();
      local.remove(id);
      Disposable d = job.disposable.get();
      if (d != null) {
        d.dispose(); // a symbol's open transaction is rolled back
      }
      log.info("ingest job {} cancelled after {}/{} symbols", job.id, job.done.get() + job.failed.get(), job.symbols);
      return jobStore.finish(id, State.CANCELLED.code, clock.millis(), "cancelled by an operator")
          .onErrorResume(e -> Mono.empty())
          .then(status(id));
    });
  }

  /** One round: heartbeat of this instance's jobs, then stale jobs of others marked interrupted. */
  Mono<Long> sweep() {
    return Mono.defer(() -> {
      if (!store.available()) {
        return Mono.just(0L);
      }
      long now = clock.millis();
      return jobStore.heartbeat(owner, now)
          .then(jobStore.interrupt("", now - ingest.staleAfter().toMillis(), now,
              "its gateway stopped beating (crashed or killed) mid-job"))
          .doOnNext(n -> {
            if (n > 0) {
              interruptedJobs.increment(n);
              log.warn("{} bulk-ingest job(s) of a gateway that stopped beating marked interrupted: "
                  + "resume with POST /api/v1/admin/history/ingest/{{id}}/resume", n);
            }
          })
          .onErrorResume(e -> {
            log.debug("ingest job heartbeat failed: {}", HistoryDatabase.rootMessage(e));
            return Mono.just(0L);
          });
    });
  }

  @Override
  public void start() {
    synchronized (local) {
      started = true;
    }
    Disposable d = Flux.interval(Duration.ZERO, ingest.heartbeatInterval(), Schedulers.parallel())
        .onBackpressureDrop()
        .concatMap(t -> sweep(), 1)
        .subscribe(n -> {}, e -> log.error("the ingest job heartbeat loop ended unexpectedly", e));
    Disposable previous = sweeper.getAndSet(d);
    if (previous != null) {
      previous.dispose();
    }
  }

  @Override
  public void stop() {
    stop(() -> {});
  }

  /** Disposes running jobs (rolling back their open writes) and marks them interrupted, then calls back. */
  @Override
  public void stop(Runnable callback) {
    List<Job> stopped = new ArrayList<>();
    synchronized (local) {
      started = false;
    }
    Disposable loop = sweeper.getAndSet(null);
    if (loop != null) {
      loop.dispose();
    }
    for (Job j : local.values()) {
      if (j.state.compareAndSet(State.RUNNING, State.INTERRUPTED)) {
        running.decrementAndGet();
        Disposable d = j.disposable.get();
        if (d != null) {
          d.dispose();
        }
        stopped.add(j);
      }
    }
    local.clear();
    if (stopped.isEmpty()) {
      callback.run();
      return;
    }
    for (Job j : stopped) {
      log.warn("ingest job {} interrupted by the gateway stopping after {}/{} symbols ({} bars): resume it with "
          + "POST /api/v1/admin/history/ingest/{}/resume", j.id, j.done.get() + j.failed.get(), j.symbols, j.bars.get(), j.id);
    }
    long now = clock.millis();
    jobStore.interrupt(owner, Long.MIN_VALUE, now, "the gateway stopped mid-job")
        .doOnNext(interruptedJobs::increment)
        .doFinally(s -> callback.run())
        .subscribe(n -> {}, e -> log.warn("marking ingest jobs interrupted at shutdown failed ({}): the next "
            + "instance marks them when their heartbeat is stale", HistoryDatabase.rootMessage(e)));
  }

  @Override
  public boolean isRunning() {
    return started;
  }

  enum State {
    RUNNING("running"),
    DONE("done"),
    FAILED("failed"),
    CANCELLED("cancelled"),
    INTERRUPTED("interrupted");

    final String code;

    State(String code) {
      this.code = code;
    }
  }

  private JobView view(JobRow r, List<IngestJobStore.SymbolFailure> failures) {
    Instant started = Instant.ofEpochMilli(r.startedAtMs());
    Instant finished = r.finishedAtMs() == null ? null : Instant.ofEpochMilli(r.finishedAtMs());
    Instant end = finished != null ? finished : clock.instant();
    List<SymbolError> errors = null;
    if (!failures.isEmpty()) {
      errors = new ArrayList<>(failures.size());
      for (IngestJobStore.SymbolFailure f : failures) {
        errors.add(new SymbolError(f.symbol(), f.error()));
      }
    }
    return new JobView(r.id(), r.state(), r.interval(), Instant.ofEpochMilli(r.fromMs()), Instant.ofEpochMilli(r.toMs()),
        r.symbols(), r.done(), r.failed(), r.barsWritten(), r.upstreamRequests(), started, finished,
        Duration.between(started, end).toMillis(), r.resumes(), r.note(), errors);
  }

  /** A job's status as the API shows it. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  record JobView(
      String id, String state, String interval, Instant from, Instant to, int symbols, int done, int failed,
      long barsWritten, long upstreamRequests, Instant startedAt, Instant finishedAt, long elapsedMs, int resumes,
      String note, List<SymbolError> errors) {}

  /** Why one symbol failed. */
  record SymbolError(String symbol, String error) {}

  /** A job this instance runs: its live counts (equal to the database's after each symbol commits). */
  private static final class Job {
    final String id;
    final int symbols;
    final BarInterval interval;
    final Instant from;
    final Instant to;
    final Instant startedAt;
    final int resumes;
    final AtomicReference<State> state = new AtomicReference<>(State.RUNNING);
    final AtomicInteger done = new AtomicInteger();
    final AtomicInteger failed = new AtomicInteger();
    final AtomicLong bars = new AtomicLong();
    final AtomicLong upstreamRequests = new AtomicLong();
    final AtomicLong lastLog = new AtomicLong();
    final AtomicReference<Disposable> disposable = new AtomicReference<>();

    Job(JobRow row) {
      this.id = row.id();
      this.symbols = row.symbols();
      this.interval = BarInterval.parse(row.interval()).orElseThrow();
      this.from = Instant.ofEpochMilli(row.fromMs());
      this.to = Instant.ofEpochMilli(row.toMs());
      this.startedAt = Instant.ofEpochMilli(row.startedAtMs());
      this.resumes = row.resumes();
      this.done.set(row.done());
      this.failed.set(row.failed());
      this.bars.set(row.barsWritten());
      this.upstreamRequests.set(row.upstreamRequests());
      this.lastLog.set(System.currentTimeMillis());
    }

    JobView view(Instant now) {
      return new JobView(id, state.get().code, interval.code(), from, to, symbols, done.get(), failed.get(),
          bars.get(), upstreamRequests.get(), startedAt, null, Duration.between(startedAt, now).toMillis(), resumes,
          null, null);
    }
  }
}
