package dev.quotegate.stream;

import dev.quotegate.cache.Cached;
import dev.quotegate.platform.GatewayException;
import dev.quotegate.provider.Quote;
import dev.quotegate.quote.QuoteResult;
import dev.quotegate.quote.QuoteResult.Failed;
import dev.quotegate.quote.QuoteResult.Found;
import dev.quotegate.quote.QuoteService;
import dev.quotegate.web.Problems;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import reactor.core.Disposable;
import reactor.core.Disposables;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.core.scheduler.Scheduler;
import reactor.util.concurrent.Queues;

/**
 * One hot feed per symbol, shared by every subscriber on this instance.
 *
 * <p>A feed starts with its first subscriber and stops {@code grace-period} after its last one
 * left. A new subscriber first gets the feed's latest tick (the snapshot), then every tick.
 * Feeds are fed by polling {@link QuoteService#quotes} when the cached quote is due for a
 * refresh (its {@code expiresAt}, i.e. the quote TTL, market-hours aware), so streams and REST
 * share the cache, the coalescer and the upstream calls. A provider that pushes can
 * {@link #push} ticks instead.
 *
 * <p>With a shared {@link TickBus} (Redis), one instance polls a symbol: the holder of its
 * {@link PollLease}. It publishes its ticks on the bus; the others follow the symbol and fan
 * the ticks out to their own clients, and take the lease over when the holder stops renewing
 * it. When the bus or the lease fails, the instance polls for itself (fail-open: clients keep
 * getting prices at the cost of more upstream calls; logged and counted).
 */
public final class QuoteStreamHub implements SmartLifecycle {

  private static final Logger log = LoggerFactory.getLogger(QuoteStreamHub.class);
  private static final int MAX_CHORES = 4096;
  /** How many poll ticks a due feed may wait for others about to be due. */
  private static final int ALIGN_TICKS = 3;
  /** Connections delivered a poll round per event-loop task. */
  private static final int DELIVERY_CHUNK = 16;

  private final QuoteService quotes;
  private final TickBus bus;
  private final PollLease lease;
  private final StreamProperties props;
  private final Clock clock;
  private final Scheduler scheduler;
  private final StreamMeters meters;
  private final ConcurrentHashMap<String, Feed> feeds = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<List<String>, Group> groups = new ConcurrentHashMap<>();
  private final Sinks.Many<Mono<Void>> chores =
      Sinks.many().unicast().onBackpressureBuffer(Queues.<Mono<Void>>get(MAX_CHORES).get());
  private final Set<Runnable> enders = ConcurrentHashMap.newKeySet();
  private final AtomicBoolean leaseFailing = new AtomicBoolean();
  private volatile Disposable loops;
  private volatile boolean running;
  private volatile boolean stopped;

  QuoteStreamHub(
      QuoteService quotes,
      TickBus bus,
      PollLease lease,
      StreamProperties props,
      Clock clock,
      Scheduler scheduler,
      StreamMeters meters) {
    this.quotes = Objects.requireNonNull(quotes, "quotes");
    this.bus = Objects.requireNonNull(bus, "bus");
    this.lease = Objects.requireNonNull(lease, "lease");
    this.props = Objects.requireNonNull(props, "props");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
    this.meters = Objects.requireNonNull(meters, "meters");
    meters.hubGauges(feeds::size, () -> polledSymbols().size(), props.maxFeeds(), groups::size);
  }

  /**
   * Starts delivering the ticks of {@code symbol} to {@code listener}: its latest one first
   * (when there is one), then every new one, a poll round's ticks at once ({@link
   * TickListener#deliver}). Following keeps the symbol's feed alive until the answered handle
   * is disposed. Versions only grow, but a listener may see the latest tick twice (it drops
   * what is not newer). Past {@code max-feeds}, a single error tick (503 overloaded) and a
   * handle that holds nothing.
   */
  Disposable follow(String symbol, TickListener listener) {
    Feed feed;
    try {
      feed = acquire(symbol);
    } catch (GatewayException.Overloaded e) {
      listener.offer(refusal(symbol));
      return Disposables.disposed();
    }
    Follower f = new Follower(this, feed, listener);
    // Live first, then the latest: a tick between the two is either delivered live or is the
    // latest; duplicates are dropped by version downstream.
    feed.followers.add(f);
    QuoteTick latest = feed.latest;
    if (latest != null) {
      listener.offer(latest);
    }
    return f;
  }

  /**
   * Starts delivering the ticks of {@code symbols} to {@code member} as {@link #follow} does
   * for each symbol, through the group of every listener that follows exactly these symbols
   * (a dashboard's watchlist: thousands of connections, a few distinct lists): the group is
   * the feeds' one follower, so a poll round is grouped per group, not per connection and
   * symbol, and the group hands it to its members on their own event loops ({@link
   * TickListener#executor}), all loops at once. Dispose the answer to leave; the last member
   * to leave lets the feeds go. At most one group per connection.
   */
  Disposable join(List<String> symbols, TickListener member) {
    List<String> key = List.copyOf(new TreeSet<>(symbols));
    while (true) {
      Group group = groups.get(key);
      boolean created = false;
      if (group == null) {
        Group fresh = new Group(key);
        group = groups.putIfAbsent(key, fresh);
        if (group == null) {
          group = fresh;
          created = true;
        }
      }
      if (!group.add(member)) {
        continue; // lost a race with its last member's departure: make a new one
      }
      if (created) {
        group.start(); // follows the feeds: their latest values reach every member so far
      } else {
        group.replay(member);
      }
      Group joined = group;
      return () -> joined.remove(member); // idempotent
    }
  }

  /** Listeners that follow the same symbols, by the event loop their deliveries run on. */
  private final class Group implements TickListener {
    /** Runs deliveries of members without an event loop on the hub's thread. */
    private static final Executor HERE = Runnable::run;

    final List<String> symbols;
    final ConcurrentHashMap<Executor, Set<TickListener>> lanes = new ConcurrentHashMap<>(8);
    final Disposable.Composite follows = Disposables.composite();
    /** Symbols refused at start (past {@code max-feeds}): joiners get their error tick. */
    final Set<String> refused = ConcurrentHashMap.newKeySet();
    volatile int members; // written under this
    boolean closed; // guarded by this

    Group(List<String> symbols) {
      this.symbols = symbols;
    }

    synchronized boolean add(TickListener member) {
      if (closed) {
        return false;
      }
      Executor loop = member.executor();
      lanes.computeIfAbsent(loop == null ? HERE : loop, x -> ConcurrentHashMap.newKeySet()).add(member);
      members++;
      return true;
    }

    void remove(TickListener member) {
      synchronized (this) {
        Executor loop = member.executor();
        Set<TickListener> lane = lanes.get(loop == null ? HERE : loop);
        if (closed || !(lane != null && lane.remove(member) || removeFromAnyLane(member))) {
          return;
        }
        if (--members > 0) {
          return;
        }
        closed = true;
        groups.remove(symbols, this);
      }
      follows.dispose(); // outside the lock: releasing feeds takes theirs
    }

    /** A member whose executor changed since it joined (the contract asks for one). */
    private boolean removeFromAnyLane(TickListener member) {
      for (Set<TickListener> lane : lanes.values()) {
        if (lane.remove(member)) {
          return true;
        }
      }
      return false;
    }

    void start() {
      for (String symbol : symbols) {
        Disposable d = follow(symbol, this);
        if (d.isDisposed()) {
          refused.add(symbol);
        }
        follows.add(d);
      }
    }

    /** A joiner of a running group gets what {@link #follow} gives a new follower first. */
    void replay(TickListener member) {
      for (String symbol : symbols) {
        Feed feed = feeds.get(symbol);
        QuoteTick latest = refused.contains(symbol) ? refusal(symbol) : feed != null ? feed.latest : null;
        if (latest != null) {
          member.offer(latest);
        }
      }
    }

    @Override
    public void offer(QuoteTick tick) {
      for (Set<TickListener> lane : lanes.values()) {
        for (TickListener m : lane) {
          m.offer(tick);
        }
      }
    }

    @Override
    public void deliver(TickBatch round) {
      Set<TickListener> here = null;
      for (Map.Entry<Executor, Set<TickListener>> e : lanes.entrySet()) {
        if (e.getKey() == HERE) {
          here = e.getValue();
          continue;
        }
        // In tasks of DELIVERY_CHUNK connections: the loop does its other I/O in between
        // (reads, write completions) instead of holding them back for a whole round.
        TickListener[] chunk = new TickListener[DELIVERY_CHUNK];
        int n = 0;
        for (TickListener m : e.getValue()) {
          chunk[n++] = m;
          if (n == chunk.length) {
            dispatch(e.getKey(), chunk, n, round);
            chunk = new TickListener[DELIVERY_CHUNK];
            n = 0;
          }
        }
        if (n > 0) {
          dispatch(e.getKey(), chunk, n, round);
        }
      }
      if (here != null) {
        for (TickListener m : here) {
          deliverTo(m, round);
        }
      }
    }

    private void dispatch(Executor loop, TickListener[] chunk, int n, TickBatch round) {
      Runnable task = () -> {
        for (int i = 0; i < n; i++) {
          deliverTo(chunk[i], round);
        }
      };
      try {
        loop.execute(task);
      } catch (RejectedExecutionException ex) {
        task.run(); // the loop is shutting down: its connections are closing
      }
    }

    private void deliverTo(TickListener m, TickBatch round) {
      try {
        m.deliver(round);
      } catch (RuntimeException ex) {
        meters.loopError();
        log.warn("stream delivery to a connection failed", ex);
      }
    }

    @Override
    public void completed() {
      for (Set<TickListener> lane : lanes.values()) {
        for (TickListener m : lane) {
          m.completed();
        }
      }
    }
  }

  /**
   * The ticks of {@code symbol} as a {@code Flux} (tests, tools): {@link #follow} with a
   * listener that emits each tick; completes when the hub stops.
   */
  public Flux<QuoteTick> ticks(String symbol) {
    return Flux.create(sink -> {
      Disposable d = follow(symbol, new TickListener() {
        @Override
        public void offer(QuoteTick tick) {
          sink.next(tick);
        }

        @Override
        public void completed() {
          sink.complete();
        }
      });
      sink.onDispose(d);
    });
  }

  /** Whether {@code symbols} can be streamed without exceeding {@code max-feeds}. */
  public boolean canOpen(Collection<String> symbols) {
    int missing = 0;
    for (String s : symbols) {
      if (!feeds.containsKey(s)) {
        missing++;
      }
    }
    return feeds.size() + missing <= props.maxFeeds();
  }

  /**
   * A tick from a provider that pushes: delivered to this instance's subscribers and published
   * on the bus. Ignored when nobody streams the symbol or it is not newer than the latest.
   */
  public void push(QuoteTick tick) {
    Feed feed = feeds.get(tick.symbol());
    if (feed != null && offer(feed, tick, false)) {
      publishOnBus(tick);
    }
  }

  /** Symbols with a live feed on this instance. */
  public Set<String> symbols() {
    return new TreeSet<>(feeds.keySet());
  }

  /** Symbols this instance polls (holds the lease of). */
  public Set<String> polledSymbols() {
    Set<String> out = new TreeSet<>();
    for (Feed f : feeds.values()) {
      if (f.held) {
        out.add(f.symbol);
      }
    }
    return out;
  }

  /**
   * Runs {@code end} when the hub stops (at once if it has stopped; not before it started:
   * the web server starts first), so open connections end
   * and the server can shut down; dispose the answer when the connection ends first. A set
   * entry per connection, not a subscriber of one shared signal (whose subscriber array is
   * copied at every connection's arrival and departure).
   */
  Disposable onShutdown(Runnable end) {
    enders.add(end);
    if (stopped) {
      enders.remove(end);
      end.run();
    }
    return () -> enders.remove(end);
  }

  // --- feeds -------------------------------------------------------------------------------

  private final class Feed {
    final String symbol;
    /** Who follows the symbol on this instance: one entry per (listener, symbol). */
    final Set<Follower> followers = ConcurrentHashMap.newKeySet();
    final Mono<Void> warmup;
    final AtomicBoolean polling = new AtomicBoolean();
    volatile QuoteTick latest;
    volatile boolean held;
    volatile long nextPollAt;
    final AtomicInteger subscribers = new AtomicInteger();
    volatile long lastReleaseAt;
    boolean closed; // guarded by this

    Feed(String symbol) {
      this.symbol = symbol;
      if (bus.shared()) {
        this.warmup = Mono.defer(this::join).cache();
      } else {
        this.held = true;
        this.warmup = Mono.empty();
      }
    }

    /** Follows the symbol on the bus, tries its lease, else takes the last published tick. */
    private Mono<Void> join() {
      return bus.follow(symbol)
          .then(lease.hold(List.of(symbol)))
          .flatMap(
              held -> {
                if (held.contains(symbol)) {
                  this.held = true;
                  return Mono.<Void>empty();
                }
                return bus.last(symbol).doOnNext(t -> offer(this, t, true)).then();
              })
          .timeout(props.redis().timeout().multipliedBy(3))
          .onErrorResume(
              e -> {
                leaseFailed(e);
                this.held = true;
                return Mono.empty();
              });
    }
  }

  /** One listener's hold on one feed; disposing it lets the feed go (once). */
  private static final class Follower implements Disposable {
    private static final AtomicIntegerFieldUpdater<Follower> DISPOSED =
        AtomicIntegerFieldUpdater.newUpdater(Follower.class, "disposed");

    final QuoteStreamHub hub;
    final Feed feed;
    final TickListener listener;
    volatile int disposed; // a field, not an AtomicBoolean: one of these per connection and symbol

    Follower(QuoteStreamHub hub, Feed feed, TickListener listener) {
      this.hub = hub;
      this.feed = feed;
      this.listener = listener;
    }

    @Override
    public void dispose() {
      if (DISPOSED.compareAndSet(this, 0, 1)) {
        feed.followers.remove(this);
        hub.release(feed);
      }
    }

    @Override
    public boolean isDisposed() {
      return disposed != 0;
    }
  }

  private GatewayException.Overloaded feedsFull() {
    return new GatewayException.Overloaded(
        "this instance streams its maximum of " + props.maxFeeds() + " symbols", props.retryAfter());
  }

  /** The error tick of a symbol refused past {@code max-feeds}. */
  private QuoteTick refusal(String symbol) {
    return QuoteTick.failed(symbol, clock.millis(), clock.instant(),
        new QuoteTick.Error(503, "overloaded", Problems.detail(feedsFull())));
  }

  private Feed acquire(String symbol) {
    while (true) {
      Feed feed = feeds.get(symbol);
      if (feed == null) {
        if (feeds.size() >= props.maxFeeds()) {
          throw feedsFull();
        }
        Feed created = new Feed(symbol);
        feed = feeds.putIfAbsent(symbol, created);
        if (feed == null) {
          feed = created;
          // Follow the symbol on the bus and try its lease (cached: runs once per feed).
          created.warmup.subscribe(null, e -> log.warn("stream feed warm-up of {} failed", symbol, e));
        }
      }
      synchronized (feed) {
        if (feed.closed) {
          continue; // lost a race with its expiry: make a new one
        }
        feed.subscribers.incrementAndGet();
        return feed;
      }
    }
  }

  /**
   * Lock-free: it runs when a subscriber cancels, which can happen while a tick is being
   * delivered under the feed's lock on another thread.
   */
  private void release(Feed feed) {
    feed.lastReleaseAt = scheduler.now(TimeUnit.MILLISECONDS);
    if (feed.subscribers.decrementAndGet() == 0) {
      scheduler.schedule(() -> expire(feed), props.gracePeriod().toMillis(), TimeUnit.MILLISECONDS);
    }
  }

  private void expire(Feed feed) {
    synchronized (feed) {
      if (feed.subscribers.get() > 0 || feed.closed) {
        return;
      }
      long idle = scheduler.now(TimeUnit.MILLISECONDS) - feed.lastReleaseAt;
      long grace = props.gracePeriod().toMillis();
      if (idle < grace) {
        // Someone came and left since this timer was set: wait out the full grace period.
        scheduler.schedule(() -> expire(feed), grace - idle, TimeUnit.MILLISECONDS);
        return;
      }
      feed.closed = true;
      feeds.remove(feed.symbol, feed);
    }
    log.debug("feed {} stopped after the grace period", feed.symbol);
    if (bus.shared()) {
      List<String> one = List.of(feed.symbol);
      Mono<Void> leave = bus.unfollow(feed.symbol).then(feed.held ? lease.release(one) : Mono.empty());
      chore(leave);
    }
  }

  /** Makes {@code tick} the feed's latest if it is newer; answers whether it did. */
  private boolean accept(Feed feed, QuoteTick tick, boolean remote) {
    synchronized (feed) {
      QuoteTick latest = feed.latest;
      if (feed.closed || (latest != null && tick.version() <= latest.version())) {
        return false;
      }
      feed.latest = tick;
      meters.tick(remote);
      return true;
    }
  }

  /** Delivers a tick to the feed's followers if it is newer than the latest. */
  private boolean offer(Feed feed, QuoteTick tick, boolean remote) {
    if (!accept(feed, tick, remote)) {
      return false;
    }
    // Outside the feed's lock: listeners drop what is not newer than what they have, so two
    // deliveries racing on different threads cannot take a listener backwards.
    for (Follower f : feed.followers) {
      f.listener.offer(tick);
    }
    return true;
  }

  /**
   * Delivers the ticks one poll round made: each listener gets every tick of the round it
   * follows in one call (one batch, one write, no linger), and listeners that follow the same
   * symbols share one {@link TickBatch} (one encoding). One pass over the followers (groups
   * of connections, mostly: {@link #join}), on the hub's scheduler.
   */
  private void deliverRound(List<Feed> fed, List<QuoteTick> ticks) {
    if (ticks.isEmpty()) {
      return;
    }
    int expected = 0;
    for (Feed f : fed) {
      expected = Math.max(expected, f.followers.size());
    }
    // An identity map (one compact table, warm in the cache), not a field of each listener:
    // writing a scratch field into every session cost a cache miss per listener and tick.
    IdentityHashMap<TickListener, RoundTicks> per = new IdentityHashMap<>(expected);
    for (int i = 0; i < ticks.size(); i++) {
      QuoteTick tick = ticks.get(i);
      int left = ticks.size() - i;
      for (Follower f : fed.get(i).followers) {
        RoundTicks r = per.get(f.listener);
        if (r == null) {
          r = new RoundTicks(left);
          per.put(f.listener, r);
        }
        r.add(tick, i);
      }
    }
    HashMap<TickBatch, TickBatch> distinct = new HashMap<>();
    int deliveries = 0;
    for (Map.Entry<TickListener, RoundTicks> e : per.entrySet()) {
      deliveries += e.getKey() instanceof Group g ? g.members : 1;
      TickBatch batch = new TickBatch(e.getValue().ticks, e.getValue().hash);
      TickBatch shared = distinct.putIfAbsent(batch, batch);
      try {
        e.getKey().deliver(shared != null ? shared : batch);
      } catch (RuntimeException ex) {
        meters.loopError();
        log.warn("stream delivery to a connection failed", ex);
      }
    }
    meters.delivered(deliveries, distinct.size());
  }

  /** One listener's ticks of a round, with a hash of their indexes in the round. */
  private static final class RoundTicks {
    final List<QuoteTick> ticks;
    int hash = 1;

    RoundTicks(int capacity) {
      this.ticks = new ArrayList<>(capacity);
    }

    void add(QuoteTick tick, int index) {
      ticks.add(tick);
      hash = 31 * hash + index; // a round's ticks are distinct: their index identifies them
    }
  }

  // --- polling -----------------------------------------------------------------------------

  private Mono<Void> pollRound() {
    return Mono.defer(
        () -> {
          long now = clock.millis();
          long align = props.pollTick().toMillis() * ALIGN_TICKS;
          long oldestDue = Long.MAX_VALUE;
          boolean soonDue = false;
          for (Feed f : feeds.values()) {
            if (f.held && !f.polling.get()) {
              if (f.nextPollAt <= now) {
                oldestDue = Math.min(oldestDue, f.nextPollAt);
              } else if (f.nextPollAt <= now + align) {
                soonDue = true;
              }
            }
          }
          // Feeds that fell out of step (created across a tick, or refreshed by REST at
          // another time) wait up to a few ticks for the others: polled together, they get
          // one batch call and the same expiry, and stay in step.
          if (oldestDue == Long.MAX_VALUE || (soonDue && now - oldestDue < align)) {
            return Mono.empty();
          }
          List<Feed> due = new ArrayList<>();
          for (Feed f : feeds.values()) {
            if (f.held && f.nextPollAt <= now && f.polling.compareAndSet(false, true)) {
              due.add(f);
            }
          }
          if (due.isEmpty()) {
            return Mono.empty();
          }
          List<String> symbols = new ArrayList<>(due.size());
          for (Feed f : due) {
            symbols.add(f.symbol);
          }
          return quotes
              .quotes(symbols)
              // Delivery on the hub's scheduler, not on the event loop that read the answer.
              .publishOn(scheduler)
              .doOnNext(results -> {
                int ok = 0;
                List<Feed> fed = new ArrayList<>(results.size());
                List<QuoteTick> ticks = new ArrayList<>(results.size());
                for (int i = 0; i < results.size(); i++) {
                  if (polled(due.get(i), results.get(i), fed, ticks)) {
                    ok++;
                  }
                }
                meters.polled(ok, results.size() - ok);
                deliverRound(fed, ticks);
              })
              .doFinally(s -> due.forEach(f -> f.polling.set(false)))
              .then();
        });
  }

  /**
   * Turns a poll result into a tick (when something changed: added to {@code fed} and
   * {@code ticks} for the round's delivery) and the next poll time.
   */
  private boolean polled(Feed feed, QuoteResult result, List<Feed> fed, List<QuoteTick> ticks) {
    Instant now = clock.instant();
    long nowMs = now.toEpochMilli();
    QuoteTick latest = feed.latest;
    long version = Math.max(nowMs, latest == null ? 0 : latest.version() + 1);
    if (result instanceof Found found) {
      Cached<Quote> entry = found.entry();
      if (found.stale() && latest != null && latest.isQuote() && !latest.stale()
          && entry.fetchedAt().equals(latest.fetchedAt())
          && nowMs - entry.expiresAt().toEpochMilli() < props.failureBackoff().toMillis()) {
        // The value subscribers already have, just past its freshness while its refresh runs
        // (stale-while-revalidate, stale-if-slow): a stale tick now would be followed by the
        // fresh value a moment later. Look again on the next poll tick (the cache answers, the
        // coalescer joins the refresh: no upstream call); only a refresh that has not landed
        // within failure-backoff of the expiry makes it a stale tick.
        feed.nextPollAt = nowMs + props.pollTick().toMillis();
        return true;
      }
      QuoteTick tick = QuoteTick.of(feed.symbol, version, now, entry, found.stale());
      if (!tick.sameAs(latest) && accept(feed, tick, false)) {
        fed.add(feed);
        ticks.add(tick);
        publishOnBus(tick);
      }
      feed.nextPollAt = found.stale()
          ? nowMs + props.failureBackoff().toMillis()
          : Math.max(entry.expiresAt().toEpochMilli(), nowMs + props.pollTick().toMillis());
      return !found.stale();
    }
    GatewayException e = ((Failed) result).error();
    QuoteTick tick = QuoteTick.failed(feed.symbol, version, now,
        new QuoteTick.Error(Problems.status(e), Problems.code(e), Problems.detail(e)));
    if (!tick.sameAs(latest) && accept(feed, tick, false)) {
      fed.add(feed);
      ticks.add(tick);
      publishOnBus(tick);
    }
    feed.nextPollAt = nowMs + props.failureBackoff().toMillis();
    return false;
  }

  private void publishOnBus(QuoteTick tick) {
    if (bus.shared()) {
      chore(bus.publish(tick));
    }
  }

  // --- leases ------------------------------------------------------------------------------

  private Mono<Void> leaseRound() {
    return Mono.defer(
        () -> {
          List<String> symbols = new ArrayList<>(feeds.keySet());
          if (symbols.isEmpty()) {
            return Mono.empty();
          }
          return lease
              .hold(symbols)
              .timeout(props.redis().timeout().multipliedBy(3))
              .doOnNext(
                  held -> {
                    if (leaseFailing.compareAndSet(true, false)) {
                      log.info("poll leases reachable again: polling only the symbols this instance holds");
                    }
                    for (String s : symbols) {
                      Feed f = feeds.get(s);
                      if (f == null) {
                        continue;
                      }
                      boolean was = f.held;
                      f.held = held.contains(s);
                      if (!was && f.held) {
                        log.debug("took over polling {}", s);
                        f.nextPollAt = 0; // poll now: the old holder is gone
                      }
                    }
                  })
              .onErrorResume(
                  e -> {
                    leaseFailed(e);
                    feeds.values().forEach(f -> f.held = true);
                    return Mono.empty();
                  })
              .then();
        });
  }

  private void leaseFailed(Throwable e) {
    meters.loopError();
    if (leaseFailing.compareAndSet(false, true)) {
      // Fail-open: clients keep getting prices; upstream sees one poller per instance.
      log.warn("poll leases unavailable ({}): this instance polls every symbol it streams", e.toString());
    }
  }

  private void chore(Mono<Void> work) {
    Sinks.EmitResult r;
    synchronized (chores) {
      r = chores.tryEmitNext(work);
    }
    if (r.isFailure()) {
      meters.loopError();
      log.warn("stream bus queue full ({}): a publish or unsubscribe was dropped", r);
    }
  }

  // --- lifecycle ---------------------------------------------------------------------------

  @Override
  public synchronized void start() {
    if (running) {
      return;
    }
    running = true;
    stopped = false;
    Disposable.Composite all = Disposables.composite();
    all.add(Flux.interval(props.pollTick(), scheduler)
        .onBackpressureDrop()
        .flatMap(t -> pollRound().onErrorResume(this::loopFailed), props.maxConcurrentPolls())
        .subscribe(null, e -> log.error("stream poll loop ended", e)));
    all.add(chores.asFlux()
        .flatMap(m -> m.timeout(props.redis().timeout().multipliedBy(3)).onErrorResume(this::loopFailed), 64)
        .subscribe(null, e -> log.error("stream bus loop ended", e)));
    if (bus.shared()) {
      all.add(bus.received()
          .doOnNext(t -> {
            Feed f = feeds.get(t.symbol());
            if (f != null) {
              offer(f, t, true);
            }
          })
          .subscribe(null, e -> log.error("stream bus subscription ended", e)));
    }
    Duration renew = lease.renewInterval();
    if (renew != null) {
      all.add(Flux.interval(renew, scheduler)
          .onBackpressureDrop()
          .concatMap(t -> leaseRound())
          .subscribe(null, e -> log.error("stream lease loop ended", e)));
    }
    loops = all;
  }

  private Mono<Void> loopFailed(Throwable e) {
    meters.loopError();
    log.warn("stream feed loop error (the loop goes on)", e);
    return Mono.empty();
  }

  @Override
  public void stop() {
    stop(() -> {});
  }

  @Override
  public synchronized void stop(Runnable callback) {
    if (!running) {
      callback.run();
      return;
    }
    running = false;
    stopped = true;
    for (Runnable end : enders) {
      enders.remove(end);
      end.run();
    }
    Disposable l = loops;
    if (l != null) {
      l.dispose();
    }
    List<String> held = new ArrayList<>(polledSymbols());
    for (Feed f : feeds.values()) {
      synchronized (f) {
        f.closed = true;
      }
      for (Follower follower : f.followers) {
        follower.listener.completed();
      }
    }
    feeds.clear();
    if (!bus.shared() || held.isEmpty()) {
      callback.run();
      return;
    }
    // Hand the leases back so another instance takes over at its next renewal, not at expiry.
    lease.release(held)
        .timeout(props.redis().timeout())
        .doOnError(e -> log.warn("could not release {} poll leases on shutdown: {}", held.size(), e.toString()))
        .onErrorResume(e -> Mono.empty())
        .doFinally(s -> callback.run())
        .subscribe(null, e -> log.warn("poll lease release failed on shutdown", e));
  }

  @Override
  public boolean isRunning() {
    return running;
  }
}
