package dev.quotegate.web;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.quotegate.fetch.CapacityExceededException;
import dev.quotegate.platform.GatewayException;
import dev.quotegate.platform.GatewayException.InvalidParam;
import dev.quotegate.platform.GatewayException.InvalidRequest;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.annotation.Order;
import org.springframework.core.codec.DecodingException;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferLimitException;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.InvalidMediaTypeException;
import org.springframework.http.MediaType;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.stereotype.Component;
import org.springframework.web.reactive.resource.NoResourceFoundException;
import org.springframework.web.server.ResponseStatusException;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.ServerWebInputException;
import org.springframework.web.server.WebExceptionHandler;
import reactor.core.publisher.Mono;
import tools.jackson.databind.json.JsonMapper;

/**
 * Maps every error to an RFC 9457 {@code application/problem+json} response: domain errors
 * by {@link Problems}, framework errors (unknown route, wrong method) by their status, and
 * anything unexpected to a 500 that hides internals (logged here with its stack trace).
 * Runs before Boot's default error handler.
 */
@Component
@Order(-2)
class ProblemExceptionHandler implements WebExceptionHandler {

  private static final Logger log = LoggerFactory.getLogger(ProblemExceptionHandler.class);
  private static final MediaType PROBLEM_JSON = MediaType.APPLICATION_PROBLEM_JSON;

  private final JsonMapper json;
  private final MeterRegistry registry;

  ProblemExceptionHandler(JsonMapper json, MeterRegistry registry) {
    this.json = json;
    this.registry = registry;
  }

  /** The problem document. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  record Problem(
      String type,
      String title,
      int status,
      String detail,
      String instance,
      String code,
      List<InvalidParam> invalidParams) {}

  /**
   * Client errors raised by the framework rather than by a handler (a codec's size limit, an
   * unparseable media type, an unreadable body): their status, or null for anything else.
   */
  private static HttpStatus clientError(Throwable ex) {
    if (ex instanceof DataBufferLimitException) {
      return HttpStatus.CONTENT_TOO_LARGE;
    }
    if (ex instanceof InvalidMediaTypeException) {
      return HttpStatus.UNSUPPORTED_MEDIA_TYPE;
    }
    if (ex instanceof ServerWebInputException || ex instanceof DecodingException) {
      return HttpStatus.BAD_REQUEST;
    }
    return null;
  }

  private static String clientDetail(HttpStatus status) {
    return switch (status) {
      case CONTENT_TOO_LARGE -> "body: larger than the gateway accepts";
      case UNSUPPORTED_MEDIA_TYPE -> "Content-Type: unparseable or not accepted; send application/json";
      default -> "the request could not be read";
    };
  }

  /**
   * An error after the answer's status and headers went out: nothing can be told to the
   * client any more. The usual cause is a request the HTTP codec already refused (a broken
   * chunk size: Reactor Netty answered 400 and logged it) while the handler still ran; that
   * is counted and logged at debug. Anything else is a real fault, logged as one warning.
   */
  private Mono<Void> afterCommit(ServerWebExchange exchange, Throwable ex) {
    boolean framing = ex instanceof IllegalStateException && ex.getMessage() != null
        && ex.getMessage().contains("already sent");
    Counter.builder("quotegate.http.errors.after-commit")
        .description("Errors raised after the answer was committed, by cause")
        .tag("cause", framing ? "refused-request" : "other")
        .register(registry)
        .increment();
    if (framing) {
      log.debug("{} {}: answered by the HTTP codec already: {}", exchange.getRequest().getMethod(),
          exchange.getRequest().getPath().value(), ex.toString());
    } else {
      log.warn("{} {}: error after the answer was committed: {}", exchange.getRequest().getMethod(),
          exchange.getRequest().getPath().value(), ex.toString());
    }
    return Mono.empty();
  }

  @Override
  public Mono<Void> handle(ServerWebExchange exchange, Throwable ex) {
    ServerHttpResponse response = exchange.getResponse();
    if (response.isCommitted()) {
      return afterCommit(exchange, ex);
    }
    String path = exchange.getRequest().getPath().value();
    Problem problem;
    Duration retryAfter = null;
    if (ex instanceof CapacityExceededException c) {
      ex = new GatewayException.Overloaded(c.getMessage(), Duration.ofSeconds(1));
    }
    if (ex instanceof GatewayException g) {
      int status = Problems.status(g);
      List<InvalidParam> params = g instanceof InvalidRequest i ? i.params() : null;
      String detail = Problems.detail(g);
      problem = new Problem(Problems.TYPE_BASE + Problems.code(g), Problems.title(g), status, detail, path, Problems.code(g), params);
      retryAfter = Problems.retryAfter(g);
    } else if (ex instanceof ResponseStatusException rse) {
      HttpStatusCode sc = rse.getStatusCode();
      HttpStatus known = HttpStatus.resolve(sc.value());
      String title = known != null ? known.getReasonPhrase() : "HTTP " + sc.value();
      String code = title.toLowerCase().replace(' ', '-');
      String detail = rse.getReason() != null ? rse.getReason() : title;
      if (rse instanceof NoResourceFoundException) {
        // Spring's wording ("No static resource ...") speaks of files; this is an API.
        detail = "No endpoint " + exchange.getRequest().getMethod() + " " + path + " (endpoints: docs/api.md)";
      }
      problem = new Problem(Problems.TYPE_BASE + code, title, sc.value(), detail, path, code, null);
      response.getHeaders().addAll(rse.getHeaders());
    } else if (clientError(ex) != null) {
      HttpStatus status = clientError(ex);
      String code = status.getReasonPhrase().toLowerCase().replace(' ', '-');
      problem = new Problem(Problems.TYPE_BASE + code, status.getReasonPhrase(), status.value(),
          clientDetail(status), path, code, null);
      log.debug("client error on {} {}: {}", exchange.getRequest().getMethod(), path, ex.toString());
    } else {
      log.error("unhandled error on {} {}", exchange.getRequest().getMethod(), path, ex);
      problem = new Problem(Problems.TYPE_BASE + "internal-error", "Internal error", 500,
          "The gateway failed unexpectedly; the error is logged.", path, "internal-error", null);
    }
    Counter.builder("quotegate.http.problems")
        .description("Problem responses by status and code")
        .tag("status", Integer.toString(problem.status()))
        .tag("code", problem.code())
        .register(registry)
        .increment();
    response.setStatusCode(HttpStatusCode.valueOf(problem.status()));
    HttpHeaders headers = response.getHeaders();
    headers.setContentType(PROBLEM_JSON);
    headers.setCacheControl("no-store");
    if (retryAfter != null) {
      headers.set(HttpHeaders.RETRY_AFTER, Long.toString(Math.max(1, retryAfter.toSeconds())));
    }
    byte[] body = json.writeValueAsBytes(problem);
    // Set here, not left to the server: a HEAD's answer carries the GET's length.
    headers.setContentLength(body.length);
    DataBuffer buffer = response.bufferFactory().wrap(body);
    // The codec may have answered a broken request itself meanwhile (Reactor Netty's 400 for
    // a bad chunk size): then this write finds the answer committed.
    return response.writeWith(Mono.just(buffer))
        .onErrorResume(IllegalStateException.class, e -> afterCommit(exchange, e));
  }
}
