package dev.quotegate.access;

import io.micrometer.core.instrument.MeterRegistry;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.ResponseCookie;
import org.springframework.http.server.reactive.ServerHttpRequestDecorator;
import org.springframework.util.MultiValueMap;
import org.springframework.web.reactive.function.server.HandlerFilterFunction;
import org.springframework.web.reactive.function.server.HandlerFunction;
import org.springframework.web.reactive.function.server.RouterFunctions;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;
import org.springframework.web.server.ResponseStatusException;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.util.pattern.PathPattern;
import reactor.core.publisher.Mono;
import reactor.netty.Connection;

/**
 * Who may call the API, and how much: applied to every route (see {@code AccessConfiguration}),
 * decided on the route pattern the router matched, never on the raw path, as {@link
 * AdminAccess} is. On every {@code /api/**} route but the admin routes (which {@link
 * AdminAccess} guards with the operator token) it
 *
 * <ol>
 *   <li>resolves the client: a key from {@code Authorization: Bearer <key>} or {@code X-API-Key:
 *       <key>} (and {@code ?api_key=<key>} on {@code GET /api/v1/stream/quotes} only, for
 *       EventSource); an unknown key is refused with 401, no key is the anonymous tier, per
 *       client IP, unless {@code quotegate.security.require-api-key} (then 401); the operator's
 *       admin token counts as a key with id {@code admin} and the key defaults' limits;
 *   <li>puts the client in the exchange attributes {@value Client#ATTRIBUTE} (its id) and
 *       {@value Client#CLIENT_ATTRIBUTE};
 *   <li>takes the request's cost from the client's token bucket ({@link ClientRateLimiter}):
 *       {@code RateLimit-Policy} and {@code RateLimit} on every answer, 429 with {@code
 *       Retry-After} when the bucket is short;
 *   <li>on stream routes, holds one of the client's concurrent-stream slots (per instance) for
 *       the stream's life, 429 when they are all taken.
 * </ol>
 *
 * <p>Keys are never logged, counted or echoed; only key ids are.
 */
public final class ClientAccess implements HandlerFilterFunction<ServerResponse, ServerResponse> {

  private static final Logger log = LoggerFactory.getLogger(ClientAccess.class);

  /** The one route that accepts the key as a query parameter (EventSource cannot send headers). */
  static final String QUERY_KEY_ROUTE = "/api/v1/stream/quotes";
  /** The query parameter carrying a key on {@link #QUERY_KEY_ROUTE}. */
  public static final String QUERY_KEY_PARAM = "api_key";
  static final String X_API_KEY = "X-API-Key";
  private static final String STREAMS = "/api/v1/stream/";
  private static final String ADMIN = "/api/v1/admin";
  private static final String CHALLENGE = "Bearer realm=\"quotegate\"";

  private final SecurityProperties security;
  private final RateLimitProperties limits;
  private final ApiKeys keys;
  private final ClientRateLimiter limiter;
  private final AccessMeters meters;
  private final AdminAccess admin;
  private final Client operator;
  private final ConcurrentHashMap<String, AtomicInteger> streams = new ConcurrentHashMap<>();

  ClientAccess(SecurityProperties security, RateLimitProperties limits, ApiKeys keys, ClientRateLimiter limiter,
      AccessMeters meters, AdminAccess admin, MeterRegistry registry) {
    this.security = security;
    this.admin = admin;
    RateLimitProperties.Tier d = limits.keyDefaults();
    this.operator = new Client("key:" + Client.OPERATOR, Client.OPERATOR, d.requestsPerSecond(), d.burst(), d.maxStreams());
    this.limits = limits;
    this.keys = keys;
    this.limiter = limiter;
    this.meters = meters;
    io.micrometer.core.instrument.Gauge.builder("quotegate.ratelimit.streams.clients", streams, ConcurrentHashMap::size)
        .description("Clients holding at least one stream in this instance")
        .register(registry);
  }

  @Override
  public Mono<ServerResponse> filter(ServerRequest request, HandlerFunction<ServerResponse> next) {
    String route = matchedRoute(request);
    if (route != null && (!route.startsWith("/api/") || route.startsWith(ADMIN))) {
      // The dashboard's page and files; the operator routes carry AdminAccess.
      return next.handle(request);
    }
    return Mono.defer(() -> {
      Client client = resolve(request, route);
      ServerWebExchange exchange = request.exchange();
      exchange.getAttributes().put(Client.ATTRIBUTE, client.id());
      exchange.getAttributes().put(Client.CLIENT_ATTRIBUTE, client);
      if (!limits.enabled()) {
        return route != null && route.startsWith(STREAMS) ? holdStream(client, request, next) : next.handle(request);
      }
      int cost = cost(request, client);
      return limiter.acquire(client, cost).flatMap(d -> {
        meters.decided(client, d, cost);
        if (!d.unlimited()) {
          rateLimitHeaders(exchange.getResponse().getHeaders(), client, d);
        }
        if (!d.allowed()) {
          log.debug("rate limit: {} refused, {} tokens asked, retry in {} ms", client.tag(), cost, d.waitMillis());
          return Mono.error(new Refused(HttpStatus.TOO_MANY_REQUESTS,
              "rate limit of " + describe(client) + " reached: this request costs " + cost
                  + (cost == 1 ? " token" : " tokens") + "; retry after the Retry-After seconds",
              retryAfter(Duration.ofMillis(d.waitMillis())), null));
        }
        return route != null && route.startsWith(STREAMS) ? holdStream(client, request, next) : next.handle(request);
      });
    });
  }

  private static String matchedRoute(ServerRequest request) {
    Optional<Object> p = request.attribute(RouterFunctions.MATCHING_PATTERN_ATTRIBUTE);
    return p.map(o -> o instanceof PathPattern pp ? pp.getPatternString() : o.toString()).orElse(null);
  }

  /** The client of {@code request}: a valid key's, or anonymous; 401 otherwise. */
  Client resolve(ServerRequest request, String route) {
    HttpHeaders h = request.headers().asHttpHeaders();
    String key = null;
    String auth = h.getFirst(HttpHeaders.AUTHORIZATION);
    if (auth != null) {
      if (auth.length() < 7 || !auth.regionMatches(true, 0, "Bearer ", 0, 7)) {
        throw unauthorized("invalid", "Authorization: only the Bearer scheme is accepted (Authorization: Bearer <key>)");
      }
      if (admin.isAdmin(request.exchange().getRequest())) {
        // The operator's token opens the API too (the ops view, scripts): client "admin".
        return operator;
      }
      key = auth.substring(7).trim();
    }
    key = same(key, h.getFirst(X_API_KEY));
    Optional<String> queryKey = request.queryParam(QUERY_KEY_PARAM);
    if (queryKey.isPresent()) {
      boolean accepted = security.queryKey() && QUERY_KEY_ROUTE.equals(route) && request.method() == HttpMethod.GET;
      if (!accepted) {
        throw unauthorized("misplaced", QUERY_KEY_PARAM + ": a key in the query is accepted only on GET "
            + QUERY_KEY_ROUTE + " (EventSource); send Authorization: Bearer <key> or X-API-Key: <key>");
      }
      key = same(key, queryKey.get());
    }
    if (key == null) {
      if (security.requireApiKey()) {
        throw unauthorized("missing", "an API key is required: send Authorization: Bearer <key> or X-API-Key: <key>");
      }
      return anonymous(request);
    }
    if (key.isEmpty() || key.length() > security.maxKeyLength()) {
      throw unauthorized("invalid", "the API key is not valid");
    }
    Client c = keys.find(key);
    if (c == null) {
      throw unauthorized("invalid", "the API key is not valid");
    }
    return c;
  }

  private String same(String a, String b) {
    if (b == null) {
      return a;
    }
    String t = b.trim();
    if (a != null && !a.equals(t)) {
      throw unauthorized("invalid", "two different API keys sent: send one");
    }
    return t;
  }

  private Client anonymous(ServerRequest request) {
    InetSocketAddress remote = request.exchange().getRequest().getRemoteAddress();
    String ip = remote == null || remote.getAddress() == null ? "unknown" : remote.getAddress().getHostAddress();
    RateLimitProperties.Tier t = limits.anonymous();
    return new Client("ip:" + ip, Client.ANONYMOUS, t.requestsPerSecond(), t.burst(), t.maxStreams());
  }

  private Refused unauthorized(String reason, String detail) {
    meters.keyRefused(reason);
    log.debug("api key refused: {}", reason);
    HttpHeaders h = new HttpHeaders();
    h.set(HttpHeaders.WWW_AUTHENTICATE, reason.equals("missing") ? CHALLENGE : CHALLENGE + ", error=\"invalid_token\"");
    return new Refused(HttpStatus.UNAUTHORIZED, detail, null, h);
  }

  /** {@code 1 + N / symbolsPerToken} for N symbols in {@code symbols=}, at most the client's burst. */
  int cost(ServerRequest request, Client client) {
    int n = request.queryParam("symbols").map(ClientAccess::countSymbols).orElse(0);
    long cost = 1L + n / limits.symbolsPerToken();
    return (int) Math.min(cost, client.burst());
  }

  private static int countSymbols(String raw) {
    int n = 0;
    boolean inItem = false;
    for (int i = 0; i < raw.length(); i++) {
      char ch = raw.charAt(i);
      if (ch == ',') {
        inItem = false;
      } else if (!inItem && !Character.isWhitespace(ch)) {
        inItem = true;
        n++;
      }
    }
    return n;
  }

  static void rateLimitHeaders(HttpHeaders h, Client client, RateDecision d) {
    long window = (long) Math.ceil(client.burst() / client.requestsPerSecond());
    long full = (long) Math.ceil(Math.max(0, client.burst() - d.remaining()) / client.requestsPerSecond());
    String name = "\"" + client.tag() + "\"";
    h.set("RateLimit-Policy", name + ";q=" + client.burst() + ";w=" + Math.max(1, window));
    h.set("RateLimit", name + ";r=" + Math.max(0, d.remaining()) + ";t=" + full);
  }

  private static String describe(Client c) {
    return (c.anonymous() ? "the anonymous tier" : "key " + c.tag()) + " (" + trim(c.requestsPerSecond())
        + " tokens/s, burst " + c.burst() + ")";
  }

  private static String trim(double d) {
    return d == Math.rint(d) ? Long.toString((long) d) : String.format(Locale.ROOT, "%.3f", d);
  }

  private static Duration retryAfter(Duration wait) {
    return Duration.ofSeconds(Math.max(1, (wait.toMillis() + 999) / 1000));
  }

  // --- concurrent streams -------------------------------------------------------------------

  private Mono<ServerResponse> holdStream(Client client, ServerRequest request, HandlerFunction<ServerResponse> next) {
    AtomicInteger held = streams.compute(client.id(), (id, n) -> {
      AtomicInteger c = n == null ? new AtomicInteger() : n;
      c.incrementAndGet();
      return c;
    });
    if (held.get() > client.maxStreams()) {
      release(client.id());
      meters.streamRefused(client);
      return Mono.error(new Refused(HttpStatus.TOO_MANY_REQUESTS,
          "stream limit of " + describe(client).replaceFirst(" \\(.*", "") + " reached: at most " + client.maxStreams()
              + " concurrent streams per instance", retryAfter(limits.streamRetryAfter()), null));
    }
    AtomicBoolean released = new AtomicBoolean();
    Runnable release = () -> {
      if (released.compareAndSet(false, true)) {
        release(client.id());
      }
    };
    Connection connection = websocketConnection(request);
    if (connection != null) {
      // A WebSocket's handler completes once the upgrade is done; the session lives as long as
      // the upgraded connection, so its slot is given back when that closes.
      connection.channel().closeFuture().addListener(f -> release.run());
      return next.handle(request).doOnError(e -> release.run());
    }
    return next.handle(request)
        .<ServerResponse>map(r -> new Releasing(r, release))
        .doOnError(e -> release.run())
        .doOnCancel(release)
        .switchIfEmpty(Mono.fromRunnable(release));
  }

  /** The connection a WebSocket upgrade of {@code request} would take over, or null. */
  private static Connection websocketConnection(ServerRequest request) {
    if (!"websocket".equalsIgnoreCase(request.headers().firstHeader(HttpHeaders.UPGRADE))) {
      return null;
    }
    Object nativeRequest = ServerHttpRequestDecorator.getNativeRequest(request.exchange().getRequest());
    return nativeRequest instanceof Connection c ? c : null;
  }

  private void release(String id) {
    streams.computeIfPresent(id, (k, n) -> n.decrementAndGet() <= 0 ? null : n);
  }

  /** Streams {@code clientId} holds in this instance now. */
  int streams(String clientId) {
    AtomicInteger n = streams.get(clientId);
    return n == null ? 0 : n.get();
  }

  /** A stream's answer that gives its slot back when it is written to the end (or fails, or is cancelled). */
  private record Releasing(ServerResponse delegate, Runnable release) implements ServerResponse {
    @Override
    public HttpStatusCode statusCode() {
      return delegate.statusCode();
    }

    @Override
    public HttpHeaders headers() {
      return delegate.headers();
    }

    @Override
    public MultiValueMap<String, ResponseCookie> cookies() {
      return delegate.cookies();
    }

    @Override
    public Mono<Void> writeTo(ServerWebExchange exchange, Context context) {
      return delegate.writeTo(exchange, context).doFinally(s -> release.run());
    }
  }

  /** A refusal (401, 429) rendered as a problem by the gateway's error handler, with its headers. */
  static final class Refused extends ResponseStatusException {
    private final transient HttpHeaders headers;

    Refused(HttpStatus status, String detail, Duration retryAfter, HttpHeaders extra) {
      super(status, detail);
      HttpHeaders h = extra != null ? extra : new HttpHeaders();
      if (retryAfter != null) {
        h.set(HttpHeaders.RETRY_AFTER, Long.toString(retryAfter.toSeconds()));
      }
      this.headers = HttpHeaders.readOnlyHttpHeaders(h);
    }

    @Override
    public HttpHeaders getHeaders() {
      return headers;
    }

    @Override
    public synchronized Throwable fillInStackTrace() {
      // expected, high-volume refusals: counted, not debugged
      return this;
    }
  }

  /** Ids of configured keys, for tests. */
  List<String> keyIds() {
    return keys.ids();
  }
}
