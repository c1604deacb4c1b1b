package dev.quotegate.web;

import java.time.Duration;
import java.util.Locale;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;
import reactor.core.publisher.Mono;

/**
 * The caching headers of docs/api.md's conventions for an answer whose body is already encoded:
 * a weak {@code ETag} over the bytes (304 on a matching {@code If-None-Match}),
 * {@code Cache-Control} from the freshness left and {@code Server-Timing}. For answers whose
 * bytes do not change while their data does not (profiles, news, search, movers, sectors); the
 * quote and history handlers hash their data instead, as their bodies carry an age.
 */
public final class Validators {

  private Validators() {}

  /**
   * The answer: 304 with the headers when {@code If-None-Match} matches the body's ETag, else
   * 200 with the JSON body.
   */
  public static Mono<ServerResponse> json(ServerRequest request, byte[] body, String cacheControl, String serverTiming) {
    return json(request, body, weakEtag(body), cacheControl, serverTiming);
  }

  /**
   * The same with the ETag given: for a body that carries the time it was answered, whose
   * validator is computed over the rest ({@link #weakEtag} of those bytes).
   */
  public static Mono<ServerResponse> json(
      ServerRequest request, byte[] body, String etag, String cacheControl, String serverTiming) {
    if (matches(request.headers().firstHeader(HttpHeaders.IF_NONE_MATCH), etag)) {
      return ServerResponse.status(HttpStatus.NOT_MODIFIED)
          .header(HttpHeaders.ETAG, etag)
          .header(HttpHeaders.CACHE_CONTROL, cacheControl)
          .header("Server-Timing", serverTiming)
          .build();
    }
    return ServerResponse.ok()
        .contentType(MediaType.APPLICATION_JSON)
        .contentLength(body.length)
        .header(HttpHeaders.ETAG, etag)
        .header(HttpHeaders.CACHE_CONTROL, cacheControl)
        .header("Server-Timing", serverTiming)
        .body((message, context) -> message.writeWith(Mono.fromSupplier(() -> message.bufferFactory().wrap(body))));
  }

  /** {@code public, max-age=<seconds left>}, or {@code no-cache} when stale or nothing is left. */
  public static String cacheControl(Duration freshLeft, boolean stale) {
    long seconds = freshLeft.isNegative() ? 0 : freshLeft.toSeconds();
    return stale || seconds == 0 ? "no-cache" : "public, max-age=" + seconds;
  }

  /** {@code cache;desc=<desc>, total;dur=<ms since start>}. */
  public static String serverTiming(String cacheDesc, long startNanos) {
    double ms = (System.nanoTime() - startNanos) / 1e6;
    return "cache;desc=" + cacheDesc + ", total;dur=" + String.format(Locale.ROOT, "%.1f", ms);
  }

  /** A weak validator over {@code bytes} (FNV-1a, 64 bits). */
  public static String weakEtag(byte[] bytes) {
    long h = 0xcbf29ce484222325L;
    for (byte b : bytes) {
      h ^= b & 0xff;
      h *= 0x100000001b3L;
    }
    return "W/\"" + String.format("%016x", h) + "\"";
  }

  /** Weak comparison of {@code If-None-Match} (a list, or {@code *}) with {@code etag}. */
  public static boolean matches(String ifNoneMatch, String etag) {
    if (ifNoneMatch == null) {
      return false;
    }
    String opaque = etag.startsWith("W/") ? etag.substring(2) : etag;
    for (String candidate : ifNoneMatch.split(",")) {
      String c = candidate.trim();
      if (c.startsWith("W/")) {
        c = c.substring(2);
      }
      if (c.equals("*") || c.equals(opaque)) {
        return true;
      }
    }
    return false;
  }
}
