package dev.quotegate.quote;

import dev.quotegate.platform.GatewayException;
import dev.quotegate.quote.QuoteBatchView.SymbolError;
import dev.quotegate.quote.QuoteResult.Failed;
import dev.quotegate.quote.QuoteResult.Found;
import dev.quotegate.quote.QuoteResult.Origin;
import dev.quotegate.web.Problems;
import dev.quotegate.web.Fields;
import dev.quotegate.web.SymbolParams;
import java.util.Optional;
import java.util.Set;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;
import reactor.core.publisher.Mono;

/**
 * Quote endpoints: parse and validate, call {@link QuoteService}, and answer with ETag,
 * Cache-Control from the remaining freshness, and Server-Timing.
 */
final class QuoteHandler {

  private final QuoteService service;
  private final QuoteProperties props;
  private final Clock clock;
  private final QuoteJson json;

  QuoteHandler(QuoteService service, QuoteProperties props, Clock clock, QuoteJson json) {
    this.service = service;
    this.props = props;
    this.clock = clock;
    this.json = json;
  }

  /** {@code GET /api/v1/quotes/{symbol}}. */
  Mono<ServerResponse> quote(ServerRequest request) {
    return Mono.defer(
        () -> {
          String symbol = SymbolParams.pathSymbol(request, "symbol");
          Optional<Set<String>> fields = Fields.selected(request, VIEW_FIELDS);
          long start = System.nanoTime();
          return service
              .quote(symbol)
              .flatMap(
                  result -> {
                    if (result instanceof Failed f) {
                      return Mono.error(f.error());
                    }
                    Found found = (Found) result;
                    Instant now = clock.instant();
                    List<Found> one = List.of(found);
                    return respond(request, one, select(() -> json.quote(found.entry(), found.stale(), now), null, fields),
                        start, now, List.of(), fields);
                  });
        });
  }

  /** {@code GET /api/v1/quotes?symbols=A,B,C}. */
  Mono<ServerResponse> quotes(ServerRequest request) {
    return Mono.defer(
        () -> {
          List<String> symbols =
              SymbolParams.symbols("symbols", request.queryParam("symbols").orElse(null), props.maxSymbols());
          Optional<Set<String>> fields = Fields.selected(request, VIEW_FIELDS);
          long start = System.nanoTime();
          return service
              .quotes(symbols)
              .flatMap(
                  results -> {
                    Instant now = clock.instant();
                    List<Found> found = new ArrayList<>(results.size());
                    List<SymbolError> errors = new ArrayList<>();
                    GatewayException firstUpstreamError = null;
                    for (QuoteResult r : results) {
                      if (r instanceof Found f) {
                        found.add(f);
                      } else {
                        GatewayException e = ((Failed) r).error();
                        errors.add(new SymbolError(r.symbol(), Problems.status(e), Problems.code(e), Problems.detail(e)));
                        if (firstUpstreamError == null && !(e instanceof GatewayException.NotFound)) {
                          firstUpstreamError = e;
                        }
                      }
                    }
                    if (found.isEmpty() && firstUpstreamError != null) {
                      // Nothing to show and not the client's fault: a clear 503/504.
                      return Mono.error(firstUpstreamError);
                    }
                    int requested = symbols.size();
                    return respond(request, found, select(() -> json.batch(now, requested, found, errors, now), "quotes", fields),
                        start, now, errors, fields);
                  });
        });
  }

  /**
   * The answer with its validators and timing. The body ({@link QuoteJson}, encoded only when
   * the client's copy is not current) is handed to the response as bytes: the generic path
   * (message-writer look-up by type and media type, then the reactive Jackson encoder) costs
   * more than the encoding itself for a 300-byte quote, and this is the path every dashboard
   * poll takes.
   */
  private Mono<ServerResponse> respond(
      ServerRequest request, List<Found> found, Supplier<byte[]> body, long start, Instant now,
      List<SymbolError> errors, Optional<Set<String>> fields) {
    String etag = etag(found, errors);
    if (fields.isPresent()) {
      // Another representation of the same data: its own validator.
      etag = etag.substring(0, etag.length() - 1) + "-f" + Integer.toHexString(new java.util.TreeSet<>(fields.get()).hashCode()) + "\"";
    }
    String cacheControl = cacheControl(found, errors, now);
    String timing = serverTiming(found, errors, start);
    if (matches(request.headers().firstHeader(HttpHeaders.IF_NONE_MATCH), etag)) {
      return ServerResponse.status(HttpStatus.NOT_MODIFIED)
          .header(HttpHeaders.ETAG, etag)
          .header(HttpHeaders.CACHE_CONTROL, cacheControl)
          .header("Server-Timing", timing)
          .build();
    }
    byte[] bytes = body.get();
    return ServerResponse.ok()
        .contentType(MediaType.APPLICATION_JSON)
        .contentLength(bytes.length)
        .header(HttpHeaders.ETAG, etag)
        .header(HttpHeaders.CACHE_CONTROL, cacheControl)
        .header("Server-Timing", timing)
        .body((message, context) -> message.writeWith(Mono.fromSupplier(() -> message.bufferFactory().wrap(bytes))));
  }

  /** Names {@code fields=} may select ({@link QuoteView}'s). */
  private static final List<String> VIEW_FIELDS = Fields.of(QuoteView.class);

  /** The body cut to the selected fields (of the root, or of each item of {@code array}) when any are. */
  private static Supplier<byte[]> select(Supplier<byte[]> body, String array, Optional<Set<String>> fields) {
    return fields.isEmpty() ? body : () -> Fields.select(body.get(), array, fields.get());
  }

  /**
   * A weak validator over what the quotes are (symbol, fetch time, staleness), not over the
   * bytes: {@code ageMs} changes every millisecond without the data changing.
   */
  static String etag(List<Found> found, List<SymbolError> errors) {
    // Hashes the values themselves, not strings built from them: this runs for every quote of
    // every answer (50 per dashboard poll).
    long h = 0xcbf29ce484222325L;
    for (Found f : found) {
      Instant fetchedAt = f.entry().fetchedAt();
      h = fnv(h, f.symbol());
      h = fnv(h, fetchedAt.getEpochSecond());
      h = fnv(h, fetchedAt.getNano());
      h = fnv(h, f.stale() ? 1 : 0);
    }
    for (SymbolError e : errors) {
      h = fnv(h, e.symbol());
      h = fnv(h, e.code());
    }
    return "W/\"" + Long.toHexString(h) + "\"";
  }

  private static long fnv(long h, String s) {
    for (int i = 0; i < s.length(); i++) {
      h ^= s.charAt(i);
      h *= 0x100000001b3L;
    }
    h ^= 0x1f;
    return h * 0x100000001b3L;
  }

  private static long fnv(long h, long v) {
    for (int i = 0; i < 8; i++) {
      h ^= (v >>> (i * 8)) & 0xff;
      h *= 0x100000001b3L;
    }
    return h;
  }

  static boolean matches(String ifNoneMatch, String etag) {
    if (ifNoneMatch == null) {
      return false;
    }
    String opaque = etag.substring(2); // weak comparison: ignore W/
    for (String candidate : ifNoneMatch.split(",")) {
      String c = candidate.trim();
      if (c.equals("*") || c.equals(etag) || c.equals(opaque) || (c.startsWith("W/") && c.substring(2).equals(opaque))) {
        return true;
      }
    }
    return false;
  }

  /** Cacheable for the freshness left on the least fresh quote; not at all if any is stale. */
  static String cacheControl(List<Found> found, List<SymbolError> errors, Instant now) {
    if (found.isEmpty() || !errors.isEmpty()) {
      return "no-cache";
    }
    Duration min = null;
    for (Found f : found) {
      if (f.stale()) {
        return "no-cache";
      }
      Duration left = f.entry().remaining(now);
      if (min == null || left.compareTo(min) < 0) {
        min = left;
      }
    }
    return "public, max-age=" + min.toSeconds();
  }

  static String serverTiming(List<Found> found, List<SymbolError> errors, long start) {
    int cached = 0;
    int upstream = 0;
    int stale = 0;
    for (Found f : found) {
      if (f.origin() == Origin.CACHE) {
        cached++;
      } else if (f.origin() == Origin.UPSTREAM) {
        upstream++;
      } else {
        stale++;
      }
    }
    String outcome;
    if (stale > 0) {
      outcome = "stale";
    } else if (upstream == 0 && errors.isEmpty()) {
      outcome = "hit";
    } else if (cached == 0) {
      outcome = "miss";
    } else {
      outcome = "partial";
    }
    String dur = millis(System.nanoTime() - start);
    StringBuilder sb = new StringBuilder(64).append("cache;desc=").append(outcome);
    if (upstream > 0 || stale > 0 || !errors.isEmpty()) {
      sb.append(", upstream;dur=").append(dur);
    }
    sb.append(", total;dur=").append(dur);
    return sb.toString();
  }

  /**
   * Milliseconds with one decimal, rounded half up ({@code 1234567 ns -> "1.2"}), without
   * {@code String.format}, whose pattern parsing showed in the hot path's profile.
   */
  static String millis(long nanos) {
    long tenths = (Math.max(0, nanos) + 50_000) / 100_000;
    return Long.toString(tenths / 10) + '.' + (char) ('0' + tenths % 10);
  }
}
