package dev.quotegate.fetch;

/**
 * The one place that names the meters of the fetch package. Every meter carries the tag {@code
 * name} (the configured name of the coalescer or batcher); no meter is tagged with a key.
 */
final class FetchMeters {

  static final String TAG_NAME = "name";

  /** Counter, tag {@code outcome=leader|joined|rejected}. */
  static final String COALESCER_REQUESTS = "quotegate.coalescer.requests";
  /** Gauge: distinct keys with a fetch in flight. */
  static final String COALESCER_INFLIGHT = "quotegate.coalescer.inflight";
  /** Gauge: the configured bound {@code maxInFlight}. */
  static final String COALESCER_INFLIGHT_MAX = "quotegate.coalescer.inflight.max";

  /** Distribution summary (percentile histogram): distinct keys per flushed batch. */
  static final String BATCHER_BATCH_SIZE = "quotegate.batcher.batch.size";
  /** Counter, tag {@code reason=size|window}. */
  static final String BATCHER_FLUSHES = "quotegate.batcher.flushes";
  /** Gauge: keys waiting in the open batch plus keys of flushed, unanswered batches. */
  static final String BATCHER_PENDING = "quotegate.batcher.pending";
  /** Gauge: the configured bound {@code maxPending}. */
  static final String BATCHER_PENDING_MAX = "quotegate.batcher.pending.max";
  /** Counter: {@code get} calls refused because {@code maxPending} was reached. */
  static final String BATCHER_REJECTED = "quotegate.batcher.rejected";

  private FetchMeters() {}
}
