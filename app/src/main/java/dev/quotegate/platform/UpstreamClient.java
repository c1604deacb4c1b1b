package dev.quotegate.platform;

import dev.quotegate.platform.GatewayException.Upstream;
import dev.quotegate.platform.GatewayException.UpstreamFailure;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.netty.channel.ChannelOption;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeoutException;
import reactor.core.publisher.Mono;
import reactor.netty.http.HttpProtocol;
import reactor.netty.http.client.Http2AllocationStrategy;
import reactor.netty.http.client.HttpClient;
import reactor.netty.http.client.PrematureCloseException;
import reactor.netty.internal.shaded.reactor.pool.PoolAcquirePendingLimitException;
import reactor.netty.internal.shaded.reactor.pool.PoolAcquireTimeoutException;
import reactor.netty.resources.ConnectionProvider;
import reactor.netty.resources.LoopResources;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.json.JsonMapper;

/**
 * The one pooled Reactor Netty HTTP client every provider adapter calls through.
 *
 * <p>Bounded: connections per host, HTTP/2 streams per connection, requests waiting for
 * either, response time and body size are all configured ({@link HttpClientProperties}).
 * Every call is timed in {@code quotegate.upstream.requests} by provider, operation and
 * outcome, and transport failures become typed {@link Upstream} errors here, in one place.
 */
public final class UpstreamClient implements AutoCloseable {

  /** The meter timing every upstream call. */
  public static final String METER = "quotegate.upstream.requests";

  private final ConnectionProvider pool;
  private final LoopResources loops;
  private final HttpClient base;
  private final HttpClientProperties props;
  private final MeterRegistry registry;
  private final JsonMapper json;
  private final UpstreamHealth health;
  private final UpstreamAddresses addresses;

  public UpstreamClient(
      HttpClientProperties props, MeterRegistry registry, JsonMapper json, UpstreamHealth health) {
    this(props, registry, json, health, new UpstreamAddresses());
  }

  /** As above, recording which provider each called address belongs to in {@code addresses}. */
  public UpstreamClient(
      HttpClientProperties props, MeterRegistry registry, JsonMapper json, UpstreamHealth health,
      UpstreamAddresses addresses) {
    this.addresses = Objects.requireNonNull(addresses, "addresses");
    this.health = Objects.requireNonNull(health, "health");
    this.props = Objects.requireNonNull(props, "props");
    this.registry = Objects.requireNonNull(registry, "registry");
    this.json = Objects.requireNonNull(json, "json");
    this.pool =
        ConnectionProvider.builder("upstream")
            .maxConnections(props.maxConnections())
            .pendingAcquireMaxCount(props.pendingAcquireMaxCount())
            .pendingAcquireTimeout(props.pendingAcquireTimeout())
            .maxIdleTime(props.maxIdleTime())
            .allocationStrategy(
                Http2AllocationStrategy.builder()
                    .maxConnections(props.maxConnections())
                    .minConnections(1)
                    .maxConcurrentStreams(props.maxConcurrentStreams())
                    .build())
            .metrics(true)
            .build();
    // Its own event loop (unless io-threads is 0): an upstream answer is read as soon as it
    // arrives, not after whatever backlog of client requests the server's loops hold.
    this.loops = props.ioThreads() > 0 ? LoopResources.create("upstream", props.ioThreads(), true) : null;
    Gauge.builder("quotegate.upstream.io.threads", props, p -> p.ioThreads())
        .description("Event-loop threads of the upstream HTTP client (0: shares the server's)")
        .register(registry);
    HttpClient client = HttpClient.create(pool);
    if (loops != null) {
      client = client.runOn(loops);
    }
    this.base =
        client
            .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) props.connectTimeout().toMillis())
            .responseTimeout(props.responseTimeout())
            .compress(true)
            // Templated URI tag: first two path segments only, so symbols never become tags.
            .metrics(true, UpstreamClient::uriTag);
  }

  /**
   * A client for one provider. {@code protocols} says how to talk to it: {@code H2C} is
   * HTTP/2 cleartext with prior knowledge (the simulator); {@code H2, HTTP11} negotiates
   * HTTP/2 over TLS with HTTP/1.1 fallback (public providers).
   */
  public Provider forProvider(String provider, HttpProtocol... protocols) {
    return new Provider(provider, base.protocol(protocols), List.of());
  }

  /**
   * A client for one provider at {@code baseUrl}, the protocols chosen by its scheme:
   * {@code https} negotiates HTTP/2 over TLS (ALPN) with HTTP/1.1 fallback; {@code http}
   * (fixture servers, local proxies) speaks HTTP/1.1. Every {@code secret} (API keys) is
   * replaced by {@code ****} in the messages of the errors this client raises.
   */
  public Provider forBaseUrl(String provider, URI baseUrl, String... secrets) {
    String scheme = Objects.requireNonNull(baseUrl, "baseUrl").getScheme();
    HttpClient client;
    if ("https".equalsIgnoreCase(scheme)) {
      client = base.protocol(HttpProtocol.H2, HttpProtocol.HTTP11).secure();
    } else if ("http".equalsIgnoreCase(scheme)) {
      client = base.protocol(HttpProtocol.HTTP11);
    } else {
      throw new IllegalArgumentException(provider + ": base URL must be http or https, got " + scheme);
    }
    List<String> redacted = new ArrayList<>();
    for (String s : secrets) {
      if (s != null && !s.isEmpty()) {
        redacted.add(s);
      }
    }
    return new Provider(provider, client, List.copyOf(redacted));
  }

  /**
   * The bound of one HTTP exchange, answer and body included ({@code
   * quotegate.http-client.response-timeout}); an attempt is bounded by its provider's guard.
   */
  public Duration exchangeTimeout() {
    return props.responseTimeout();
  }

  /** Body size limit applied to every response. */
  public long maxResponseBytes() {
    return props.maxResponseSize().toBytes();
  }

  @Override
  public void close() {
    pool.dispose();
    if (loops != null) {
      loops.dispose();
    }
  }

  static String uriTag(String uri) {
    int q = uri.indexOf('?');
    String path = q >= 0 ? uri.substring(0, q) : uri;
    int schemeEnd = path.indexOf("://");
    if (schemeEnd >= 0) {
      int slash = path.indexOf('/', schemeEnd + 3);
      path = slash >= 0 ? path.substring(slash) : "/";
    }
    int first = path.indexOf('/', 1);
    if (first < 0) {
      return path;
    }
    int second = path.indexOf('/', first + 1);
    return second < 0 ? path : path.substring(0, second);
  }

  /** An upstream answer: status, headers, the whole (size-limited) body and HTTP version. */
  public record Response(int status, HttpHeaders headers, byte[] body, String version) {

    /** Retry-After in seconds, if the provider sent one. */
    public Duration retryAfter() {
      String value = headers.get(HttpHeaderNames.RETRY_AFTER);
      if (value == null) {
        return null;
      }
      try {
        return Duration.ofSeconds(Math.max(0, Long.parseLong(value.trim())));
      } catch (NumberFormatException e) {
        return null; // HTTP-date form: treat as unspecified
      }
    }
  }

  /** A provider-bound view of the shared client. */
  public final class Provider {
    private final String name;
    private final HttpClient client;
    private final List<String> secrets;

    private Provider(String name, HttpClient client, List<String> secrets) {
      this.name = Objects.requireNonNull(name, "name");
      this.client = client;
      this.secrets = secrets;
    }

    public String name() {
      return name;
    }

    /** The bound of one exchange ({@link UpstreamClient#exchangeTimeout()}). */
    public Duration exchangeTimeout() {
      return props.responseTimeout();
    }

    /** {@code text} with every secret of this provider, and any fragment of one, masked ({@link Secrets}). */
    public String redact(String text) {
      return Secrets.redact(text, secrets);
    }

    /**
     * GETs {@code uri} and returns the whole answer, any status. Transport failures
     * (connect, reset, timeout, pool full, body too large) become {@link Upstream} errors.
     * Timed under {@code operation}; the caller reports the outcome of decoding via
     * {@link #call}.
     */
    public Mono<Response> get(URI uri, Map<String, String> headers, Duration timeout) {
      long max = maxResponseBytes();
      addresses.record(name, uri);
      return client
          .headers(h -> headers.forEach(h::set))
          .get()
          .uri(uri)
          .response(
              (res, body) -> {
                long declared = res.responseHeaders().getInt(HttpHeaderNames.CONTENT_LENGTH, -1);
                if (declared > max) {
                  return Mono.error(tooLarge(declared, max));
                }
                // Copy chunk by chunk (Netty buffers are released as they pass) and stop
                // reading as soon as the body outgrows the limit.
                return body.asByteArray()
                    .collect(
                        () -> new ByteArrayOutputStream(declared > 0 ? (int) declared : 1024),
                        (out, chunk) -> {
                          if (out.size() + chunk.length > max) {
                            throw tooLarge(out.size() + (long) chunk.length, max);
                          }
                          out.write(chunk, 0, chunk.length);
                        })
                    .map(
                        out ->
                            new Response(
                                res.status().code(),
                                res.responseHeaders(),
                                out.toByteArray(),
                                res.version().text()));
              })
          .next()
          .timeout(timeout)
          .onErrorMap(e -> !(e instanceof GatewayException), this::translate);
    }

    /**
     * Runs one upstream operation: times it and counts its outcome in
     * {@value UpstreamClient#METER} (provider, operation, outcome).
     */
    public <T> Mono<T> call(String operation, Mono<T> op) {
      return Mono.defer(
          () -> {
            Timer.Sample sample = Timer.start(registry);
            return op.doOnSuccess(v -> stop(sample, operation, "success"))
                .doOnError(e -> stop(sample, operation, outcomeOf(e)))
                .doOnCancel(() -> stop(sample, operation, "cancelled"));
          });
    }

    /** Decodes a JSON body; a body that does not decode is a typed malformed-response error. */
    public <T> T decode(byte[] body, Class<T> type) {
      try {
        T value = json.readValue(body, type);
        if (value == null) {
          throw malformed("empty body");
        }
        return value;
      } catch (JacksonException e) {
        throw new Upstream(name, UpstreamFailure.MALFORMED, "undecodable body: " + redact(e.getOriginalMessage()), null, null);
      }
    }

    /**
     * Decodes a JSON answer: a content type that is present and not JSON (an HTML error page,
     * plain text) or an empty body is a typed malformed-response error, as is a body that does
     * not decode.
     */
    public <T> T decodeJson(Response res, Class<T> type) {
      String contentType = res.headers().get(HttpHeaderNames.CONTENT_TYPE);
      if (contentType != null && !contentType.toLowerCase(java.util.Locale.ROOT).contains("json")) {
        throw malformed("unexpected content type " + abbreviate(contentType));
      }
      if (res.body().length == 0) {
        throw malformed("empty body");
      }
      return decode(res.body(), type);
    }

    private static String abbreviate(String s) {
      return s.length() <= 60 ? s : s.substring(0, 60) + "...";
    }

    public Upstream malformed(String why) {
      return new Upstream(name, UpstreamFailure.MALFORMED, why);
    }

    /**
     * The standard reading of an HTTP status: 429 rate-limited (with Retry-After), 401/403
     * rejected, 5xx unavailable. Returns normally for anything else.
     */
    public void checkStatus(Response res) {
      int s = res.status();
      if (s == 429) {
        throw new Upstream(name, UpstreamFailure.RATE_LIMITED, "HTTP 429", res.retryAfter(), null);
      }
      if (s == 401 || s == 403) {
        throw new Upstream(name, UpstreamFailure.REJECTED, "HTTP " + s);
      }
      if (s >= 500) {
        throw new Upstream(name, UpstreamFailure.UNAVAILABLE, "HTTP " + s, res.retryAfter(), null);
      }
    }

    private void stop(Timer.Sample sample, String operation, String outcome) {
      health.record(name, outcome);
      sample.stop(
          Timer.builder(METER)
              .description("Upstream provider calls by provider, operation and outcome")
              .tag("provider", name)
              .tag("operation", operation)
              .tag("outcome", outcome)
              .publishPercentileHistogram()
              .register(registry));
    }

    private Throwable translate(Throwable e) {
      if (isTimeout(e)) {
        return new Upstream(name, UpstreamFailure.TIMEOUT, "no answer in time", null, e);
      }
      if (e instanceof PoolAcquirePendingLimitException || e instanceof PoolAcquireTimeoutException) {
        return new GatewayException.Overloaded(
            "upstream connection pool for " + name + " is full", Duration.ofSeconds(1));
      }
      if (e instanceof PrematureCloseException) {
        return new Upstream(name, UpstreamFailure.UNAVAILABLE, "connection closed early", null, e);
      }
      // The cause is kept for debugging but its message may carry a URL: the message we
      // surface (logs, problem details) is redacted.
      return new Upstream(name, UpstreamFailure.UNAVAILABLE, e.getClass().getSimpleName() + ": " + redact(e.getMessage()), null, e);
    }

    private boolean isTimeout(Throwable e) {
      for (Throwable t = e; t != null; t = t.getCause()) {
        if (t instanceof TimeoutException || t instanceof io.netty.handler.timeout.ReadTimeoutException
            || t instanceof io.netty.channel.ConnectTimeoutException) {
          return true;
        }
      }
      return false;
    }

    private Upstream tooLarge(long size, long max) {
      return new Upstream(name, UpstreamFailure.MALFORMED, "response of " + size + " bytes exceeds " + max, null, null);
    }
  }

  static String outcomeOf(Throwable e) {
    if (e instanceof Upstream u) {
      return u.kind().tag();
    }
    if (e instanceof GatewayException.Overloaded) {
      return "rejected";
    }
    if (e instanceof GatewayException.NotFound) {
      return "not_found";
    }
    return "error";
  }
}
