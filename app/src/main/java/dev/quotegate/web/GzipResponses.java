package dev.quotegate.web;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.zip.GZIPOutputStream;
import org.reactivestreams.Publisher;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.MediaType;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.http.server.reactive.ServerHttpResponseDecorator;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;
import reactor.core.publisher.Mono;

/**
 * gzip for the API's JSON (and the metrics' text), decided in one place with its validators.
 *
 * <p>A compressed answer is another representation of the resource, so it gets another ETag:
 * the identity one with {@value #SUFFIX} inside the quotes ({@code W/"abc"} becomes {@code
 * W/"abc-gzip"}), and {@code Vary: Accept-Encoding} on both variants of every answer that could
 * have been compressed. An {@code If-None-Match} carrying the gzip form reaches the handler in the
 * identity form (handlers compute one validator), and a 304 echoes the form the client sent.
 * Netty's own compression ({@code server.compression}) is off: it changes neither ETag nor Vary,
 * and would answer a HEAD with other headers than the GET.
 *
 * <p>Compressed: a 200 whose body is one buffer (every JSON answer of the gateway), of a
 * compressible type, at least {@code quotegate.web.gzip-min-size} and at most {@code
 * quotegate.web.gzip-max-size} (larger ones go out as they are), not already encoded, to a
 * client whose {@code Accept-Encoding} admits gzip. Streams (SSE) and the dashboard's files
 * (which carry their own gzip copies) pass through untouched.
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE + 3)
final class GzipResponses implements WebFilter {

  static final String SUFFIX = "-gzip";

  private final long minSize;
  private final long maxSize;
  private final Counter compressed;
  private final Counter bytesIn;
  private final Counter bytesOut;

  GzipResponses(WebProperties props, MeterRegistry registry) {
    this.minSize = props.gzipMinSize().toBytes();
    this.maxSize = props.gzipMaxSize().toBytes();
    this.compressed = Counter.builder("quotegate.http.gzip.responses")
        .description("Answers sent gzip-compressed").register(registry);
    this.bytesIn = Counter.builder("quotegate.http.gzip.bytes").tag("side", "in").baseUnit("bytes")
        .description("Bytes of the answers compressed, before and after").register(registry);
    this.bytesOut = Counter.builder("quotegate.http.gzip.bytes").tag("side", "out").baseUnit("bytes")
        .description("Bytes of the answers compressed, before and after").register(registry);
  }

  @Override
  public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
    HttpHeaders requestHeaders = exchange.getRequest().getHeaders();
    boolean accepts = DashboardConfiguration.acceptsGzip(requestHeaders.getFirst(HttpHeaders.ACCEPT_ENCODING));
    String ifNoneMatch = requestHeaders.getFirst(HttpHeaders.IF_NONE_MATCH);
    ServerWebExchange ex = exchange;
    if (ifNoneMatch != null && ifNoneMatch.contains(SUFFIX + "\"")) {
      String identity = ifNoneMatch.replace(SUFFIX + "\"", "\"");
      ex = ex.mutate().request(r -> r.headers(h -> h.set(HttpHeaders.IF_NONE_MATCH, identity))).build();
      ServerHttpResponse response = ex.getResponse();
      response.beforeCommit(() -> {
        // A 304 to a client that holds the gzip variant names that variant.
        String etag = response.getHeaders().getETag();
        HttpStatusCode status = response.getStatusCode();
        if (status != null && status.value() == 304 && etag != null && etag.endsWith("\"")
            && ifNoneMatch.contains(gzipEtag(etag).replaceFirst("^W/", ""))) {
          response.getHeaders().setETag(gzipEtag(etag));
          response.getHeaders().set(HttpHeaders.VARY, HttpHeaders.ACCEPT_ENCODING);
        }
        return Mono.empty();
      });
    }
    ServerHttpResponse decorated = new Compressing(ex.getResponse(), accepts);
    return chain.filter(ex.mutate().response(decorated).build());
  }

  /** {@code W/"abc"} -> {@code W/"abc-gzip"}; {@code "abc"} -> {@code "abc-gzip"}. */
  static String gzipEtag(String etag) {
    return etag.substring(0, etag.length() - 1) + SUFFIX + "\"";
  }

  static boolean compressible(MediaType type) {
    if (type == null) {
      return false;
    }
    String sub = type.getSubtype();
    return (type.getType().equals("application") && (sub.equals("json") || sub.endsWith("+json")))
        || (type.getType().equals("text") && sub.equals("plain"));
  }

  private final class Compressing extends ServerHttpResponseDecorator {
    private final boolean accepts;

    Compressing(ServerHttpResponse delegate, boolean accepts) {
      super(delegate);
      this.accepts = accepts;
    }

    @Override
    public Mono<Void> writeWith(Publisher<? extends DataBuffer> body) {
      if (!(body instanceof Mono<? extends DataBuffer> one)) {
        return super.writeWith(body);
      }
      return super.writeWith(one.map(this::encode));
    }

    /** Runs before the delegate commits the headers: they may still change. */
    private DataBuffer encode(DataBuffer buffer) {
      HttpHeaders h = getHeaders();
      int size = buffer.readableByteCount();
      HttpStatusCode status = getStatusCode(); // null: 200 when committed
      if ((status != null && status.value() != 200) || h.containsHeader(HttpHeaders.CONTENT_ENCODING)
          || !compressible(h.getContentType()) || size < minSize || size > maxSize) {
        return buffer;
      }
      h.set(HttpHeaders.VARY, HttpHeaders.ACCEPT_ENCODING);
      if (!accepts) {
        return buffer;
      }
      byte[] gz = gzip(buffer, size);
      DataBufferUtils.release(buffer);
      h.set(HttpHeaders.CONTENT_ENCODING, "gzip");
      h.setContentLength(gz.length);
      String etag = h.getETag();
      if (etag != null && etag.endsWith("\"")) {
        h.setETag(gzipEtag(etag));
      }
      compressed.increment();
      bytesIn.increment(size);
      bytesOut.increment(gz.length);
      return bufferFactory().wrap(gz);
    }
  }

  private static byte[] gzip(DataBuffer buffer, int size) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(Math.max(64, size / 4));
    try (GZIPOutputStream gz = new GZIPOutputStream(out, 8192)) {
      byte[] chunk = new byte[Math.min(size, 8192)];
      while (buffer.readableByteCount() > 0) {
        int n = Math.min(chunk.length, buffer.readableByteCount());
        buffer.read(chunk, 0, n);
        gz.write(chunk, 0, n);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e); // in memory: does not happen
    }
    return out.toByteArray();
  }

  /**
   * A constant name: the filter chain checkpoints each request with the filter's {@code
   * toString()}, and {@code Object}'s would build a new string per request, kept for as long as
   * the request lives (a stream's whole life).
   */
  @Override
  public String toString() {
    return "GzipResponses";
  }
}
