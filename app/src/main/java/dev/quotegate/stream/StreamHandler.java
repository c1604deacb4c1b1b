package dev.quotegate.stream;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.quotegate.platform.GatewayException;
import dev.quotegate.platform.GatewayException.InvalidParam;
import dev.quotegate.platform.GatewayException.InvalidRequest;
import dev.quotegate.quote.QuoteJson;
import dev.quotegate.quote.QuoteView;
import dev.quotegate.stream.StreamMeters.Transport;
import dev.quotegate.stream.StreamSession.Batch;
import dev.quotegate.stream.StreamSession.Frame;
import dev.quotegate.stream.StreamSession.SlowConsumerException;
import dev.quotegate.web.HeadRequests;
import dev.quotegate.web.Problems;
import dev.quotegate.web.SymbolParams;
import io.netty.buffer.Unpooled;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferFactory;
import org.springframework.core.io.buffer.NettyDataBufferFactory;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;
import org.springframework.web.reactive.socket.CloseStatus;
import org.springframework.web.reactive.socket.WebSocketMessage;
import org.springframework.web.reactive.socket.WebSocketSession;
import org.springframework.web.reactive.socket.server.WebSocketService;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.core.scheduler.Scheduler;
import reactor.util.concurrent.Queues;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The stream endpoints: {@code GET /api/v1/stream/quotes} (Server-Sent Events) and
 * {@code GET /api/v1/stream/ws} (WebSocket). Thin: validate, take a connection slot, wire a
 * {@link StreamSession} to the transport, encode its frames.
 */
final class StreamHandler {

  private static final Logger log = LoggerFactory.getLogger(StreamHandler.class);
  private static final String LAST_EVENT_ID = "Last-Event-ID";
  private static final byte[] HEARTBEAT = ": heartbeat\n\n".getBytes(StandardCharsets.UTF_8);
  private static final byte[] QUOTES_FIELD = ",\"quotes\":".getBytes(StandardCharsets.UTF_8);
  private static final byte[] ERRORS_FIELD = ",\"errors\":".getBytes(StandardCharsets.UTF_8);
  /** Client-to-server WebSocket commands queued for replies; more is a protocol abuse. */
  private static final int MAX_REPLIES = 64;

  private final QuoteStreamHub hub;
  private final StreamProperties props;
  private final StreamMeters meters;
  private final Scheduler scheduler;
  private final Clock clock;
  private final JsonMapper json;
  private final QuoteJson quoteJson;
  private final WebSocketService webSockets;
  private final SlowConsumerWatch watch;
  private final ClientStreams clients;

  StreamHandler(
      QuoteStreamHub hub,
      StreamProperties props,
      StreamMeters meters,
      Scheduler scheduler,
      Clock clock,
      JsonMapper json,
      QuoteJson quoteJson,
      WebSocketService webSockets,
      SlowConsumerWatch watch) {
    this.hub = hub;
    this.watch = watch;
    this.clients = new ClientStreams(props.maxConnectionsPerClient());
    meters.clientGauges(clients::clients, props.maxConnectionsPerClient());
    this.props = props;
    this.meters = meters;
    this.scheduler = scheduler;
    this.clock = clock;
    this.json = json;
    this.quoteJson = quoteJson;
    this.webSockets = webSockets;
  }

  // --- Server-Sent Events ------------------------------------------------------------------

  /** {@code GET /api/v1/stream/quotes?symbols=A,B}: text/event-stream. */
  Mono<ServerResponse> sse(ServerRequest request) {
    return Mono.defer(
        () -> {
          List<String> symbols =
              SymbolParams.symbols("symbols", request.queryParam("symbols").orElse(null), props.maxSymbols());
          String lastEventId = request.headers().firstHeader(LAST_EVENT_ID);
          if (lastEventId == null) {
            // EventSource polyfills that cannot set headers pass it in the query.
            lastEventId = request.queryParam("lastEventId").orElse(null);
          }
          long resumeFrom = resumeFrom(lastEventId);
          if (HeadRequests.isHead(request)) {
            // The headers of the stream alone: no connection admitted, no feed subscribed.
            return ServerResponse.ok()
                .contentType(MediaType.TEXT_EVENT_STREAM)
                .header(HttpHeaders.CACHE_CONTROL, "no-cache")
                .header("X-Accel-Buffering", "no")
                .build();
          }
          String client = admit(request, symbols, Transport.SSE);
          ChannelProbe probe = ChannelProbe.of(request.exchange().getRequest());
          StreamSession session = newSession(Transport.SSE, probe, resumeFrom);
          session.add(symbols);
          AtomicBoolean closed = new AtomicBoolean();
          Flux<Frame> frames = Flux.using(() -> watched(Transport.SSE, probe, session),
                  w -> session.frames(), Disposable::dispose)
              .doFinally(s -> {
                if (closed.compareAndSet(false, true)) {
                  meters.closed(Transport.SSE);
                  clients.closed(client);
                }
              });
          return ServerResponse.ok()
              .contentType(MediaType.TEXT_EVENT_STREAM)
              .header(HttpHeaders.CACHE_CONTROL, "no-cache")
              .header("X-Accel-Buffering", "no")
              .body((message, context) -> {
                DataBufferFactory buffers = message.bufferFactory();
                // The first write flushes the headers at once and tells EventSource how long
                // to wait before reconnecting; it dispatches no event.
                Flux<DataBuffer> body = Flux.concat(
                    Mono.fromSupplier(() -> utf8(buffers, "retry: " + props.clientRetry().toMillis() + "\n\n")),
                    frames.map(f -> encodeSse(f, buffers))
                        .onErrorResume(SlowConsumerException.class, e -> {
                          log.info("closing SSE stream: {}", e.getMessage());
                          return Flux.just(utf8(buffers, "event: error\ndata: "
                                  + json.writeValueAsString(new Reason("slow-consumer", e.getMessage())) + "\n\n"))
                              .concatWith(Mono.fromRunnable(probe.abort()));
                        }));
                // writeWith, not writeAndFlushWith: Reactor Netty writes on the channel's event
                // loop and flushes once it has drained what is ready, not once per event.
                return message.writeWith(body);
              });
        });
  }

  /** The version to resume from, or -1 (no usable Last-Event-ID: fresh snapshot). */
  long resumeFrom(String lastEventId) {
    if (lastEventId == null || lastEventId.isBlank() || lastEventId.length() > 19) {
      return -1;
    }
    try {
      long id = Long.parseLong(lastEventId.trim());
      // An id from the future (clock skew, forged) would hide every update: ignore it.
      return id > 0 && id <= clock.millis() + 60_000 ? id : -1;
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  private DataBuffer encodeSse(Frame frame, DataBufferFactory buffers) {
    if (!(frame instanceof Batch batch)) {
      return buffers.wrap(HEARTBEAT);
    }
    countSent(Transport.SSE, batch);
    TickBatch shared = batch.shared();
    if (shared == null) {
      return buffers.wrap(sseEvent(batch));
    }
    // One encoding for every connection that gets the same round's ticks under the same id.
    return wrap(buffers, shared.encoded(Transport.SSE, batch.id(), () -> sseEvent(batch), meters));
  }

  /**
   * A buffer over a shared encoding. Under Reactor Netty a direct one goes to the socket as it
   * is (a ByteBuf over the JDK buffer, which Netty does not free); elsewhere a copy.
   */
  private static DataBuffer wrap(DataBufferFactory buffers, ByteBuffer bytes) {
    if (buffers instanceof NettyDataBufferFactory netty) {
      return netty.wrap(Unpooled.wrappedBuffer(bytes));
    }
    byte[] copy = new byte[bytes.remaining()];
    bytes.get(copy);
    return buffers.wrap(copy);
  }

  /** Counts a batch's events by type (a shared encoding is sent once per connection too). */
  private void countSent(Transport transport, Batch batch) {
    int quotes = 0;
    for (QuoteTick t : batch.ticks()) {
      if (t.isQuote()) {
        quotes++;
      }
    }
    meters.sent(transport, quotes, batch.ticks().size() - quotes);
  }

  /** The SSE event(s) of a batch: quotes, and the per-symbol errors as their own event. */
  byte[] sseEvent(Batch batch) {
    Instant now = clock.instant();
    List<QuoteJson.Item> quotes = new ArrayList<>(batch.ticks().size());
    List<SymbolError> errors = new ArrayList<>();
    for (QuoteTick t : batch.ticks()) {
      if (t.isQuote()) {
        quotes.add(new QuoteJson.Item(t.quote(), t.fetchedAt(), t.stale()));
      } else {
        errors.add(errorOf(t));
      }
    }
    // Quotes through QuoteJson: every subscriber's event reuses the one encoding of each
    // fetched quote; only ageMs and stale are written per event.
    StringBuilder sb = new StringBuilder(128);
    if (!errors.isEmpty()) {
      sb.append("id: ").append(batch.id()).append("\nevent: symbol-error\ndata: ")
          .append(json.writeValueAsString(errors)).append("\n\n");
    }
    if (quotes.isEmpty()) {
      return sb.toString().getBytes(StandardCharsets.UTF_8);
    }
    sb.append("id: ").append(batch.id()).append("\nevent: quote\ndata: ");
    byte[] prefix = sb.toString().getBytes(StandardCharsets.UTF_8);
    byte[] data = quoteJson.array(quotes, now);
    byte[] event = Arrays.copyOf(prefix, prefix.length + data.length + 2);
    System.arraycopy(data, 0, event, prefix.length, data.length);
    event[event.length - 2] = '\n';
    event[event.length - 1] = '\n';
    return event;
  }

  private static DataBuffer utf8(DataBufferFactory buffers, String s) {
    return buffers.wrap(s.getBytes(StandardCharsets.UTF_8));
  }

  // --- WebSocket ---------------------------------------------------------------------------

  /** {@code GET /api/v1/stream/ws[?symbols=A,B]}: upgrade, then JSON messages both ways. */
  Mono<ServerResponse> websocket(ServerRequest request) {
    return Mono.defer(
        () -> {
          List<String> initial = request.queryParam("symbols")
              .map(raw -> SymbolParams.symbols("symbols", raw, props.maxSymbols()))
              .orElse(List.of());
          String client = admit(request, initial, Transport.WEBSOCKET);
          AtomicBoolean closed = new AtomicBoolean();
          Runnable release = () -> {
            if (closed.compareAndSet(false, true)) {
              meters.closed(Transport.WEBSOCKET);
              clients.closed(client);
            }
          };
          ChannelProbe probe = ChannelProbe.of(request.exchange().getRequest());
          return webSockets
              .handleRequest(request.exchange(), ws -> serve(ws, initial, probe).doFinally(s -> release.run()))
              .doOnError(e -> release.run())
              .then(Mono.<ServerResponse>empty());
        });
  }

  private Mono<Void> serve(WebSocketSession ws, List<String> initial, ChannelProbe probe) {
    StreamSession session = newSession(Transport.WEBSOCKET, probe, -1);
    Sinks.Many<String> replies = Sinks.many().unicast().onBackpressureBuffer(Queues.<String>get(MAX_REPLIES).get());
    Sinks.Empty<Void> inputDone = Sinks.empty();
    if (!initial.isEmpty()) {
      session.add(initial);
      replies.tryEmitNext(subscribed(session));
    }
    Mono<Void> input = ws.receive()
        .filter(m -> m.getType() == WebSocketMessage.Type.TEXT)
        .doOnNext(m -> {
          String reply = command(session, m.getPayloadAsText());
          if (replies.tryEmitNext(reply).isFailure()) {
            throw new IllegalStateException("too many unanswered commands");
          }
        })
        .doFinally(s -> inputDone.tryEmitEmpty())
        .then();
    Flux<WebSocketMessage> frames = session.frames()
        .map(f -> encodeWs(ws, f));
    Flux<WebSocketMessage> output = Flux.merge(frames, replies.asFlux().map(ws::textMessage))
        .takeUntilOther(inputDone.asMono());
    Mono<Void> send = Mono.using(() -> watched(Transport.WEBSOCKET, probe, session), w -> ws.send(output), Disposable::dispose)
        .onErrorResume(SlowConsumerException.class, e -> {
          log.info("closing WebSocket stream: {}", e.getMessage());
          return ws.close(new CloseStatus(CloseStatus.POLICY_VIOLATION.getCode(), "slow-consumer"))
              .timeout(Duration.ofSeconds(1))
              .onErrorResume(x -> Mono.empty())
              .then(Mono.fromRunnable(probe.abort()));
        })
        .then(Mono.defer(() -> hubStopping() ? ws.close(CloseStatus.GOING_AWAY) : ws.close()));
    return Mono.when(input.onErrorResume(e -> ws.close(CloseStatus.POLICY_VIOLATION)), send);
  }

  /** Watched for slow consumption and ended when the hub stops, until disposed. */
  private Disposable watched(Transport transport, ChannelProbe probe, StreamSession session) {
    Disposable w = watch.watch(transport, probe, session::beat);
    Disposable h = hub.onShutdown(session::end);
    return () -> {
      w.dispose();
      h.dispose();
    };
  }

  private boolean hubStopping() {
    return !hub.isRunning();
  }

  /** One client command; answers the reply message. */
  String command(StreamSession session, String text) {
    try {
      JsonNode node = json.readTree(text);
      String type = node.path("type").asString("");
      JsonNode list = node.path("symbols");
      if (!type.equals("subscribe") && !type.equals("unsubscribe")) {
        throw new InvalidRequest("type", "must be subscribe or unsubscribe, got '" + abbreviate(type) + "'");
      }
      if (!list.isArray() || list.isEmpty()) {
        throw new InvalidRequest("symbols", "required: an array of 1 to " + props.maxSymbols() + " symbols");
      }
      if (list.size() > props.maxSymbols()) {
        throw new InvalidRequest("symbols", "at most " + props.maxSymbols() + " symbols per connection, got " + list.size());
      }
      List<String> raw = new ArrayList<>(list.size());
      for (JsonNode s : list) {
        raw.add(s.isString() ? s.asString() : "");
      }
      List<String> symbols = SymbolParams.symbols("symbols", String.join(",", raw), props.maxSymbols());
      if (type.equals("subscribe")) {
        if (!hub.canOpen(symbols)) {
          throw new GatewayException.Overloaded("this instance streams its maximum of symbols", props.retryAfter());
        }
        session.add(symbols);
      } else {
        session.remove(symbols);
      }
      return subscribed(session);
    } catch (GatewayException e) {
      List<InvalidParam> params = e instanceof InvalidRequest i ? i.params() : null;
      return json.writeValueAsString(new WsError("error", Problems.status(e), Problems.code(e), Problems.detail(e), params));
    } catch (JacksonException e) {
      return json.writeValueAsString(new WsError("error", 400, "invalid-request", "not a JSON command: "
          + "{\"type\":\"subscribe\",\"symbols\":[\"AAPL\"]}", null));
    }
  }

  private String subscribed(StreamSession session) {
    return json.writeValueAsString(new WsSubscribed("subscribed", session.symbols()));
  }

  private WebSocketMessage encodeWs(WebSocketSession ws, Frame frame) {
    if (!(frame instanceof Batch batch)) {
      // counted by the session when it sent the heartbeat (as for SSE)
      return ws.pingMessage(f -> f.wrap(new byte[] {'h', 'b'}));
    }
    countSent(Transport.WEBSOCKET, batch);
    TickBatch shared = batch.shared();
    DataBuffer payload = shared == null
        ? ws.bufferFactory().wrap(wsQuotes(batch, clock.instant()))
        : wrap(ws.bufferFactory(), shared.encoded(Transport.WEBSOCKET, batch.id(), () -> wsQuotes(batch, clock.instant()), meters));
    return new WebSocketMessage(WebSocketMessage.Type.TEXT, payload);
  }

  /** The WebSocket message of a batch. */
  byte[] wsQuotes(Batch batch, Instant now) {
    List<QuoteJson.Item> quotes = new ArrayList<>(batch.ticks().size());
    List<SymbolError> errors = new ArrayList<>();
    for (QuoteTick t : batch.ticks()) {
      if (t.isQuote()) {
        quotes.add(new QuoteJson.Item(t.quote(), t.fetchedAt(), t.stale()));
      } else {
        errors.add(errorOf(t));
      }
    }
    // Exactly Jackson's encoding of WsQuotes (StreamHandlerTest checks it), with the quotes
    // through QuoteJson like SSE: each fetched quote encoded once for every subscriber.
    StringBuilder head = new StringBuilder(64).append("{\"type\":\"quote\",\"id\":\"").append(batch.id())
        .append("\",\"snapshot\":").append(batch.snapshot());
    byte[] open = head.toString().getBytes(StandardCharsets.UTF_8);
    byte[] data = quotes.isEmpty() ? null : quoteJson.array(quotes, now);
    byte[] errs = errors.isEmpty() ? null : json.writeValueAsBytes(errors);
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream(
        open.length + (data == null ? 0 : data.length + 10) + (errs == null ? 0 : errs.length + 10) + 1);
    out.writeBytes(open);
    if (data != null) {
      out.writeBytes(QUOTES_FIELD);
      out.writeBytes(data);
    }
    if (errs != null) {
      out.writeBytes(ERRORS_FIELD);
      out.writeBytes(errs);
    }
    out.write('}');
    return out.toByteArray();
  }

  // --- shared ------------------------------------------------------------------------------

  /** Takes a slot of the instance and of the client (answered: the client key) or throws. */
  private String admit(ServerRequest request, List<String> symbols, Transport transport) {
    if (!hub.canOpen(symbols)) {
      throw new GatewayException.Overloaded(
          "this instance streams its maximum of " + props.maxFeeds() + " symbols", props.retryAfter());
    }
    String client = ClientStreams.clientKey(request);
    if (!clients.tryOpen(client)) {
      meters.rejectedForClient(transport);
      throw new StreamLimitExceeded("this client holds its maximum of " + props.maxConnectionsPerClient()
          + " concurrent streams on this instance", props.retryAfter());
    }
    if (!meters.tryOpen(transport)) {
      clients.closed(client);
      throw new GatewayException.Overloaded(
          "this instance holds its maximum of " + props.maxConnections() + " stream connections", props.retryAfter());
    }
    return client;
  }

  private StreamSession newSession(Transport transport, ChannelProbe probe, long resumeFrom) {
    // Timers on the shared parallel scheduler, not the channel's event loop: on the loops they
    // were suspected of delaying what else those loops serve (docs/benchmarks.md "Streams").
    // Poll rounds are delivered on the channel's loop (the write goes out without a hand-over).
    return new StreamSession(transport, hub::join, props, scheduler, clock, probe.writable(), probe.eventLoop(),
        probe.flusher(), meters, resumeFrom);
  }

  private static SymbolError errorOf(QuoteTick t) {
    return new SymbolError(t.symbol(), t.error().status(), t.error().code(), t.error().detail());
  }

  private static String abbreviate(String s) {
    String clean = s.replaceAll("\\p{Cntrl}", "?");
    return clean.length() <= 24 ? clean : clean.substring(0, 24) + "...";
  }

  /** A symbol without a quote, as in the REST batch answer. */
  record SymbolError(String symbol, int status, String code, String detail) {}

  /** Why the server closes a stream. */
  record Reason(String code, String detail) {}

  /** WebSocket: quotes (and per-symbol errors) of one batch. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  record WsQuotes(String type, String id, boolean snapshot, List<QuoteView> quotes, List<SymbolError> errors) {}

  /** WebSocket: the symbols followed after a command. */
  record WsSubscribed(String type, List<String> symbols) {}

  /** WebSocket: a command was refused (the connection stays open). */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  record WsError(String type, int status, String code, String detail, List<InvalidParam> invalidParams) {}
}
