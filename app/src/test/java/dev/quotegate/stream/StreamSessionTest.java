package dev.quotegate.stream;

import static dev.quotegate.stream.StreamTesting.tick;
import static org.assertj.core.api.Assertions.assertThat;

import dev.quotegate.stream.StreamMeters.Transport;
import dev.quotegate.stream.StreamSession.Batch;
import dev.quotegate.stream.StreamSession.Frame;
import dev.quotegate.stream.StreamSession.Heartbeat;
import dev.quotegate.stream.StreamSession.SlowConsumerException;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Sinks;
import reactor.test.StepVerifier;
import reactor.test.scheduler.VirtualTimeScheduler;

/** Conflation, snapshots, heartbeats, resume and slow consumers of one connection, in virtual time. */
class StreamSessionTest {

  private static final Duration TIMEOUT = Duration.ofSeconds(5);

  VirtualTimeScheduler vts;
  Map<String, Sinks.Many<QuoteTick>> feeds;
  SimpleMeterRegistry registry;
  AtomicBoolean writable;

  @BeforeEach
  void setUp() {
    vts = VirtualTimeScheduler.create();
    feeds = new ConcurrentHashMap<>();
    registry = new SimpleMeterRegistry();
    writable = new AtomicBoolean(true);
  }

  private Flux<QuoteTick> feed(String symbol) {
    return feeds.computeIfAbsent(symbol, s -> Sinks.many().multicast().directBestEffort()).asFlux();
  }

  private void emit(QuoteTick t) {
    Sinks.EmitResult r = feeds.get(t.symbol()).tryEmitNext(t);
    assertThat(r.isSuccess()).as("tick %s delivered to the session: %s", t, r).isTrue();
  }

  private StreamSession session(StreamProperties props, long resumeFrom) {
    StreamSession session = new StreamSession(Transport.SSE, StreamSession.Source.of(this::feed), props, vts, Clock.systemUTC(),
        writable::get, null, () -> {}, new StreamMeters(registry, 100), resumeFrom);
    // The instance's sweep beats every session's heartbeat (SlowConsumerWatch); here in virtual time.
    Flux.interval(props.sweepInterval(), vts).subscribe(t -> session.beat());
    return session;
  }

  private static List<String> prices(Frame f) {
    List<String> out = new ArrayList<>();
    for (QuoteTick t : ((Batch) f).ticks()) {
      out.add(t.symbol() + "=" + t.quote().price().toPlainString());
    }
    return out;
  }

  private double conflated() {
    return registry.get("quotegate.stream.updates.conflated").counter().count();
  }

  @Test
  void sendsOneSnapshotOnceEverySymbolHasAValue() {
    StreamSession session = session(StreamTesting.defaults(), -1);
    session.add(List.of("AAPL", "MSFT"));
    StepVerifier.withVirtualTime(session::frames, () -> vts, Long.MAX_VALUE)
        .expectSubscription()
        .then(() -> emit(tick("AAPL", 1000, "10")))
        .expectNoEvent(Duration.ofMillis(100))
        .then(() -> emit(tick("MSFT", 1001, "20")))
        .assertNext(f -> {
          assertThat(((Batch) f).snapshot()).as("first batch is the snapshot").isTrue();
          assertThat(prices(f)).containsExactly("AAPL=10", "MSFT=20");
          assertThat(((Batch) f).id()).isEqualTo(1001);
        })
        .thenCancel()
        .verify(TIMEOUT);
  }

  @Test
  void endingTheSessionCompletesItsFramesAndUnsubscribesEverySymbol() {
    StreamSession session = session(StreamTesting.defaults(), -1);
    session.add(List.of("AAPL"));
    StepVerifier.withVirtualTime(session::frames, () -> vts, Long.MAX_VALUE)
        .expectSubscription()
        .then(() -> emit(tick("AAPL", 1000, "10")))
        .assertNext(f -> assertThat(prices(f)).containsExactly("AAPL=10"))
        .then(session::end)
        .expectComplete()
        .verify(TIMEOUT);
    assertThat(feeds.get("AAPL").currentSubscriberCount()).as("feed subscription released").isZero();
  }

  @Test
  void aSessionEndedBeforeItsFramesAreSubscribedCompletesAtOnce() {
    StreamSession session = session(StreamTesting.defaults(), -1);
    session.add(List.of("AAPL"));
    session.end();
    StepVerifier.withVirtualTime(session::frames, () -> vts, Long.MAX_VALUE)
        .expectSubscription()
        .expectComplete()
        .verify(TIMEOUT);
    assertThat(feeds).as("nothing followed").doesNotContainKey("AAPL");
  }

  @Test
  void snapshotGoesOutAfterTheTimeoutWithWhatIsThere() {
    StreamSession session = session(StreamTesting.defaults(), -1);
    session.add(List.of("AAPL", "MSFT"));
    StepVerifier.withVirtualTime(session::frames, () -> vts, Long.MAX_VALUE)
        .expectSubscription()
        .then(() -> emit(tick("AAPL", 1000, "10")))
        .expectNoEvent(Duration.ofMillis(2999))
        .thenAwait(Duration.ofMillis(1))
        .assertNext(f -> assertThat(prices(f)).containsExactly("AAPL=10"))
        .then(() -> emit(tick("MSFT", 2000, "20")))
        .expectNoEvent(Duration.ofMillis(249))
        .thenAwait(Duration.ofMillis(1))
        .assertNext(f -> assertThat(prices(f)).as("late symbol follows as an update").containsExactly("MSFT=20"))
        .thenCancel()
        .verify(TIMEOUT);
  }

  @Test
  void aSnapshotLaterThanTheTimeoutStillHoldsTheValuesPolledTogether() {
    StreamSession session = session(StreamTesting.defaults(), -1);
    session.add(List.of("AAPL", "MSFT"));
    StepVerifier.withVirtualTime(session::frames, () -> vts, Long.MAX_VALUE)
        .expectSubscription()
        .expectNoEvent(Duration.ofSeconds(4))
        .then(() -> emit(tick("AAPL", 1000, "10")))
        .then(() -> emit(tick("MSFT", 1000, "20")))
        .expectNoEvent(Duration.ofMillis(49))
        .thenAwait(Duration.ofMillis(1))
        .assertNext(f -> {
          assertThat(((Batch) f).snapshot()).isTrue();
          assertThat(prices(f)).containsExactly("AAPL=10", "MSFT=20");
        })
        .thenCancel()
        .verify(TIMEOUT);
  }

  @Test
  void conflatesToTheLatestValuePerSymbolAndSendsAtMostOneBatchPerInterval() {
    StreamSession session = session(StreamTesting.defaults(), -1);
    session.add(List.of("AAPL", "MSFT"));
    StepVerifier.withVirtualTime(session::frames, () -> vts, Long.MAX_VALUE)
        .expectSubscription()
        .then(() -> {
          emit(tick("AAPL", 1000, "10"));
          emit(tick("MSFT", 1000, "20"));
        })
        .assertNext(f -> assertThat(((Batch) f).snapshot()).isTrue())
        .then(() -> {
          // within the same interval: three AAPL updates and one MSFT update
          emit(tick("AAPL", 1001, "11"));
          emit(tick("AAPL", 1002, "12"));
          emit(tick("MSFT", 1002, "21"));
          emit(tick("AAPL", 1003, "13"));
        })
        .expectNoEvent(Duration.ofMillis(249))
        .thenAwait(Duration.ofMillis(1))
        .assertNext(f -> {
          assertThat(prices(f)).as("latest per symbol only").containsExactlyInAnyOrder("AAPL=13", "MSFT=21");
          assertThat(((Batch) f).id()).isEqualTo(1003);
        })
        .then(() -> emit(tick("AAPL", 1004, "14")))
        .expectNoEvent(Duration.ofMillis(249))
        .thenAwait(Duration.ofMillis(1))
        .assertNext(f -> assertThat(prices(f)).containsExactly("AAPL=14"))
        .thenCancel()
        .verify(TIMEOUT);
    assertThat(conflated()).as("updates replaced before they were sent").isEqualTo(2);
  }

  @Test
  void dropsTicksThatAreNotNewerThanWhatWasSent() {
    StreamSession session = session(StreamTesting.defaults(), -1);
    session.add(List.of("AAPL"));
    StepVerifier.withVirtualTime(session::frames, () -> vts, Long.MAX_VALUE)
        .expectSubscription()
        .then(() -> emit(tick("AAPL", 1000, "10")))
        .assertNext(f -> assertThat(prices(f)).containsExactly("AAPL=10"))
        .then(() -> emit(tick("AAPL", 1000, "10")))
        .then(() -> emit(tick("AAPL", 999, "9")))
        .expectNoEvent(Duration.ofSeconds(1))
        .thenCancel()
        .verify(TIMEOUT);
  }

  @Test
  void sendsAHeartbeatWhenNothingWasSentForTheInterval() {
    StreamSession session = session(StreamTesting.defaults(), -1);
    session.add(List.of("AAPL"));
    StepVerifier.withVirtualTime(session::frames, () -> vts, Long.MAX_VALUE)
        .expectSubscription()
        .then(() -> emit(tick("AAPL", 1000, "10")))
        .assertNext(f -> assertThat(f).isInstanceOf(Batch.class))
        .expectNoEvent(Duration.ofSeconds(15))
        .assertNext(f -> assertThat(f).isInstanceOf(Heartbeat.class))
        .thenAwait(Duration.ofSeconds(10))
        .then(() -> emit(tick("AAPL", 2000, "11")))
        .thenAwait(Duration.ofMillis(StreamSession.LINGER_MS))
        .assertNext(f -> assertThat(f).isInstanceOf(Batch.class))
        .as("an update resets the heartbeat clock")
        .expectNoEvent(Duration.ofSeconds(14))
        .thenAwait(Duration.ofSeconds(2)) // due 15 s after the update; the sweep beats each second
        .assertNext(f -> assertThat(f).isInstanceOf(Heartbeat.class))
        .thenCancel()
        .verify(TIMEOUT);
  }

  @Test
  void resumeSendsOnlyWhatChangedSinceTheLastEventId() {
    StreamSession session = session(StreamTesting.defaults(), 5000);
    session.add(List.of("AAPL", "MSFT"));
    StepVerifier.withVirtualTime(session::frames, () -> vts, Long.MAX_VALUE)
        .expectSubscription()
        .then(() -> {
          emit(tick("AAPL", 4000, "10")); // the client has it already
          emit(tick("MSFT", 6000, "20")); // changed since
        })
        .thenAwait(Duration.ofMillis(StreamSession.LINGER_MS))
        .assertNext(f -> assertThat(prices(f)).containsExactly("MSFT=20"))
        .expectNoEvent(Duration.ofSeconds(1))
        .thenCancel()
        .verify(TIMEOUT);
  }

  @Test
  void disconnectsAClientThatStaysBehindPastMaxLagWhileKeepingOnlyTheLatestValue() {
    StreamProperties props = StreamTesting.props(50, Duration.ofMillis(250), Duration.ofSeconds(15),
        Duration.ofSeconds(10), Duration.ofSeconds(30));
    StreamSession session = session(props, -1);
    session.add(List.of("AAPL"));
    StepVerifier.withVirtualTime(session::frames, () -> vts, Long.MAX_VALUE)
        .expectSubscription()
        .then(() -> emit(tick("AAPL", 1000, "10")))
        .assertNext(f -> assertThat(f).isInstanceOf(Batch.class))
        .then(() -> {
          writable.set(false); // the socket's buffers are full
          for (int i = 1; i <= 1000; i++) {
            emit(tick("AAPL", 1000 + i, Integer.toString(10 + i)));
          }
        })
        .expectNoEvent(Duration.ofSeconds(9))
        .then(() -> assertThat(conflated()).as("999 of 1000 updates replaced in place").isEqualTo(999))
        .thenAwait(Duration.ofSeconds(2))
        .expectErrorSatisfies(e -> assertThat(e).isInstanceOf(SlowConsumerException.class)
            .hasMessageContaining("slow consumer"))
        .verify(TIMEOUT);
    assertThat(registry.get("quotegate.stream.slow.disconnects").tag("transport", "sse").counter().count()).isEqualTo(1);
  }

  @Test
  void aClientThatTakesNoHeartbeatForMaxLagIsDisconnectedThoughNothingWaits() {
    StreamProperties props = StreamTesting.props(50, Duration.ofMillis(250), Duration.ofSeconds(2),
        Duration.ofSeconds(5), Duration.ofSeconds(30));
    StreamSession session = session(props, -1);
    session.add(List.of("AAPL"));
    StepVerifier.withVirtualTime(session::frames, () -> vts, Long.MAX_VALUE)
        .expectSubscription()
        .then(() -> emit(tick("AAPL", 1000, "10")))
        .assertNext(f -> assertThat(f).isInstanceOf(Batch.class))
        .then(() -> writable.set(false)) // no update comes; the heartbeat due at 2 s cannot go
        .expectNoEvent(Duration.ofSeconds(6))
        .thenAwait(Duration.ofSeconds(2)) // behind since the heartbeat was due: cut at 2 + 5 s
        .expectErrorSatisfies(e -> assertThat(e).isInstanceOf(SlowConsumerException.class)
            .hasMessageContaining("max-lag"))
        .verify(TIMEOUT);
  }

  @Test
  void aClientThatCatchesUpBeforeMaxLagGetsTheLatestValue() {
    StreamProperties props = StreamTesting.props(50, Duration.ofMillis(250), Duration.ofSeconds(15),
        Duration.ofSeconds(10), Duration.ofSeconds(30));
    StreamSession session = session(props, -1);
    session.add(List.of("AAPL"));
    StepVerifier.withVirtualTime(session::frames, () -> vts, Long.MAX_VALUE)
        .expectSubscription()
        .then(() -> emit(tick("AAPL", 1000, "10")))
        .assertNext(f -> assertThat(f).isInstanceOf(Batch.class))
        .then(() -> {
          writable.set(false);
          emit(tick("AAPL", 1001, "11"));
          emit(tick("AAPL", 1002, "12"));
        })
        .expectNoEvent(Duration.ofSeconds(5))
        .then(() -> writable.set(true))
        .thenAwait(Duration.ofMillis(250))
        .assertNext(f -> assertThat(prices(f)).containsExactly("AAPL=12"))
        .thenAwait(Duration.ofSeconds(20))
        .expectNextMatches(f -> f instanceof Heartbeat)
        .thenCancel()
        .verify(TIMEOUT);
  }

  @Test
  void unsubscribedSymbolsAreNoLongerSent() {
    StreamSession session = session(StreamTesting.defaults(), -1);
    session.add(List.of("AAPL", "MSFT"));
    StepVerifier.withVirtualTime(session::frames, () -> vts, Long.MAX_VALUE)
        .expectSubscription()
        .then(() -> {
          emit(tick("AAPL", 1000, "10"));
          emit(tick("MSFT", 1000, "20"));
        })
        .assertNext(f -> assertThat(prices(f)).hasSize(2))
        .then(() -> {
          assertThat(session.remove(List.of("MSFT"))).containsExactly("MSFT");
          assertThat(feeds.get("MSFT").currentSubscriberCount()).as("feed released").isZero();
          emit(tick("AAPL", 2000, "11"));
        })
        .thenAwait(Duration.ofMillis(250))
        .assertNext(f -> assertThat(prices(f)).containsExactly("AAPL=11"))
        .then(() -> assertThat(session.symbols()).containsExactly("AAPL"))
        .thenCancel()
        .verify(TIMEOUT);
    assertThat(feeds.get("AAPL").currentSubscriberCount()).as("cancel releases every feed").isZero();
  }

  @Test
  void removingASymbolInTheMiddleKeepsTheOthersOrderAndState() {
    StreamSession session = session(StreamTesting.defaults(), -1);
    session.add(List.of("AAPL", "MSFT", "NVDA"));
    StepVerifier.withVirtualTime(session::frames, () -> vts, Long.MAX_VALUE)
        .expectSubscription()
        .then(() -> {
          emit(tick("AAPL", 1000, "10"));
          emit(tick("MSFT", 1000, "20"));
          emit(tick("NVDA", 1000, "30"));
        })
        .assertNext(f -> assertThat(prices(f)).containsExactly("AAPL=10", "MSFT=20", "NVDA=30"))
        .then(() -> {
          session.remove(List.of("MSFT"));
          session.add(List.of("GOOG", "AAPL"));
          assertThat(session.symbols()).containsExactly("AAPL", "NVDA", "GOOG");
          emit(tick("NVDA", 1000, "30")); // already sent: dropped by its version
          emit(tick("NVDA", 2000, "31"));
          emit(tick("AAPL", 2000, "11"));
          emit(tick("GOOG", 2000, "40")); // the added symbol's first value completes the snapshot
        })
        .assertNext(f -> assertThat(prices(f)).containsExactly("AAPL=11", "NVDA=31", "GOOG=40"))
        .thenCancel()
        .verify(TIMEOUT);
  }

  @Test
  void refusesMoreSymbolsThanTheLimit() {
    StreamProperties props = StreamTesting.props(2, Duration.ofMillis(250), Duration.ofSeconds(15),
        Duration.ofSeconds(10), Duration.ofSeconds(30));
    StreamSession session = session(props, -1);
    session.add(List.of("AAPL", "MSFT"));
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> session.add(List.of("NVDA")))
        .isInstanceOf(dev.quotegate.platform.GatewayException.InvalidRequest.class)
        .hasMessageContaining("at most 2 symbols");
    assertThat(session.symbols()).containsExactly("AAPL", "MSFT");
  }
}
