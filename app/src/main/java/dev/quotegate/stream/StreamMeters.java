package dev.quotegate.stream;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * The one place that names the streams' meters (all {@code quotegate.stream.*}; tags are
 * bounded: transport, event type, outcome, origin, operation). Also the per-instance
 * connection limit, counted here so the gauge and the limit never disagree.
 */
final class StreamMeters {

  /** How a client is connected. */
  enum Transport {
    SSE("sse"),
    WEBSOCKET("websocket");

    final String tag;

    Transport(String tag) {
      this.tag = tag;
    }
  }

  private final MeterRegistry registry;
  private final int maxConnections;
  private final AtomicInteger open = new AtomicInteger();
  private final Map<Transport, AtomicInteger> openBy = new EnumMap<>(Transport.class);
  private final Map<Transport, Counter> rejected = new EnumMap<>(Transport.class);
  private final Map<Transport, Counter> rejectedClient = new EnumMap<>(Transport.class);
  private final Map<Transport, Counter> quoteEvents = new EnumMap<>(Transport.class);
  private final Map<Transport, Counter> errorEvents = new EnumMap<>(Transport.class);
  private final Map<Transport, Counter> heartbeats = new EnumMap<>(Transport.class);
  private final Map<Transport, Map<SlowConsumerWatch.Reason, Counter>> slow = new EnumMap<>(Transport.class);
  private final Map<Transport, Timer> latency = new EnumMap<>(Transport.class);
  private final AtomicLong subscriptions = new AtomicLong();
  private final Timer unwritableAtCut;
  private final Counter conflated;
  private final Counter pollsOk;
  private final Counter pollsFailed;
  private final Counter ticksLocal;
  private final Counter ticksRemote;
  private final Counter loopErrors;
  private final Counter roundDeliveries;
  private final Counter roundBatches;
  private final Map<Transport, Counter> sharedEncodings = new EnumMap<>(Transport.class);

  StreamMeters(MeterRegistry registry, int maxConnections) {
    this.registry = registry;
    this.maxConnections = maxConnections;
    for (Transport t : Transport.values()) {
      AtomicInteger n = new AtomicInteger();
      openBy.put(t, n);
      Gauge.builder("quotegate.stream.connections", n, AtomicInteger::get)
          .description("Open stream connections by transport")
          .tag("transport", t.tag)
          .register(registry);
      rejected.put(t, Counter.builder("quotegate.stream.connections.rejected")
          .description("Stream connections refused: the instance (503) or the client (429) holds its maximum")
          .tag("transport", t.tag)
          .tag("limit", "instance")
          .register(registry));
      rejectedClient.put(t, Counter.builder("quotegate.stream.connections.rejected")
          .description("Stream connections refused: the instance (503) or the client (429) holds its maximum")
          .tag("transport", t.tag)
          .tag("limit", "client")
          .register(registry));
      quoteEvents.put(t, events(t, "quote"));
      errorEvents.put(t, events(t, "symbol-error"));
      heartbeats.put(t, events(t, "heartbeat"));
      Map<SlowConsumerWatch.Reason, Counter> byReason = new EnumMap<>(SlowConsumerWatch.Reason.class);
      for (SlowConsumerWatch.Reason r : SlowConsumerWatch.Reason.values()) {
        byReason.put(r, Counter.builder("quotegate.stream.slow.disconnects")
            .description("Stream connections closed as slow consumers, by reason: unwritable (channel not "
                + "writable for unwritable-timeout), unsent-bytes (past max-unsent), max-lag (no demand)")
            .tag("transport", t.tag)
            .tag("reason", r.tag)
            .register(registry));
      }
      slow.put(t, byReason);
      latency.put(t, Timer.builder("quotegate.stream.latency")
          .description("Tick to send: from the production of a batch's oldest tick to handing the batch to the connection")
          .tag("transport", t.tag)
          // Buckets only (quantiles computed by Prometheus, aggregatable across instances);
          // client-side percentiles would resize an HdrHistogram on the hot path.
          .publishPercentileHistogram()
          .minimumExpectedValue(Duration.ofMillis(1))
          .maximumExpectedValue(Duration.ofSeconds(60))
          .register(registry));
    }
    Gauge.builder("quotegate.stream.connections.limit", () -> maxConnections)
        .description("Most open stream connections this instance accepts")
        .register(registry);
    Gauge.builder("quotegate.stream.subscriptions", subscriptions, AtomicLong::get)
        .description("Symbol subscriptions summed over open connections")
        .register(registry);
    this.unwritableAtCut = Timer.builder("quotegate.stream.slow.unwritable")
        .description("How long each stream cut off as unwritable had been unwritable (unwritable-timeout plus "
            + "up to one sweep)")
        .register(registry);
    this.conflated = Counter.builder("quotegate.stream.updates.conflated")
        .description("Updates replaced by a newer value of the same symbol before they were sent")
        .register(registry);
    this.pollsOk = polls("ok");
    this.pollsFailed = polls("error");
    this.ticksLocal = ticks("local");
    this.ticksRemote = ticks("remote");
    this.loopErrors = Counter.builder("quotegate.stream.loop.errors")
        .description("Unexpected errors in the feed loops (logged; the loop goes on)")
        .register(registry);
    this.roundDeliveries = Counter.builder("quotegate.stream.rounds.deliveries")
        .description("Poll rounds' ticks handed to connections, one per connection per round")
        .register(registry);
    this.roundBatches = Counter.builder("quotegate.stream.rounds.batches")
        .description("Distinct tick sets of the poll rounds (connections following the same symbols share one, "
            + "and its encoding)")
        .register(registry);
    for (Transport t : Transport.values()) {
      sharedEncodings.put(t, Counter.builder("quotegate.stream.encodings.shared")
          .description("Events written with the encoding another connection's identical event made")
          .tag("transport", t.tag)
          .register(registry));
    }
  }

  /** A poll round handed to {@code listeners} connections as {@code batches} distinct tick sets. */
  void delivered(int listeners, int batches) {
    roundDeliveries.increment(listeners);
    roundBatches.increment(batches);
  }

  void sharedEncoding(Transport t) {
    sharedEncodings.get(t).increment();
  }

  private Counter events(Transport t, String type) {
    return Counter.builder("quotegate.stream.events")
        .description("Events sent to stream clients by transport and type")
        .tag("transport", t.tag)
        .tag("type", type)
        .register(registry);
  }

  private Counter polls(String outcome) {
    return Counter.builder("quotegate.stream.polls")
        .description("Symbols polled through the quote service by the feeds, by outcome")
        .tag("outcome", outcome)
        .register(registry);
  }

  private Counter ticks(String origin) {
    return Counter.builder("quotegate.stream.ticks")
        .description("Ticks entering this instance's feeds: polled here (local) or from the bus (remote)")
        .tag("origin", origin)
        .register(registry);
  }

  /** Gauges of the hub: feeds open and symbols polled here, the feed limit, the groups. */
  void hubGauges(Supplier<Number> feeds, Supplier<Number> polled, int maxFeeds, Supplier<Number> groups) {
    Gauge.builder("quotegate.stream.groups", groups)
        .description("Distinct symbol lists followed by this instance's connections (one delivery each per poll round)")
        .register(registry);
    Gauge.builder("quotegate.stream.symbols", feeds)
        .description("Distinct symbols with a live feed on this instance")
        .register(registry);
    Gauge.builder("quotegate.stream.symbols.polled", polled)
        .description("Symbols this instance polls (holds the poll lease of)")
        .register(registry);
    Gauge.builder("quotegate.stream.symbols.limit", () -> maxFeeds)
        .description("Most distinct symbols this instance streams at once")
        .register(registry);
  }

  /** Gauges of the per-client limit: clients with open streams, and the limit. */
  void clientGauges(Supplier<Number> clients, int maxPerClient) {
    Gauge.builder("quotegate.stream.clients", clients)
        .description("Clients (remote addresses) with at least one open stream")
        .register(registry);
    Gauge.builder("quotegate.stream.connections.client.limit", () -> maxPerClient)
        .description("Most open stream connections one client holds on this instance")
        .register(registry);
  }

  void rejectedForClient(Transport t) {
    rejectedClient.get(t).increment();
  }

  /** Takes a connection slot; false (and counted) at the limit. */
  boolean tryOpen(Transport t) {
    while (true) {
      int n = open.get();
      if (n >= maxConnections) {
        rejected.get(t).increment();
        return false;
      }
      if (open.compareAndSet(n, n + 1)) {
        openBy.get(t).incrementAndGet();
        return true;
      }
    }
  }

  void closed(Transport t) {
    open.decrementAndGet();
    openBy.get(t).decrementAndGet();
  }

  int open() {
    return open.get();
  }

  void subscribed(int delta) {
    subscriptions.addAndGet(delta);
  }

  void sent(Transport t, int quotes, int errors) {
    if (quotes > 0) {
      quoteEvents.get(t).increment();
    }
    if (errors > 0) {
      errorEvents.get(t).increment();
    }
  }

  void heartbeat(Transport t) {
    heartbeats.get(t).increment();
  }

  void latency(Transport t, long nanos) {
    latency.get(t).record(Math.max(0, nanos), TimeUnit.NANOSECONDS);
  }

  void conflated() {
    conflated.increment();
  }

  void slowConsumer(Transport t, SlowConsumerWatch.Reason reason) {
    slow.get(t).get(reason).increment();
  }

  void unwritableAtCut(long millis) {
    unwritableAtCut.record(millis, TimeUnit.MILLISECONDS);
  }

  Timer unwritableAtCut() {
    return unwritableAtCut;
  }

  /** Gauges of the slow-consumer sweep: bytes waiting in Netty, channels unwritable now. */
  void watchGauges(Supplier<Number> unsent, Supplier<Number> unwritable) {
    Gauge.builder("quotegate.stream.unsent", unsent)
        .description("Bytes queued in Netty, unsent, summed over stream connections (at the last sweep)")
        .baseUnit("bytes")
        .register(registry);
    Gauge.builder("quotegate.stream.unwritable", unwritable)
        .description("Stream connections whose channel was not writable at the last sweep")
        .register(registry);
  }

  double slowDisconnects(SlowConsumerWatch.Reason reason) {
    double n = 0;
    for (Transport t : Transport.values()) {
      n += slow.get(t).get(reason).count();
    }
    return n;
  }

  void polled(int ok, int failed) {
    pollsOk.increment(ok);
    pollsFailed.increment(failed);
  }

  void tick(boolean remote) {
    (remote ? ticksRemote : ticksLocal).increment();
  }

  void loopError() {
    loopErrors.increment();
  }
}
