package dev.quotegate.stream;

import dev.quotegate.platform.GatewayException;
import dev.quotegate.stream.StreamMeters.Transport;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.FluxSink;
import reactor.core.scheduler.Scheduler;

/**
 * One client connection's view of the feeds, whatever the transport: the symbols it follows,
 * conflation, heartbeats and slow-consumer detection. It turns ticks into {@link Frame}s.
 *
 * <ul>
 *   <li>Snapshot: after symbols are added, one batch with every added symbol's current value
 *       as soon as all have one (or after {@code snapshot-timeout} with what is there).
 *   <li>Conflation: between batches only the latest tick per symbol is kept (so the state is
 *       bounded by the symbol count, whatever the client's speed); at most one batch per
 *       {@code conflation-interval}.
 *   <li>Heartbeat: a heartbeat frame when nothing was sent for {@code heartbeat-interval}
 *       (checked every quarter of it).
 *   <li>Slow consumers: a frame goes out only when the transport wants one (downstream demand
 *       and, for a socket, its channel writable: the kernel and Netty buffers are not full).
 *       A connection that stays unable to take data for {@code max-lag} while data waits is
 *       failed with {@link SlowConsumerException}.
 * </ul>
 *
 * Timers run on the given scheduler (virtual time in tests). Thread-safe: ticks arrive from
 * feed threads, demand and timers from others; state is guarded by this object's monitor and
 * frames are emitted under it, so ids never go backwards.
 */
final class StreamSession implements TickListener {

  private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(StreamSession.class);

  /** What the session sends. */
  sealed interface Frame permits Batch, Heartbeat {}

  /**
   * Ticks to send: quotes and per-symbol errors. {@code id} is the highest version sent so
   * far (the SSE event id); {@code snapshot} marks the batch answering a subscription.
   */
  record Batch(long id, boolean snapshot, List<QuoteTick> ticks, TickBatch shared) implements Frame {
    Batch(long id, boolean snapshot, List<QuoteTick> ticks) {
      this(id, snapshot, ticks, null);
    }
  }

  /**
   * Where a session's ticks come from: the hub ({@link QuoteStreamHub#follow}), or in tests
   * any {@code Flux} per symbol ({@link #of}).
   */
  interface Source {
    /** Starts delivering {@code symbol}'s ticks to {@code listener}; dispose to stop. */
    Disposable follow(String symbol, TickListener listener);

    static Source of(Function<String, Flux<QuoteTick>> feeds) {
      return (symbol, listener) -> feeds.apply(symbol).subscribe(listener::offer);
    }
  }

  /** Nothing was sent for a while: keep the connection (and proxies) alive. */
  record Heartbeat() implements Frame {}

  static final Heartbeat HEARTBEAT = new Heartbeat();

  /** Wait after a first update before sending it, for the rest of its poll round. */
  static final long LINGER_MS = 10;

  /** The client could not keep up for longer than {@code max-lag}. */
  static final class SlowConsumerException extends RuntimeException {
    SlowConsumerException(String message) {
      super(message, null, false, false);
    }
  }

  private final Transport transport;
  private final Source source;
  private final StreamProperties props;
  private final Scheduler scheduler;
  private final Clock clock;
  private final BooleanSupplier writable;
  private final StreamMeters meters;
  private final long intervalMs;
  private final long heartbeatMs;
  private final long maxLagMs;
  private final long lingerMs;

  /** The feed subscription of each followed symbol, made once the frames are subscribed. */
  private final Map<String, Disposable> subscriptions = new HashMap<>();
  private final Set<String> symbols = new LinkedHashSet<>();
  private final LinkedHashMap<String, QuoteTick> pending = new LinkedHashMap<>();
  private final Map<String, Long> floor = new HashMap<>();
  private final Set<String> awaiting = new HashSet<>();
  private long resumeFrom;
  private FluxSink<Frame> sink;
  private boolean snapshotPending;
  private boolean snapshotLate;
  private boolean done;
  private long lastId;
  private long lastBatchAt = Long.MIN_VALUE / 2;
  private long lastSentAt;
  private long behindSince = -1;
  private Disposable flushTask;
  private Disposable snapshotTask;
  private Disposable heartbeatTask;
  /** The round being delivered, while a flush from {@link #deliver} may send its encoding. */
  private TickBatch shareable;

  /**
   * @param resumeFrom the client's Last-Event-ID (a version), or -1: with one, a symbol's
   *     value is sent only if it is at least that new (what changed since), and no snapshot
   *     waits for unchanged symbols
   */
  StreamSession(
      Transport transport,
      Source source,
      StreamProperties props,
      Scheduler scheduler,
      Clock clock,
      BooleanSupplier writable,
      StreamMeters meters,
      long resumeFrom) {
    this.transport = Objects.requireNonNull(transport, "transport");
    this.source = Objects.requireNonNull(source, "source");
    this.props = Objects.requireNonNull(props, "props");
    this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.writable = Objects.requireNonNull(writable, "writable");
    this.meters = Objects.requireNonNull(meters, "meters");
    this.intervalMs = props.conflationInterval().toMillis();
    this.heartbeatMs = props.heartbeatInterval().toMillis();
    this.maxLagMs = props.maxLag().toMillis();
    this.lingerMs = Math.min(intervalMs, LINGER_MS);
    this.resumeFrom = resumeFrom;
  }

  /**
   * The frames of this connection. Subscribe once; cancelling it unsubscribes every symbol.
   */
  Flux<Frame> frames() {
    return Flux.create(this::attach);
  }

  /**
   * Subscribes to a symbol's feed with one plain subscriber (not an operator chain per
   * symbol: with thousands of connections the chains were most of a connection's heap). The
   * session owns these subscriptions: removing the symbol or closing the session disposes
   * them. Feeds never fail (a failure is an error tick); an error here is logged and counted.
   */
  private void follow(String symbol) {
    Disposable d;
    try {
      d = source.follow(symbol, this);
    } catch (RuntimeException e) {
      meters.loopError();
      log.warn("stream feed of {} failed for a connection", symbol, e);
      return;
    }
    synchronized (this) {
      if (done || !symbols.contains(symbol) || subscriptions.containsKey(symbol)) {
        d.dispose(); // removed, re-added or closed meanwhile
        return;
      }
      subscriptions.put(symbol, d);
    }
  }

  /**
   * Adds symbols (validated, upper-cased); answers the ones not followed before.
   *
   * @throws GatewayException.InvalidRequest past {@code max-symbols}
   */
  List<String> add(Collection<String> requested) {
    List<String> added = new ArrayList<>();
    boolean attached;
    synchronized (this) {
      attached = sink != null;
      if (done) {
        return added;
      }
      for (String s : requested) {
        if (!symbols.contains(s)) {
          added.add(s);
        }
      }
      if (symbols.size() + added.size() > props.maxSymbols()) {
        throw new GatewayException.InvalidRequest("symbols",
            "at most " + props.maxSymbols() + " symbols per connection; " + symbols.size()
                + " followed, " + added.size() + " more asked");
      }
      if (added.isEmpty()) {
        return added;
      }
      for (String s : added) {
        symbols.add(s);
        if (resumeFrom >= 0) {
          floor.put(s, resumeFrom - 1); // ties are resent: ms versions may collide
        } else {
          awaiting.add(s);
        }
      }
      resumeFrom = -1; // a resume applies to the first subscription only
      if (!awaiting.isEmpty()) {
        snapshotPending = true;
        snapshotLate = false;
        if (snapshotTask != null) {
          snapshotTask.dispose();
        }
        snapshotTask = scheduler.schedule(this::snapshotTimeout, props.snapshotTimeout().toMillis(), TimeUnit.MILLISECONDS);
      }
      meters.subscribed(added.size());
    }
    if (attached) {
      added.forEach(this::follow); // else attach() follows them
    }
    return added;
  }

  /** Removes symbols; answers the ones that were followed. */
  List<String> remove(Collection<String> requested) {
    List<String> removed = new ArrayList<>();
    List<Disposable> signals = new ArrayList<>();
    synchronized (this) {
      for (String s : requested) {
        if (symbols.remove(s)) {
          removed.add(s);
          pending.remove(s);
          floor.remove(s);
          awaiting.remove(s);
          Disposable d = subscriptions.remove(s);
          if (d != null) {
            signals.add(d);
          }
        }
      }
      meters.subscribed(-removed.size());
      if (snapshotPending && awaiting.isEmpty()) {
        flushNow();
      }
    }
    signals.forEach(Disposable::dispose);
    return removed;
  }

  /** The symbols followed now, in subscription order. */
  synchronized List<String> symbols() {
    return List.copyOf(symbols);
  }

  private void attach(FluxSink<Frame> sink) {
    List<String> follow;
    synchronized (this) {
      this.sink = sink;
      this.lastSentAt = now();
      this.heartbeatTask = scheduler.schedule(this::heartbeat, heartbeatMs, TimeUnit.MILLISECONDS);
      follow = new ArrayList<>(symbols);
    }
    sink.onRequest(n -> retry());
    sink.onDispose(this::close);
    follow.forEach(this::follow);
  }

  private void close() {
    List<Disposable> signals;
    synchronized (this) {
      if (done && sink == null) {
        return;
      }
      done = true;
      sink = null;
      dispose(flushTask);
      dispose(snapshotTask);
      dispose(heartbeatTask);
      meters.subscribed(-symbols.size());
      symbols.clear();
      pending.clear();
      signals = new ArrayList<>(subscriptions.values());
      subscriptions.clear();
    }
    signals.forEach(Disposable::dispose);
  }

  private static void dispose(Disposable d) {
    if (d != null) {
      d.dispose();
    }
  }

  private long now() {
    return scheduler.now(TimeUnit.MILLISECONDS);
  }

  /** A tick of a followed symbol: kept as the latest of its symbol until the next batch. */
  @Override
  public void offer(QuoteTick tick) {
    synchronized (this) {
      if (!accept(tick)) {
        return;
      }
      if (snapshotPending) {
        snapshotProgress();
        return;
      }
      scheduleFlush();
    }
  }

  /**
   * A poll round's ticks of the followed symbols, all at once: sent as one batch now when the
   * conflation interval allows (no linger: nothing else of the round is coming), with the
   * round's shared encoding when the batch is exactly the round's ticks.
   */
  @Override
  public void deliver(TickBatch round) {
    synchronized (this) {
      boolean any = false;
      for (int i = 0; i < round.size(); i++) {
        any |= accept(round.get(i));
      }
      if (!any) {
        return;
      }
      if (snapshotPending) {
        snapshotProgress();
        return;
      }
      if (now() < lastBatchAt + intervalMs) {
        scheduleFlush();
        return;
      }
      dispose(flushTask);
      flushTask = null;
      shareable = isPending(round) ? round : null;
      try {
        flushNow();
      } finally {
        shareable = null;
      }
    }
  }

  @Override
  public void completed() {
    // The hub is stopping: its shutdown signal ends the frames.
  }

  /** Whether the pending ticks are exactly {@code round}'s. Under the lock. */
  private boolean isPending(TickBatch round) {
    if (pending.size() != round.size()) {
      return false;
    }
    for (int i = 0; i < round.size(); i++) {
      QuoteTick t = round.get(i);
      if (pending.get(t.symbol()) != t) {
        return false;
      }
    }
    return true;
  }

  /** Keeps {@code tick} as its symbol's pending value if it is new to this client. Under the lock. */
  private boolean accept(QuoteTick tick) {
    String symbol = tick.symbol();
    if (done || !symbols.contains(symbol)) {
      return false;
    }
    Long sent = floor.get(symbol);
    if (sent != null && tick.version() <= sent) {
      return false; // already sent (or older than what the client resumed from)
    }
    QuoteTick prev = pending.get(symbol);
    if (prev != null) {
      if (prev.version() >= tick.version()) {
        return false;
      }
      meters.conflated();
    }
    pending.put(symbol, tick);
    if (snapshotPending) {
      awaiting.remove(symbol);
    }
    return true;
  }

  /** A value arrived while the snapshot is pending: send it once complete. Under the lock. */
  private void snapshotProgress() {
    if (snapshotLate) {
      lastBatchAt = Math.max(lastBatchAt, now() - intervalMs + Math.min(intervalMs, 50));
      scheduleFlush();
    } else if (awaiting.isEmpty()) {
      flushNow();
    }
  }

  private void scheduleFlush() {
    if (flushTask != null || done) {
      return;
    }
    // A short linger collects the other ticks of the same poll round (they arrive within
    // milliseconds, one by one) into one batch instead of two.
    long wait = Math.max(lastBatchAt + intervalMs - now(), lingerMs);
    flushTask = scheduler.schedule(this::flushLater, wait, TimeUnit.MILLISECONDS);
  }

  private void flushLater() {
    synchronized (this) {
      flushTask = null;
      flushNow();
    }
  }

  private void snapshotTimeout() {
    synchronized (this) {
      snapshotTask = null;
      if (!snapshotPending || done) {
        return;
      }
      awaiting.clear();
      if (!pending.isEmpty()) {
        flushNow();
      } else {
        // Nothing yet (a slow first upstream call): the first value opens a short
        // batch window (up to 50 ms), so the values polled with it make the same snapshot.
        snapshotLate = true;
      }
    }
  }

  /** Demand came back: send what waits. */
  private void retry() {
    synchronized (this) {
      if (done || pending.isEmpty()) {
        return;
      }
      boolean snapshotReady = snapshotPending && awaiting.isEmpty();
      if (snapshotPending && !snapshotReady) {
        return;
      }
      if (behindSince >= 0 || snapshotReady) {
        // A re-check is scheduled for the interval; the transport is ready now.
        dispose(flushTask);
        flushTask = null;
      }
      if (snapshotReady) {
        flushNow();
      } else {
        scheduleFlush();
      }
    }
  }

  /** Sends the pending ticks if the transport can take them; else marks the client behind. */
  private void flushNow() {
    if (done || pending.isEmpty()) {
      return;
    }
    long now = now();
    if (!canSend()) {
      behind(now);
      if (!done && flushTask == null) {
        flushTask = scheduler.schedule(this::flushLater, intervalMs, TimeUnit.MILLISECONDS);
      }
      return;
    }
    TickBatch shared = shareable;
    List<QuoteTick> ticks = shared != null ? shared.ticks() : new ArrayList<>(pending.values());
    pending.clear();
    // Ids grow strictly (a batch of only older symbols still gets a new id).
    long id = lastId + 1;
    for (QuoteTick t : ticks) {
      floor.put(t.symbol(), t.version());
      id = Math.max(id, t.version());
    }
    lastId = id;
    boolean snapshot = snapshotPending;
    snapshotPending = false;
    snapshotLate = false;
    awaiting.clear();
    if (snapshotTask != null) {
      snapshotTask.dispose();
      snapshotTask = null;
    }
    lastBatchAt = now;
    lastSentAt = now;
    behindSince = -1;
    if (!snapshot) {
      long wall = clock.millis();
      for (QuoteTick t : ticks) {
        meters.latency(transport, TimeUnit.MILLISECONDS.toNanos(wall - t.tickAt().toEpochMilli()));
      }
    }
    sink.next(new Batch(id, snapshot, ticks, snapshot ? null : shared));
  }

  /** One timer per connection: fires when the heartbeat is due, re-arms for the next one. */
  private void heartbeat() {
    synchronized (this) {
      if (done) {
        return;
      }
      long now = now();
      long due = lastSentAt + heartbeatMs;
      long next;
      if (now < due) {
        next = due - now;
      } else if (canSend()) {
        lastSentAt = now;
        if (pending.isEmpty()) {
          behindSince = -1;
        }
        meters.heartbeat(transport);
        next = heartbeatMs;
        sink.next(HEARTBEAT);
      } else {
        behind(now);
        next = Math.min(intervalMs, heartbeatMs);
      }
      if (!done) {
        heartbeatTask = scheduler.schedule(this::heartbeat, next, TimeUnit.MILLISECONDS);
      }
    }
  }

  private boolean canSend() {
    return sink != null && sink.requestedFromDownstream() > 0 && writable.getAsBoolean();
  }

  private void behind(long now) {
    if (behindSince < 0) {
      behindSince = now;
      return;
    }
    long lag = now - behindSince;
    if (lag >= maxLagMs) {
      FluxSink<Frame> s = sink;
      meters.slowConsumer(transport, SlowConsumerWatch.Reason.MAX_LAG);
      done = true;
      String reason = "slow consumer: could not take data for " + lag + " ms (max-lag "
          + Duration.ofMillis(maxLagMs) + ")";
      if (s != null) {
        s.error(new SlowConsumerException(reason));
      }
    }
  }

  /** Highest version sent so far (the last event id). */
  synchronized long lastId() {
    return lastId;
  }
}
