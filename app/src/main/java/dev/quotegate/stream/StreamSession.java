package dev.quotegate.stream;

import dev.quotegate.platform.GatewayException;
import dev.quotegate.stream.StreamMeters.Transport;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import reactor.core.Disposable;
import reactor.core.Disposables;
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
 *   <li>Heartbeat: a heartbeat frame when nothing was sent for {@code heartbeat-interval},
 *       checked by the instance's slow-consumer sweep ({@link #beat}), at most a second late.
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
   * Where a session's ticks come from: the hub ({@link QuoteStreamHub#join}), or in tests any
   * {@code Flux} per symbol ({@link #of}).
   */
  interface Source {
    /** Starts delivering the ticks of all of {@code symbols} to {@code listener}; dispose to stop. */
    Disposable follow(List<String> symbols, TickListener listener);

    static Source of(Function<String, Flux<QuoteTick>> feeds) {
      return (symbols, listener) -> {
        Disposable.Composite all = Disposables.composite();
        for (String symbol : symbols) {
          all.add(feeds.apply(symbol).subscribe(listener::offer));
        }
        return all;
      };
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
  /** Where poll rounds are delivered: the connection's event loop (null: the hub's thread). */
  private final Executor loop;
  /** Flushes the connection now, on its event loop (the transport would flush in a later task). */
  private final Runnable flush;
  private final StreamMeters meters;
  private final long intervalMs;
  private final long heartbeatMs;
  private final long maxLagMs;
  private final long lingerMs;

  /**
   * The followed symbols in subscription order and each one's state, in parallel arrays (not
   * a map of an object per symbol: with thousands of connections of 20 symbols each, the
   * entries and objects were a large part of a connection's heap). A symbol is found by a
   * scan: the symbols are interned (so the ticks' are mostly the same instances) and at most
   * {@code max-symbols}.
   */
  private static final class Slots {
    private static final String[] NONE = {};
    String[] symbols = NONE;
    /** The latest tick not sent yet, per symbol. */
    QuoteTick[] pending = new QuoteTick[0];
    /** The highest version sent (or the resume point), per symbol: older ticks are dropped. */
    long[] floor = new long[0];
    /** Whether the pending snapshot waits for the symbol's first value. */
    boolean[] awaiting = new boolean[0];
    int size;

    int indexOf(String symbol) {
      for (int i = 0; i < size; i++) {
        if (symbols[i] == symbol) {
          return i;
        }
      }
      for (int i = 0; i < size; i++) {
        if (symbols[i].equals(symbol)) {
          return i;
        }
      }
      return -1;
    }

    /** Appends {@code symbol} (not followed yet); answers its index. */
    int add(String symbol) {
      if (size == symbols.length) {
        int capacity = Math.max(4, size + (size >> 1));
        symbols = Arrays.copyOf(symbols, capacity);
        pending = Arrays.copyOf(pending, capacity);
        floor = Arrays.copyOf(floor, capacity);
        awaiting = Arrays.copyOf(awaiting, capacity);
      }
      symbols[size] = symbol;
      pending[size] = null;
      floor[size] = Long.MIN_VALUE;
      awaiting[size] = false;
      return size++;
    }

    /** Removes the symbol at {@code i}, keeping the order of the others. */
    void remove(int i) {
      int tail = size - i - 1;
      System.arraycopy(symbols, i + 1, symbols, i, tail);
      System.arraycopy(pending, i + 1, pending, i, tail);
      System.arraycopy(floor, i + 1, floor, i, tail);
      System.arraycopy(awaiting, i + 1, awaiting, i, tail);
      size--;
      symbols[size] = null;
      pending[size] = null;
    }

    /** Makes room for {@code more} symbols at once (a subscription's list: one allocation). */
    void ensure(int more) {
      int capacity = size + more;
      if (capacity > symbols.length) {
        symbols = Arrays.copyOf(symbols, capacity);
        pending = Arrays.copyOf(pending, capacity);
        floor = Arrays.copyOf(floor, capacity);
        awaiting = Arrays.copyOf(awaiting, capacity);
      }
    }

    List<String> names() {
      return List.of(Arrays.copyOf(symbols, size));
    }

    void clear() {
      Arrays.fill(symbols, null);
      Arrays.fill(pending, null);
      size = 0;
    }
  }

  private final Slots slots = new Slots();
  /** The feeds of every followed symbol, made once the frames are subscribed. */
  private Disposable following;
  /** Counts follows, so a slower earlier one cannot replace a later one. */
  private int follows;
  private int pendingCount;
  private int awaitingCount;
  private long resumeFrom;
  private FluxSink<Frame> sink;
  private boolean snapshotPending;
  private boolean snapshotLate;
  private boolean done;
  private boolean ended;
  private long lastId;
  private long lastBatchAt = Long.MIN_VALUE / 2;
  private long lastSentAt;
  private long behindSince = -1;
  private Disposable flushTask;
  private Disposable snapshotTask;
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
      Executor loop,
      Runnable flush,
      StreamMeters meters,
      long resumeFrom) {
    this.transport = Objects.requireNonNull(transport, "transport");
    this.source = Objects.requireNonNull(source, "source");
    this.props = Objects.requireNonNull(props, "props");
    this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.writable = Objects.requireNonNull(writable, "writable");
    this.loop = loop;
    this.flush = Objects.requireNonNull(flush, "flush");
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
    // IGNORE: no queue per connection; the session emits only against downstream demand.
    return Flux.create(this::attach, FluxSink.OverflowStrategy.IGNORE);
  }

  /**
   * Follows the symbols followed now, all at once (on the hub: the group of connections that
   * follow the same list), then lets the previous follow go: a symbol in both is not dropped
   * meanwhile, and a value seen twice is dropped by version. Feeds never fail (a failure is an
   * error tick); an error here is logged and counted.
   */
  private void refollow() {
    List<String> symbols;
    int generation;
    synchronized (this) {
      if (done) {
        return;
      }
      symbols = slots.names();
      generation = ++follows;
    }
    Disposable d = Disposables.disposed();
    if (!symbols.isEmpty()) {
      try {
        d = source.follow(symbols, this);
      } catch (RuntimeException e) {
        meters.loopError();
        log.warn("stream feeds of {} failed for a connection", symbols, e);
      }
    }
    Disposable previous;
    synchronized (this) {
      if (done || generation != follows) {
        previous = d; // closed, or a later change followed meanwhile
      } else {
        previous = following;
        following = d;
      }
    }
    dispose(previous);
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
        if (slots.indexOf(s) < 0 && !added.contains(s)) {
          added.add(s);
        }
      }
      if (slots.size + added.size() > props.maxSymbols()) {
        throw new GatewayException.InvalidRequest("symbols",
            "at most " + props.maxSymbols() + " symbols per connection; " + slots.size
                + " followed, " + added.size() + " more asked");
      }
      if (added.isEmpty()) {
        return added;
      }
      slots.ensure(added.size());
      for (String s : added) {
        // One String per symbol for all connections, not one per request's parse.
        int i = slots.add(s.intern());
        if (resumeFrom >= 0) {
          slots.floor[i] = resumeFrom - 1; // ties are resent: ms versions may collide
        } else {
          slots.awaiting[i] = true;
          awaitingCount++;
        }
      }
      resumeFrom = -1; // a resume applies to the first subscription only
      if (awaitingCount > 0) {
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
      refollow(); // else attach() follows them
    }
    return added;
  }

  /** Removes symbols; answers the ones that were followed. */
  List<String> remove(Collection<String> requested) {
    List<String> removed = new ArrayList<>();
    boolean attached;
    synchronized (this) {
      attached = sink != null;
      for (String s : requested) {
        int i = slots.indexOf(s);
        if (i >= 0) {
          removed.add(s);
          if (slots.pending[i] != null) {
            pendingCount--;
          }
          if (slots.awaiting[i]) {
            awaitingCount--;
          }
          slots.remove(i);
        }
      }
      meters.subscribed(-removed.size());
      if (snapshotPending && awaitingCount == 0) {
        flushNow();
      }
    }
    if (attached && !removed.isEmpty()) {
      refollow();
    }
    return removed;
  }

  /** The symbols followed now, in subscription order. */
  synchronized List<String> symbols() {
    return slots.names();
  }

  private void attach(FluxSink<Frame> sink) {
    synchronized (this) {
      this.sink = sink;
      this.lastSentAt = now();
    }
    sink.onRequest(n -> retry());
    sink.onDispose(this::close);
    synchronized (this) {
      if (ended) {
        sink.complete(); // the hub stopped before the frames were subscribed
        return;
      }
    }
    refollow();
  }

  /** Ends the frames (the hub is stopping): the connection completes normally. */
  void end() {
    synchronized (this) {
      ended = true;
      if (sink != null && !done) {
        sink.complete();
      }
    }
  }

  private void close() {
    Disposable feeds;
    synchronized (this) {
      if (done && sink == null) {
        return;
      }
      done = true;
      sink = null;
      dispose(flushTask);
      dispose(snapshotTask);
      meters.subscribed(-slots.size);
      feeds = following;
      following = null;
      slots.clear();
      pendingCount = 0;
      awaitingCount = 0;
    }
    dispose(feeds);
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
      if (pendingCount == 0 && !snapshotPending && !done && now() >= lastBatchAt + intervalMs && canSend()
          && sendWhole(round)) {
        return;
      }
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

  /**
   * The connection's event loop: a round delivered there writes to the socket at once, with no
   * hand-over per connection, and the loops deliver their connections in parallel.
   */
  @Override
  public Executor executor() {
    return loop;
  }

  /**
   * The common case of {@link #deliver}: nothing waits and every tick of the round is new to
   * this client, so the round goes out as it is, with its shared encoding. Only the versions
   * are kept: no tick reference is stored into this long-lived object and cleared again (at
   * 10,000 connections the garbage collector's card refinement of those stores cost a tenth
   * of a core). Answers false, changing nothing, when a tick is not new. Under the lock.
   */
  private boolean sendWhole(TickBatch round) {
    int n = round.size();
    int[] targets = new int[n];
    long id = lastId + 1;
    long oldest = Long.MAX_VALUE;
    for (int i = 0; i < n; i++) {
      QuoteTick t = round.get(i);
      int at = slots.indexOf(t.symbol());
      if (at < 0 || t.version() <= slots.floor[at]) {
        return false;
      }
      targets[i] = at;
      id = Math.max(id, t.version());
      oldest = Math.min(oldest, t.tickAt().toEpochMilli());
    }
    for (int i = 0; i < n; i++) {
      slots.floor[targets[i]] = round.get(i).version();
    }
    long now = now();
    lastId = id;
    lastBatchAt = now;
    lastSentAt = now;
    behindSince = -1;
    if (n > 0) {
      meters.latency(transport, TimeUnit.MILLISECONDS.toNanos(clock.millis() - oldest));
    }
    sink.next(new Batch(id, false, round.ticks(), round));
    flush.run();
    return true;
  }

  @Override
  public void completed() {
    // The hub is stopping: its onShutdown registry ends the session (end()).
  }

  /** Whether the pending ticks are exactly {@code round}'s. Under the lock. */
  private boolean isPending(TickBatch round) {
    if (pendingCount != round.size()) {
      return false;
    }
    for (int i = 0; i < round.size(); i++) {
      QuoteTick t = round.get(i);
      int at = slots.indexOf(t.symbol());
      if (at < 0 || slots.pending[at] != t) {
        return false;
      }
    }
    return true;
  }

  /** Keeps {@code tick} as its symbol's pending value if it is new to this client. Under the lock. */
  private boolean accept(QuoteTick tick) {
    int at = done ? -1 : slots.indexOf(tick.symbol());
    if (at < 0 || tick.version() <= slots.floor[at]) {
      return false; // not followed, already sent or older than what the client resumed from
    }
    QuoteTick prev = slots.pending[at];
    if (prev != null) {
      if (prev.version() >= tick.version()) {
        return false;
      }
      meters.conflated();
    } else {
      pendingCount++;
    }
    slots.pending[at] = tick;
    if (slots.awaiting[at]) {
      slots.awaiting[at] = false;
      awaitingCount--;
    }
    return true;
  }

  /** A value arrived while the snapshot is pending: send it once complete. Under the lock. */
  private void snapshotProgress() {
    if (snapshotLate) {
      lastBatchAt = Math.max(lastBatchAt, now() - intervalMs + Math.min(intervalMs, 50));
      scheduleFlush();
    } else if (awaitingCount == 0) {
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

  private void clearAwaiting() {
    if (awaitingCount > 0) {
      Arrays.fill(slots.awaiting, false);
      awaitingCount = 0;
    }
  }

  private void snapshotTimeout() {
    synchronized (this) {
      snapshotTask = null;
      if (!snapshotPending || done) {
        return;
      }
      clearAwaiting();
      if (pendingCount > 0) {
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
      if (done || pendingCount == 0) {
        return;
      }
      boolean snapshotReady = snapshotPending && awaitingCount == 0;
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
    if (done || pendingCount == 0) {
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
    List<QuoteTick> ticks = shared != null ? shared.ticks() : new ArrayList<>(pendingCount);
    // Ids grow strictly (a batch of only older symbols still gets a new id).
    long id = lastId + 1;
    for (int i = 0; i < slots.size; i++) {
      QuoteTick t = slots.pending[i];
      if (t != null) {
        if (shared == null) {
          ticks.add(t);
        }
        slots.floor[i] = t.version();
        slots.pending[i] = null;
        id = Math.max(id, t.version());
      }
    }
    pendingCount = 0;
    lastId = id;
    boolean snapshot = snapshotPending;
    snapshotPending = false;
    snapshotLate = false;
    clearAwaiting();
    if (snapshotTask != null) {
      snapshotTask.dispose();
      snapshotTask = null;
    }
    lastBatchAt = now;
    lastSentAt = now;
    behindSince = -1;
    if (!snapshot && !ticks.isEmpty()) {
      // Once per batch, for its oldest tick (a round's ticks share their production time): a
      // timer record per tick and connection was a tenth of the CPU at 10,000 connections.
      long oldest = Long.MAX_VALUE;
      for (QuoteTick t : ticks) {
        oldest = Math.min(oldest, t.tickAt().toEpochMilli());
      }
      meters.latency(transport, TimeUnit.MILLISECONDS.toNanos(clock.millis() - oldest));
    }
    sink.next(new Batch(id, snapshot, ticks, snapshot ? null : shared));
  }

  /**
   * The heartbeat check, run by the instance's one sweep ({@link SlowConsumerWatch}), not by
   * a timer per connection: a heartbeat once nothing was sent for {@code heartbeat-interval},
   * or, while the client cannot take it, the {@code max-lag} check. Sent at most a sweep
   * interval (at most a second) after it is due.
   */
  void beat() {
    synchronized (this) {
      if (done || sink == null) {
        return;
      }
      long now = now();
      if (now < lastSentAt + heartbeatMs) {
        return;
      }
      if (canSend()) {
        lastSentAt = now;
        if (pendingCount == 0) {
          behindSince = -1;
        }
        meters.heartbeat(transport);
        sink.next(HEARTBEAT);
      } else {
        behind(now);
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
