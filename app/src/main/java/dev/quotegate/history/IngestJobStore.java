package dev.quotegate.history;

import io.r2dbc.spi.Connection;
import io.r2dbc.spi.Readable;
import io.r2dbc.spi.Result;
import io.r2dbc.spi.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Bulk-ingest jobs in the database ({@code ingest_jobs}, {@code ingest_job_symbols}, migration
 * V2): what a job is, which of its symbols are done, and its counts, so a job outlives the
 * process that ran it. A symbol's row is marked done in the same transaction as its bars
 * ({@link #symbolDone}), so the counts always match what the store holds.
 */
final class IngestJobStore {

  static final int MAX_ERRORS = 20;
  private static final int INSERT_ROWS = 200;

  private final HistoryDatabase db;
  private final Duration timeout;
  private final String jobs;
  private final String symbols;

  IngestJobStore(HistoryDatabase db, Duration queryTimeout) {
    this.db = db;
    this.timeout = queryTimeout;
    this.jobs = db.table("ingest_jobs");
    this.symbols = db.table("ingest_job_symbols");
  }

  /** A job as stored. */
  record JobRow(
      String id, String state, String interval, long fromMs, long toMs, int symbols, int done, int failed,
      long barsWritten, long upstreamRequests, String owner, long heartbeatMs, long startedAtMs, Long finishedAtMs,
      int resumes, String note) {}

  /** One symbol of a job: its position in the job and name. */
  record JobSymbol(int pos, String symbol) {}

  /** A failed symbol and why. */
  record SymbolFailure(String symbol, String error) {}

  /** Inserts a new running job and its symbols (pending), in one transaction. */
  Mono<Void> create(JobRow job, List<String> names) {
    return db.inTransaction(c -> {
      Statement s = c.createStatement("INSERT INTO " + jobs
          + " (id, state, bar_interval, from_ms, to_ms, symbols, done, failed, bars_written, upstream_requests,"
          + " owner, heartbeat_ms, started_at_ms, finished_at_ms, resumes, note)"
          + " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)")
          .bind(0, job.id()).bind(1, job.state()).bind(2, job.interval()).bind(3, job.fromMs()).bind(4, job.toMs())
          .bind(5, job.symbols()).bind(6, job.done()).bind(7, job.failed()).bind(8, job.barsWritten())
          .bind(9, job.upstreamRequests()).bind(10, job.owner()).bind(11, job.heartbeatMs())
          .bind(12, job.startedAtMs()).bindNull(13, Long.class).bind(14, job.resumes()).bindNull(15, String.class);
      Mono<Void> head = update(s);
      List<Mono<Void>> chunks = new ArrayList<>();
      for (int i = 0; i < names.size(); i += INSERT_ROWS) {
        int from = i;
        int to = Math.min(names.size(), i + INSERT_ROWS);
        chunks.add(Mono.defer(() -> {
          StringBuilder sql = new StringBuilder("INSERT INTO ").append(symbols).append(" (job_id, pos, symbol, state) VALUES ");
          int p = 1;
          for (int r = from; r < to; r++) {
            sql.append(r == from ? "" : ",").append("($").append(p++).append(",$").append(p++).append(",$").append(p++)
                .append(",'pending')");
          }
          Statement st = c.createStatement(sql.toString());
          int b = 0;
          for (int r = from; r < to; r++) {
            st.bind(b++, job.id()).bind(b++, r).bind(b++, names.get(r));
          }
          return update(st);
        }));
      }
      return head.then(Flux.concat(chunks).then());
    }).timeout(timeout.multipliedBy(2 + names.size() / INSERT_ROWS));
  }

  /**
   * Marks symbol {@code pos} done and adds its counts to the job, on {@code c}: called inside
   * the transaction that writes the symbol's bars.
   */
  Mono<Void> symbolDone(Connection c, String jobId, int pos, long bars, long upstream, long now) {
    return update(c.createStatement("UPDATE " + symbols
            + " SET state = 'done', bars_written = $1, upstream_requests = $2, error = NULL WHERE job_id = $3 AND pos = $4")
            .bind(0, bars).bind(1, upstream).bind(2, jobId).bind(3, pos))
        .then(update(c.createStatement("UPDATE " + jobs
                + " SET done = done + 1, bars_written = bars_written + $1, upstream_requests = upstream_requests + $2,"
                + " heartbeat_ms = $3 WHERE id = $4")
            .bind(0, bars).bind(1, upstream).bind(2, now).bind(3, jobId)));
  }

  /** Marks symbol {@code pos} failed (with why) and counts it and its upstream requests. */
  Mono<Void> symbolFailed(String jobId, int pos, String error, long upstream, long now) {
    return db.inTransaction(c -> update(c.createStatement("UPDATE " + symbols
                + " SET state = 'failed', upstream_requests = $1, error = $2 WHERE job_id = $3 AND pos = $4")
                .bind(0, upstream).bind(1, abbreviate(error)).bind(2, jobId).bind(3, pos))
            .then(update(c.createStatement("UPDATE " + jobs
                    + " SET failed = failed + 1, upstream_requests = upstream_requests + $1, heartbeat_ms = $2 WHERE id = $3")
                .bind(0, upstream).bind(1, now).bind(2, jobId))))
        .timeout(timeout);
  }

  /** Ends a job of this instance: {@code state}, when, and why (may be null). */
  Mono<Void> finish(String jobId, String state, long now, String note) {
    return db.inTransaction(c -> {
      Statement s = c.createStatement("UPDATE " + jobs
              + " SET state = $1, finished_at_ms = $2, heartbeat_ms = $2, note = $3 WHERE id = $4 AND state = 'running'")
          .bind(0, state).bind(1, now);
      if (note == null) {
        s.bindNull(2, String.class);
      } else {
        s.bind(2, abbreviate(note));
      }
      return update(s.bind(3, jobId));
    }).timeout(timeout);
  }

  /** Every running job of {@code owner}: the heartbeat that tells other instances it is alive. */
  Mono<Void> heartbeat(String owner, long now) {
    return db.inTransaction(c -> update(c.createStatement("UPDATE " + jobs
            + " SET heartbeat_ms = $1 WHERE owner = $2 AND state = 'running'").bind(0, now).bind(1, owner)))
        .timeout(timeout);
  }

  /**
   * Running jobs whose owner stopped beating before {@code staleBefore} (it crashed or was
   * killed), or of {@code owner} itself (it is stopping): marked interrupted. Emits how many.
   */
  Mono<Long> interrupt(String owner, long staleBefore, long now, String note) {
    return db.inTransaction(c -> Flux.from(c.createStatement("UPDATE " + jobs
                + " SET state = 'interrupted', finished_at_ms = $1, note = $2"
                + " WHERE state = 'running' AND (heartbeat_ms < $3 OR owner = $4)")
                .bind(0, now).bind(1, abbreviate(note)).bind(2, staleBefore).bind(3, owner).execute())
            .concatMap(Result::getRowsUpdated)
            .reduce(0L, Long::sum))
        .timeout(timeout);
  }

  /**
   * Takes over a job that is not running for a resume by {@code owner}: symbols that failed go
   * back to pending (their failures uncounted); emits the job as it now is, empty when it is
   * unknown or running.
   */
  Mono<Optional<JobRow>> claim(String jobId, String owner, long now) {
    return db.inTransaction(c -> Flux.from(c.createStatement("UPDATE " + jobs
                + " SET state = 'running', owner = $1, heartbeat_ms = $2, finished_at_ms = NULL, note = NULL,"
                + " resumes = resumes + 1, failed = 0 WHERE id = $3 AND state <> 'running'")
                .bind(0, owner).bind(1, now).bind(2, jobId).execute())
            .concatMap(Result::getRowsUpdated)
            .reduce(0L, Long::sum)
            .flatMap(n -> n == 0
                ? Mono.just(Optional.<JobRow>empty())
                : update(c.createStatement("UPDATE " + symbols + " SET state = 'pending', error = NULL"
                        + " WHERE job_id = $1 AND state = 'failed'").bind(0, jobId))
                    .then(findOn(c, jobId))))
        .timeout(timeout);
  }

  /** The symbols of a job not yet done, in job order. */
  Mono<List<JobSymbol>> pending(String jobId) {
    return read(c -> Flux.from(c.createStatement("SELECT pos, symbol FROM " + symbols
                + " WHERE job_id = $1 AND state = 'pending' ORDER BY pos").bind(0, jobId).execute())
        .concatMap(r -> r.map(row -> new JobSymbol(row.get(0, Integer.class), row.get(1, String.class)))));
  }

  /** Up to {@link #MAX_ERRORS} failed symbols of a job. */
  Mono<List<SymbolFailure>> failures(String jobId) {
    return read(c -> Flux.from(c.createStatement("SELECT symbol, error FROM " + symbols
                + " WHERE job_id = $1 AND state = 'failed' ORDER BY pos").bind(0, jobId).execute())
        .concatMap(r -> r.map(row -> new SymbolFailure(row.get(0, String.class), row.get(1, String.class))))
        .take(MAX_ERRORS));
  }

  Mono<Optional<JobRow>> find(String jobId) {
    return Mono.usingWhen(db.pool().create(), c -> findOn(c, jobId), Connection::close)
        .subscribeOn(db.scheduler())
        .timeout(timeout);
  }

  /** The newest {@code limit} jobs, newest first. */
  Mono<List<JobRow>> list(int limit) {
    return read(c -> Flux.from(c.createStatement("SELECT " + JOB_COLUMNS + " FROM " + jobs
                + " ORDER BY started_at_ms DESC, id LIMIT " + limit).execute())
        .concatMap(r -> r.map(IngestJobStore::job)));
  }

  /** Deletes finished jobs beyond the newest {@code retain}. */
  Mono<Void> prune(int retain) {
    return db.inTransaction(c -> Flux.from(c.createStatement("SELECT id FROM " + jobs
                + " WHERE state <> 'running' ORDER BY started_at_ms DESC, id OFFSET " + retain + " ROWS").execute())
            .concatMap(r -> r.map(row -> row.get(0, String.class)))
            .take(1000)
            .concatMap(id -> update(c.createStatement("DELETE FROM " + symbols + " WHERE job_id = $1").bind(0, id))
                .then(update(c.createStatement("DELETE FROM " + jobs + " WHERE id = $1").bind(0, id))))
            .then())
        .timeout(timeout.multipliedBy(4));
  }

  private static final String JOB_COLUMNS = "id, state, bar_interval, from_ms, to_ms, symbols, done, failed, bars_written,"
      + " upstream_requests, owner, heartbeat_ms, started_at_ms, finished_at_ms, resumes, note";

  private Mono<Optional<JobRow>> findOn(Connection c, String jobId) {
    return Flux.from(c.createStatement("SELECT " + JOB_COLUMNS + " FROM " + jobs + " WHERE id = $1").bind(0, jobId).execute())
        .concatMap(r -> r.map(IngestJobStore::job))
        .next()
        .map(Optional::of)
        .defaultIfEmpty(Optional.empty());
  }

  private <T> Mono<List<T>> read(java.util.function.Function<Connection, Flux<T>> query) {
    return Flux.usingWhen(db.pool().create(), query, Connection::close)
        .collectList()
        .subscribeOn(db.scheduler())
        .timeout(timeout);
  }

  private static JobRow job(Readable r) {
    return new JobRow(r.get(0, String.class), r.get(1, String.class), r.get(2, String.class), r.get(3, Long.class),
        r.get(4, Long.class), r.get(5, Integer.class), r.get(6, Integer.class), r.get(7, Integer.class),
        r.get(8, Long.class), r.get(9, Long.class), r.get(10, String.class), r.get(11, Long.class), r.get(12, Long.class),
        r.get(13, Long.class), r.get(14, Integer.class), r.get(15, String.class));
  }

  private static Mono<Void> update(Statement s) {
    return Flux.from(s.execute()).concatMap(Result::getRowsUpdated).then();
  }

  private static String abbreviate(String s) {
    return s == null || s.length() <= 250 ? s : s.substring(0, 250) + "...";
  }
}
