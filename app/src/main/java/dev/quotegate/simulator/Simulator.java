package dev.quotegate.simulator;

import static java.util.Objects.requireNonNull;

import dev.quotegate.calendar.MarketCalendar;
import dev.quotegate.simulator.FaultInjector.Plan;
import dev.quotegate.simulator.SimulatorApi.Reply;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.reactivestreams.Publisher;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.Disposable;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;
import reactor.netty.DisposableServer;
import reactor.netty.http.HttpProtocol;
import reactor.netty.http.server.HttpServer;
import reactor.netty.http.server.HttpServerRequest;
import reactor.netty.http.server.HttpServerResponse;
import reactor.netty.resources.LoopResources;
import tools.jackson.core.JacksonException;
import tools.jackson.core.StreamWriteFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A simulated stock exchange served over real HTTP: a Reactor Netty server speaking HTTP/2
 * cleartext (prior knowledge) and HTTP/1.1 on one port, with a deterministic universe, price
 * paths, bars, profiles, news and search under {@code /v1/*}, and fault injection and exact
 * request statistics under {@code /admin/*}. See {@code docs/simulator.md} for the wire format.
 *
 * <p>Create with {@link #create(SimulatorProperties)}, then {@link #start()} (binds and returns
 * this handle, with the bound {@link #port()}) and {@link #stop()} (or {@link #dispose()}).
 * {@code start} and {@code stop} block while binding and unbinding, so call them from a
 * lifecycle thread, never from an event loop. The simulator runs on its own small event loop
 * group, released on stop.
 */
public final class Simulator implements Disposable {

  private static final Logger log = LoggerFactory.getLogger(Simulator.class);
  private static final Duration STOP_TIMEOUT = Duration.ofSeconds(5);
  private static final String JSON = "application/json";

  private final SimulatorProperties properties;
  private final Universe universe;
  private final PriceModel prices;
  private final FaultInjector faults;
  private final SimulatorStats stats = new SimulatorStats();
  private final SimulatorApi api;
  private final JsonMapper json;

  private DisposableServer server;
  private LoopResources loops;

  private Simulator(SimulatorProperties properties, Clock clock, MarketCalendar calendar) {
    this.properties = requireNonNull(properties, "properties");
    requireNonNull(clock, "clock");
    this.json = JsonMapper.builder().enable(StreamWriteFeature.WRITE_BIGDECIMAL_AS_PLAIN).build();
    this.universe = Universe.generate(properties.seed(), properties.universeSize());
    this.prices = new PriceModel(properties.seed(), calendar);
    this.faults =
        new FaultInjector(properties.initialFaults(), properties.seed(), System::currentTimeMillis);
    this.api = new SimulatorApi(universe, prices,
        new NewsGenerator(properties.seed(), universe, prices), json, clock,
        properties.batchLimit(), properties.maxBars());
  }

  /** A simulator on the system clock and the NYSE calendar; not started. */
  public static Simulator create(SimulatorProperties properties) {
    return create(properties, Clock.systemUTC());
  }

  /**
   * A simulator whose prices are taken at {@code clock}'s instant (a fixed clock freezes the
   * market, handy in tests); fault timing always uses real time. Not started.
   */
  public static Simulator create(SimulatorProperties properties, Clock clock) {
    return new Simulator(properties, clock, MarketCalendar.nyse());
  }

  /** Binds the server (blocking until bound) and returns this handle; idempotent. */
  public synchronized Simulator start() {
    if (server != null) {
      return this;
    }
    int threads = Math.max(1, Math.min(4, Runtime.getRuntime().availableProcessors()));
    LoopResources newLoops = LoopResources.create("quotegate-sim", 1, threads, true);
    try {
      server = HttpServer.create()
          .runOn(newLoops)
          .host(properties.host())
          .port(properties.port())
          .protocol(HttpProtocol.HTTP11, HttpProtocol.H2C)
          .handle(this::handle)
          .bindNow(STOP_TIMEOUT);
    } catch (RuntimeException e) {
      // start() runs on the caller's thread (application start-up, a test, SimulatorMain),
      // never on an event loop: waiting here for the loops to go is bounded and harmless.
      newLoops.disposeLater().block(STOP_TIMEOUT);
      throw e;
    }
    loops = newLoops;
    log.info("Simulated exchange listening on http://{}:{} (HTTP/1.1 and h2c, {} instruments, seed {})",
        properties.host(), port(), universe.size(), properties.seed());
    return this;
  }

  /** Unbinds, closes open connections (hung requests included) and releases the event loops. */
  public synchronized void stop() {
    if (server == null) {
      return;
    }
    try {
      server.disposeNow(STOP_TIMEOUT);
    } finally {
      // stop() runs on the lifecycle's (or a test's) thread, never on an event loop; waiting
      // bounded for the loops lets a restart bind the same port at once.
      loops.disposeLater(Duration.ZERO, STOP_TIMEOUT).block(STOP_TIMEOUT.multipliedBy(2));
      server = null;
      loops = null;
      log.info("Simulated exchange stopped");
    }
  }

  @Override
  public void dispose() {
    stop();
  }

  @Override
  public synchronized boolean isDisposed() {
    return server == null;
  }

  /** Whether the server is bound. */
  public synchronized boolean isRunning() {
    return server != null;
  }

  /** The bound port. @throws IllegalStateException when not started */
  public synchronized int port() {
    if (server == null) {
      throw new IllegalStateException("simulator not started");
    }
    return server.port();
  }

  /** {@code http://host:port} of the running simulator. */
  public String baseUrl() {
    return "http://" + properties.host() + ":" + port();
  }

  /** The settings it was created with. */
  public SimulatorProperties properties() {
    return properties;
  }

  /** The listed instruments. */
  public Universe universe() {
    return universe;
  }

  /** The price model behind quotes and bars. */
  public PriceModel priceModel() {
    return prices;
  }

  /** The faults in force. */
  public Faults faults() {
    return faults.current();
  }

  /** Replaces the faults in force (same as {@code PUT /admin/faults} with every field). */
  public void setFaults(Faults value) {
    faults.set(requireNonNull(value, "faults"));
  }

  /** Request counts since start or the last reset. */
  public SimulatorStats.Snapshot stats() {
    return stats.snapshot();
  }

  /** Zeroes the request counts; with {@code faultsToo}, restores the start-up faults as well. */
  public void reset(boolean faultsToo) {
    stats.reset();
    if (faultsToo) {
      faults.reset();
    }
  }

  @Override
  public String toString() {
    return "Simulator[" + properties.host() + ":" + (isRunning() ? port() : "not started") + "]";
  }

  // --- request handling -----------------------------------------------------------------------

  private Publisher<Void> handle(HttpServerRequest req, HttpServerResponse res) {
    QueryStringDecoder uri = new QueryStringDecoder(req.uri());
    String path = uri.path();
    if (log.isDebugEnabled()) {
      log.debug("{} {} {}", req.method(), req.uri(), req.version());
    }
    if (path.startsWith("/v1/")) {
      return v1(req, res, path, uri.parameters());
    }
    if (path.startsWith("/admin/")) {
      return admin(req, res, path, uri.parameters());
    }
    return send(res, api.error(404, "not found: " + path));
  }

  private Mono<Void> v1(HttpServerRequest req, HttpServerResponse res, String path,
      Map<String, List<String>> params) {
    // Counted on arrival, before any fault, so call counts are exact.
    SimulatorApi.Target target = SimulatorApi.target(path, params);
    stats.record(target.endpoint(), req.version().text(), target.symbols(), target.quoteSymbols());
    if (req.method() != HttpMethod.GET) {
      return send(res, api.error(405, "method not allowed: " + req.method()));
    }
    Plan plan = faults.plan();
    Mono<Void> act = switch (plan.action()) {
      case OUTAGE -> send(res,
          api.error(503, "simulated outage", Map.of("Retry-After", "5")));
      case RATE_LIMITED -> send(res,
          api.error(429, "rate limit exceeded", Map.of("Retry-After", "1")));
      case HANG -> hang(res);
      case ERROR -> send(res, api.error(plan.errorStatus(), "simulated upstream error: "
          + HttpResponseStatus.valueOf(plan.errorStatus()).reasonPhrase()));
      case MALFORMED -> answer(target, path, params).map(r -> truncate(r, plan.cut()))
          .flatMap(r -> send(res, r));
      case ANSWER -> answer(target, path, params).flatMap(r -> send(res, r));
    };
    return plan.delay().isZero() ? act : Mono.delay(plan.delay()).then(act);
  }

  private Mono<Reply> answer(SimulatorApi.Target target, String path,
      Map<String, List<String>> params) {
    Mono<Reply> reply = Mono.fromCallable(() -> api.handle(target.endpoint(), path, params));
    // Long bar ranges cost milliseconds of CPU: keep them off the event loop.
    return "bars".equals(target.endpoint()) ? reply.subscribeOn(Schedulers.parallel()) : reply;
  }

  /** A 200 whose JSON body stops part-way and ends in garbage, so no parser accepts it. */
  private static Reply truncate(Reply reply, double keep) {
    int cut = Math.max(1, (int) (reply.body().length * keep));
    byte[] garbage = "\u0000<!--".getBytes(StandardCharsets.UTF_8);
    byte[] body = Arrays.copyOf(reply.body(), cut + garbage.length);
    System.arraycopy(garbage, 0, body, cut, garbage.length);
    return new Reply(200, body);
  }

  /** Never answers; completes (releasing the request) when the client goes away or on stop. */
  private Mono<Void> hang(HttpServerResponse res) {
    return Mono.<Void>create(sink -> res.withConnection(c -> c.onDispose(sink::success)))
        .doOnSubscribe(s -> stats.hangStarted())
        .doFinally(s -> stats.hangEnded());
  }

  private Mono<Void> admin(HttpServerRequest req, HttpServerResponse res, String path,
      Map<String, List<String>> params) {
    HttpMethod method = req.method();
    switch (path) {
      case "/admin/faults":
        if (method == HttpMethod.GET) {
          return send(res, api.ok(FaultsView.of(faults.current())));
        }
        if (method == HttpMethod.PUT) {
          return req.receive().aggregate().asString(StandardCharsets.UTF_8).defaultIfEmpty("")
              .map(this::updateFaults)
              .flatMap(r -> send(res, r));
        }
        break;
      case "/admin/stats":
        if (method == HttpMethod.GET) {
          return send(res, api.ok(stats.snapshot()));
        }
        break;
      case "/admin/reset":
        if (method == HttpMethod.POST) {
          boolean faultsToo = params.getOrDefault("faults", List.of()).contains("true");
          reset(faultsToo);
          Map<String, Object> body = new LinkedHashMap<>();
          body.put("stats", stats.snapshot());
          body.put("faults", FaultsView.of(faults.current()));
          return send(res, api.ok(body));
        }
        break;
      default:
        return send(res, api.error(404, "not found: " + path));
    }
    return send(res, api.error(405, "method not allowed: " + method + " " + path));
  }

  /** Wire form of {@link Faults}: durations in milliseconds. */
  record FaultsView(long latencyMs, long jitterMs, double errorRate, int rateLimitPerSecond,
      double hangRate, double malformedRate, boolean outage) {
    static FaultsView of(Faults f) {
      return new FaultsView(f.latency().toMillis(), f.jitter().toMillis(), f.errorRate(),
          f.rateLimitPerSecond(), f.hangRate(), f.malformedRate(), f.outage());
    }
  }

  /** Applies a partial update; fields left out keep their value. */
  private Reply updateFaults(String body) {
    JsonNode node;
    try {
      node = json.readTree(body.isBlank() ? "{}" : body);
    } catch (JacksonException e) {
      return api.error(400, "body is not JSON: " + e.getOriginalMessage());
    }
    if (!node.isObject()) {
      return api.error(400, "body must be a JSON object");
    }
    Faults f = faults.current();
    try {
      for (Map.Entry<String, JsonNode> field : node.properties()) {
        JsonNode v = field.getValue();
        f = switch (field.getKey()) {
          case "latencyMs" -> f.withLatency(Duration.ofMillis(wholeNumber(field.getKey(), v)));
          case "jitterMs" -> f.withJitter(Duration.ofMillis(wholeNumber(field.getKey(), v)));
          case "errorRate" -> f.withErrorRate(number(field.getKey(), v));
          case "hangRate" -> f.withHangRate(number(field.getKey(), v));
          case "malformedRate" -> f.withMalformedRate(number(field.getKey(), v));
          case "rateLimitPerSecond" ->
              f.withRateLimitPerSecond(Math.toIntExact(wholeNumber(field.getKey(), v)));
          case "outage" -> {
            if (!v.isBoolean()) {
              throw new IllegalArgumentException("outage must be true or false");
            }
            yield f.withOutage(v.booleanValue());
          }
          default -> throw new IllegalArgumentException("unknown field: " + field.getKey());
        };
      }
    } catch (IllegalArgumentException | ArithmeticException e) {
      return api.error(400, e.getMessage());
    }
    faults.set(f);
    log.info("Simulator faults now {}", f);
    return api.ok(FaultsView.of(f));
  }

  private static long wholeNumber(String name, JsonNode v) {
    if (!v.isIntegralNumber()) {
      throw new IllegalArgumentException(name + " must be a whole number");
    }
    if (!v.canConvertToLong() || v.longValue() < 0 || v.longValue() > 60_000_000L) {
      throw new IllegalArgumentException(name + " out of range: " + v);
    }
    return v.longValue();
  }

  private static double number(String name, JsonNode v) {
    if (!v.isNumber()) {
      throw new IllegalArgumentException(name + " must be a number in [0.0, 1.0]");
    }
    return v.doubleValue();
  }

  private static Mono<Void> send(HttpServerResponse res, Reply reply) {
    return Mono.defer(() -> {
      res.status(reply.status())
          .header(HttpHeaderNames.CONTENT_TYPE, JSON)
          .header(HttpHeaderNames.CONTENT_LENGTH, Integer.toString(reply.body().length));
      reply.headers().forEach(res::header);
      return Mono.from(res.sendByteArray(Mono.just(reply.body())));
    });
  }
}
