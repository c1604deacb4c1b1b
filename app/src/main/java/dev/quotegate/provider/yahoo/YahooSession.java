package dev.quotegate.provider.yahoo;

import dev.quotegate.platform.GatewayException.Upstream;
import dev.quotegate.platform.GatewayException.UpstreamFailure;
import dev.quotegate.platform.UpstreamClient;
import dev.quotegate.provider.ProviderEndpoint;
import io.netty.handler.codec.http.HttpHeaderNames;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;

/**
 * Yahoo's cookie + crumb session, fetched once and shared by every call.
 *
 * <p>{@link #current()} hands every caller the same cached fetch (single flight: concurrent
 * callers before the first answer join it). A failed fetch is not kept: the next caller
 * starts a new one. {@link #invalidate(Session)} drops the session a caller saw rejected
 * (401 "Invalid Crumb"); only the first of many concurrent invalidations of the same
 * session takes effect, so a burst of 401s costs one refresh.
 */
final class YahooSession {

  private static final Logger log = LoggerFactory.getLogger(YahooSession.class);
  /** Crumbs are short tokens of letters, digits and a few punctuation marks. */
  private static final Pattern CRUMB = Pattern.compile("[A-Za-z0-9./_~-]{4,64}");

  /** One session: the cookie header value and the crumb that goes with it. */
  record Session(long generation, String cookie, String crumb) {
    @Override
    public String toString() {
      return "Session[" + generation + "]"; // cookie and crumb are credentials
    }
  }

  private record Slot(long generation, Mono<Session> session) {}

  private final ProviderEndpoint api;
  private final ProviderEndpoint cookiePage;
  private final UpstreamClient.Provider http;
  private final AtomicReference<Slot> slot = new AtomicReference<>();
  private final AtomicLong generations = new AtomicLong();

  YahooSession(ProviderEndpoint api, ProviderEndpoint cookiePage) {
    this.api = Objects.requireNonNull(api, "api");
    this.cookiePage = Objects.requireNonNull(cookiePage, "cookiePage");
    this.http = api.http();
  }

  /** The shared session, fetching it if there is none. */
  Mono<Session> current() {
    return Mono.defer(
        () -> {
          for (;;) {
            Slot s = slot.get();
            if (s != null) {
              return s.session();
            }
            long gen = generations.incrementAndGet();
            Slot[] self = new Slot[1];
            Mono<Session> fetch =
                fetch(gen)
                    // Forget a failed fetch so the next caller retries; callers already
                    // waiting on it get its error.
                    .doOnError(e -> slot.compareAndSet(self[0], null))
                    .cache();
            self[0] = new Slot(gen, fetch);
            if (slot.compareAndSet(null, self[0])) {
              return fetch;
            }
          }
        });
  }

  /** Drops {@code rejected} if it is still the current session. */
  void invalidate(Session rejected) {
    Slot s = slot.get();
    if (s != null && s.generation() == rejected.generation() && slot.compareAndSet(s, null)) {
      log.info("yahoo session {} rejected (invalid crumb): fetching a new one", rejected.generation());
    }
  }

  /** How many sessions were started (fetches begun), for tests and diagnostics. */
  long fetches() {
    return generations.get();
  }

  private Mono<Session> fetch(long generation) {
    return http.call(
        "session",
        cookiePage
            .get("", Map.of())
            .flatMap(
                page -> {
                  if (page.status() == 429) {
                    throw new Upstream(http.name(), UpstreamFailure.RATE_LIMITED, "HTTP 429 on the cookie page", page.retryAfter(), null);
                  }
                  if (page.status() >= 500) {
                    throw new Upstream(http.name(), UpstreamFailure.UNAVAILABLE, "HTTP " + page.status() + " on the cookie page");
                  }
                  // fc.yahoo.com answers 404 with the cookie: any other status is fine.
                  String cookie = cookies(page.headers().getAll(HttpHeaderNames.SET_COOKIE));
                  Map<String, String> headers = cookie.isEmpty() ? Map.of() : Map.of("Cookie", cookie);
                  return api.get("/v1/test/getcrumb", Map.of(), headers)
                      .map(res -> new Session(generation, cookie, crumb(res)));
                }));
  }

  private String crumb(UpstreamClient.Response res) {
    String body = new String(res.body(), StandardCharsets.UTF_8).trim();
    if (res.status() == 429 || body.startsWith("Too Many Requests")) {
      throw new Upstream(http.name(), UpstreamFailure.RATE_LIMITED, "crumb refused: too many requests", res.retryAfter(), null);
    }
    http.checkStatus(res);
    if (res.status() != 200) {
      throw http.malformed("crumb: unexpected HTTP " + res.status());
    }
    if (!CRUMB.matcher(body).matches()) {
      // An HTML page (consent wall, error page) or anything else that is not a crumb.
      throw http.malformed("crumb: not a crumb (" + body.length() + " chars" + (body.startsWith("<") ? ", HTML" : "") + ")");
    }
    return body;
  }

  /** {@code name=value} pairs of Set-Cookie headers, as one Cookie header value. */
  static String cookies(List<String> setCookies) {
    StringBuilder sb = new StringBuilder();
    for (String c : setCookies) {
      int semi = c.indexOf(';');
      String pair = (semi >= 0 ? c.substring(0, semi) : c).trim();
      if (pair.indexOf('=') > 0) {
        if (!sb.isEmpty()) {
          sb.append("; ");
        }
        sb.append(pair);
      }
    }
    return sb.toString();
  }
}
