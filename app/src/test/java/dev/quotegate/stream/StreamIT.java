package dev.quotegate.stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.quotegate.stream.SseClient.Event;
import dev.quotegate.testsupport.SimulatorAdmin;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.core.env.Environment;
import reactor.core.Disposable;
import reactor.core.Disposables;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.netty.http.client.HttpClient;
import reactor.netty.http.client.HttpClientResponse;
import reactor.netty.resources.ConnectionProvider;
import reactor.test.StepVerifier;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The streams end to end: the whole gateway against the embedded simulator, a real SSE client
 * and a real WebSocket client (Reactor Netty). Quote TTL 1 s so feeds tick every second.
 */
@SpringBootTest(
    webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
    properties = {
      "quotegate.simulator.port=0",
      "quotegate.quotes.ttl-market-open=1s",
      "quotegate.quotes.ttl-market-closed=1s",
      "quotegate.streams.grace-period=2s",
      "quotegate.streams.max-connections-per-client=5000"
    })
class StreamIT {

  private static final Duration TIMEOUT = Duration.ofSeconds(20);
  /** For the 1,000-connection test: generous, the build machine is shared. */
  private static final Duration SLOW = Duration.ofSeconds(90);
  private static final JsonMapper JSON = JsonMapper.builder().build();

  @LocalServerPort int port;
  @Autowired Environment env;
  @Autowired QuoteStreamHub hub;
  @Autowired StreamMeters meters;

  SimulatorAdmin sim;
  HttpClient client;

  @BeforeEach
  void setUp() {
    sim = new SimulatorAdmin(Integer.parseInt(env.getRequiredProperty("local.simulator.port")));
    // One connection per stream, no pool: every SSE subscriber holds its own socket.
    client = HttpClient.newConnection().baseUrl("http://127.0.0.1:" + port);
  }

  private List<String> symbols(int from, int to) {
    return sim.symbols(to).subList(from, to);
  }

  @Test
  void sseSendsASnapshotThenUpdatesWithIdsHeartbeatHeadersAndQuoteFields() {
    List<String> symbols = symbols(300, 302);
    String uri = "/api/v1/stream/quotes?symbols=" + String.join(",", symbols).toLowerCase();
    List<Map.Entry<HttpClientResponse, Event>> events = SseClient.connect(client, uri, null)
        .filter(e -> e.getValue().isQuote())
        .take(3)
        .collectList()
        .block(TIMEOUT);
    HttpClientResponse res = events.get(0).getKey();
    assertThat(res.status().code()).isEqualTo(200);
    assertThat(res.responseHeaders().get("Content-Type")).startsWith("text/event-stream");
    assertThat(res.responseHeaders().get("Cache-Control")).isEqualTo("no-cache");
    assertThat(res.responseHeaders().get("X-Accel-Buffering")).isEqualTo("no");

    JsonNode snapshot = JSON.readTree(events.get(0).getValue().data());
    assertThat(snapshot.isArray()).isTrue();
    assertThat(snapshot.size()).as("the snapshot holds every requested symbol").isEqualTo(2);
    JsonNode q = snapshot.get(0);
    assertThat(q.get("symbol").asString()).isEqualTo(symbols.get(0));
    assertThat(q.get("source").asString()).isEqualTo("sim");
    assertThat(q.get("price").isNumber()).isTrue();
    assertThat(q.get("stale").asBoolean()).isFalse();
    assertThat(q.has("asOf")).isTrue();
    assertThat(q.has("ageMs")).isTrue();
    long previous = 0;
    for (Map.Entry<HttpClientResponse, Event> e : events) {
      long id = Long.parseLong(e.getValue().id());
      assertThat(id).as("event ids grow").isGreaterThan(previous);
      previous = id;
    }
  }

  @Test
  void sseStartsWithARetryHintAndResumesFromLastEventIdWithWhatChangedSince() {
    List<String> symbols = symbols(310, 313);
    String uri = "/api/v1/stream/quotes?symbols=" + String.join(",", symbols);
    Event first = SseClient.connect(client, uri, null).map(Map.Entry::getValue).blockFirst(TIMEOUT);
    assertThat(first.retry()).as("first write: reconnection delay").isEqualTo("3000");
    // Resume from now: the snapshot values are older, so the first event holds only newer ticks.
    Instant resumeAt = Instant.now();
    Event resumed = SseClient.connect(client, uri, Long.toString(resumeAt.toEpochMilli()))
        .map(Map.Entry::getValue)
        .filter(Event::isQuote)
        .blockFirst(TIMEOUT);
    assertThat(Long.parseLong(resumed.id())).isGreaterThanOrEqualTo(resumeAt.toEpochMilli());
    for (JsonNode q : JSON.readTree(resumed.data())) {
      assertThat(Instant.parse(q.get("fetchedAt").asString()))
          .as("only quotes fetched after the last event id").isAfterOrEqualTo(resumeAt.minusMillis(5));
    }
  }

  @Test
  void badSymbolsAreA400ProblemNamingTheField() {
    Map.Entry<HttpClientResponse, String> bad = SseClient.refused(client, "/api/v1/stream/quotes?symbols=AAPL,A%3BB").block(TIMEOUT);
    assertThat(bad.getKey().status().code()).isEqualTo(400);
    assertThat(bad.getKey().responseHeaders().get("Content-Type")).startsWith("application/problem+json");
    assertThat(bad.getValue()).contains("symbols[1]");
    String tooMany = String.join(",", symbols(0, 51));
    assertThat(SseClient.refused(client, "/api/v1/stream/quotes?symbols=" + tooMany).block(TIMEOUT).getKey().status().code())
        .as("more than max-symbols").isEqualTo(400);
    assertThat(SseClient.refused(client, "/api/v1/stream/quotes").block(TIMEOUT).getKey().status().code()).isEqualTo(400);
  }

  @Test
  void unknownSymbolGetsASymbolErrorEventAndTheOthersStillStream() {
    String known = symbols(320, 321).get(0);
    List<Event> events = SseClient.connect(client, "/api/v1/stream/quotes?symbols=" + known + ",QQQQQQ", null)
        .map(Map.Entry::getValue)
        .filter(e -> e.event() != null)
        .take(2)
        .collectList()
        .block(TIMEOUT);
    assertThat(events).extracting(Event::event).containsExactlyInAnyOrder("quote", "symbol-error");
    Event error = events.stream().filter(e -> e.event().equals("symbol-error")).findFirst().orElseThrow();
    JsonNode e = JSON.readTree(error.data()).get(0);
    assertThat(e.get("symbol").asString()).isEqualTo("QQQQQQ");
    assertThat(e.get("status").asInt()).isEqualTo(404);
  }

  @Test
  void webSocketSubscribesUnsubscribesAndAnswersBadCommandsWithoutClosing() {
    List<String> symbols = symbols(330, 332);
    Sinks.Many<String> commands = Sinks.many().unicast().onBackpressureBuffer();
    Flux<JsonNode> incoming = HttpClient.create()
        .websocket()
        .uri("ws://127.0.0.1:" + port + "/api/v1/stream/ws")
        .handle((in, out) -> in.receive().asString()
            .mergeWith(out.sendString(commands.asFlux()).then().then(Mono.empty())))
        .map(JSON::readTree);
    StepVerifier.create(incoming)
        .then(() -> commands.tryEmitNext("{\"type\":\"subscribe\",\"symbols\":[\"" + symbols.get(0) + "\",\"" + symbols.get(1) + "\"]}"))
        .assertNext(m -> {
          assertThat(m.get("type").asString()).isEqualTo("subscribed");
          assertThat(m.get("symbols")).hasSize(2);
        })
        .assertNext(m -> {
          assertThat(m.get("type").asString()).isEqualTo("quote");
          assertThat(m.get("snapshot").asBoolean()).isTrue();
          assertThat(m.get("quotes")).hasSize(2);
          assertThat(m.get("quotes").get(0).get("source").asString()).isEqualTo("sim");
        })
        .then(() -> commands.tryEmitNext("{\"type\":\"unsubscribe\",\"symbols\":[\"" + symbols.get(0) + "\"]}"))
        .thenConsumeWhile(m -> m.get("type").asString().equals("quote"))
        .expectNextMatches(m -> m.get("type").asString().equals("subscribed")
            && m.get("symbols").size() == 1 && m.get("symbols").get(0).asString().equals(symbols.get(1)))
        .then(() -> commands.tryEmitNext("{\"type\":\"subscribe\",\"symbols\":[\"A;B\"]}"))
        .thenConsumeWhile(m -> m.get("type").asString().equals("quote"),
            m -> assertThat(m.get("quotes")).allSatisfy(q -> assertThat(q.get("symbol").asString()).isEqualTo(symbols.get(1))))
        .assertNext(m -> {
          assertThat(m.get("type").asString()).isEqualTo("error");
          assertThat(m.get("status").asInt()).isEqualTo(400);
          assertThat(m.get("invalidParams").get(0).get("name").asString()).isEqualTo("symbols[0]");
        })
        .then(() -> commands.tryEmitNext("{\"type\":\"subscribe\",\"symbols\":[\"" + symbols.get(0) + "\"]}"))
        .thenConsumeWhile(m -> m.get("type").asString().equals("quote"))
        .assertNext(m -> assertThat(m.get("symbols")).as("still open after a bad command").hasSize(2))
        .thenCancel()
        .verify(TIMEOUT);
  }

  /**
   * The bar: 1,000 concurrent SSE subscribers to the same 20 symbols cost upstream
   * what one subscriber costs: each symbol fetched at most once per TTL, whatever the number
   * of subscribers. Counted by the simulator over the same 4 s window (quote TTL 1 s) once every
   * subscriber has its snapshot, in symbols requested. The two counts are printed, not
   * compared with each other: where a window starts against the refresh rounds moves either by
   * a round (20 symbols) or two, while sharing failing would multiply it by 1,000.
   */
  @Test
  void thousandSseSubscribersToTwentySymbolsMakeAsManyUpstreamRequestsAsOne() {
    long[] one = upstreamRequestsInWindow(symbols(100, 120), 1);
    long[] thousand = upstreamRequestsInWindow(symbols(140, 160), 1000);
    System.out.printf("StreamIT upstream in 4 s: one subscriber %d requests / %d symbols; 1,000 subscribers %d / %d%n",
        one[0], one[1], thousand[0], thousand[1]);
    // At most one fetch per symbol per 1 s TTL: 4 rounds in the window, 5 when a round falls
    // on each edge, one more for a round that straddles the reset; at least 2 rounds. Without
    // sharing, 1,000 subscribers would cost 1,000 times that.
    long most = 20 * (4 + 2);
    assertThat(one[1]).as("one subscriber: symbols requested upstream").isBetween(40L, most);
    assertThat(thousand[1]).as("1,000 subscribers: symbols requested upstream (one subscriber: %d)", one[1])
        .isBetween(40L, most);
    assertThat(thousand[0]).as("1,000 subscribers: batch calls for %d symbols", thousand[1])
        .isLessThanOrEqualTo(thousand[1] / 20 + 1);
  }

  /** {upstream requests, upstream symbols} in the window. */
  private long[] upstreamRequestsInWindow(List<String> symbols, int subscribers) {
    String uri = "/api/v1/stream/quotes?symbols=" + String.join(",", symbols);
    AtomicIntegerArray counts = new AtomicIntegerArray(subscribers);
    AtomicIntegerArray any = new AtomicIntegerArray(subscribers);
    java.util.concurrent.atomic.AtomicInteger failed = new java.util.concurrent.atomic.AtomicInteger();
    Disposable.Composite all = Disposables.composite();
    try {
      for (int i = 0; i < subscribers; i++) {
        int n = i;
        all.add(SseClient.connect(client, uri, null)
            .doOnNext(e -> any.incrementAndGet(n))
            .filter(e -> e.getValue().isQuote())
            .subscribe(e -> counts.incrementAndGet(n), e -> failed.incrementAndGet()));
      }
      try {
        await().atMost(SLOW).until(() -> min(counts) >= 1);
      } catch (org.awaitility.core.ConditionTimeoutException e) {
        throw new AssertionError("subscribers without a snapshot: " + zeros(counts) + ", without any event: " + zeros(any)
            + ", failed: " + failed + ", server connections: " + meters.open() + "; hub " + hub.symbols(), e);
      }
      int[] atStart = new int[subscribers];
      for (int i = 0; i < subscribers; i++) {
        atStart[i] = counts.get(i);
      }
      sim.reset();
      await().pollDelay(Duration.ofSeconds(4)).atMost(SLOW).until(() -> true);
      JsonNode stats = sim.stats();
      long requests = stats.get("requests").asLong();
      long symbolsRequested = stats.get("symbolsRequested").asLong();
      for (int i = 0; i < subscribers; i++) {
        assertThat(counts.get(i)).as("subscriber %d kept receiving updates", i).isGreaterThan(atStart[i]);
      }
      assertThat(failed.get()).as("streams failed").isZero();
      return new long[] {requests, symbolsRequested};
    } finally {
      all.dispose();
    }
  }

  private static String zeros(AtomicIntegerArray a) {
    int z = 0;
    for (int i = 0; i < a.length(); i++) {
      if (a.get(i) == 0) {
        z++;
      }
    }
    return z + " of " + a.length();
  }

  private static int min(AtomicIntegerArray a) {
    int m = Integer.MAX_VALUE;
    for (int i = 0; i < a.length(); i++) {
      m = Math.min(m, a.get(i));
    }
    return m;
  }

}
