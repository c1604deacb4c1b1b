-- Bulk-ingest jobs, kept beside the bars so that a job outlives the process that ran it: after
-- a crash or a stop the next instance lists it as interrupted, with what was done, and an
-- operator can resume it. Portable between PostgreSQL and H2. Times are epoch milliseconds.
CREATE TABLE ingest_jobs (
  id                VARCHAR(36)  NOT NULL,
  state             VARCHAR(16)  NOT NULL,  -- running, done, failed, cancelled, interrupted
  bar_interval      VARCHAR(4)   NOT NULL,
  from_ms           BIGINT       NOT NULL,
  to_ms             BIGINT       NOT NULL,
  symbols           INTEGER      NOT NULL,
  done              INTEGER      NOT NULL,
  failed            INTEGER      NOT NULL,
  bars_written      BIGINT       NOT NULL,
  upstream_requests BIGINT       NOT NULL,
  -- the instance running it; its heartbeat tells the others whether it still lives
  owner             VARCHAR(64)  NOT NULL,
  heartbeat_ms      BIGINT       NOT NULL,
  started_at_ms     BIGINT       NOT NULL,
  finished_at_ms    BIGINT,
  resumes           INTEGER      NOT NULL,
  note              VARCHAR(256),
  CONSTRAINT ingest_jobs_pk PRIMARY KEY (id)
);
CREATE INDEX ingest_jobs_started ON ingest_jobs (started_at_ms);

-- One row per symbol of a job: pending until its bars and this row commit in one transaction.
CREATE TABLE ingest_job_symbols (
  job_id            VARCHAR(36)  NOT NULL,
  pos               INTEGER      NOT NULL,
  symbol            VARCHAR(16)  NOT NULL,
  state             VARCHAR(16)  NOT NULL,  -- pending, done, failed
  bars_written      BIGINT,
  upstream_requests BIGINT,
  error             VARCHAR(256),
  CONSTRAINT ingest_job_symbols_pk PRIMARY KEY (job_id, pos)
);
