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
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.MediaType;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ResponseStatusException;
import org.springframework.web.reactive.resource.NoResourceFoundException;
import org.springframework.web.server.ServerWebExchange;
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

  @Override
  public Mono<Void> handle(ServerWebExchange exchange, Throwable ex) {
    ServerHttpResponse response = exchange.getResponse();
    if (response.isCommitted()) {
      return Mono.error(ex);
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
      String detail = g instanceof InvalidRequest i ? describe(i.params()) : g.getMessage();
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
    DataBuffer buffer = response.bufferFactory().wrap(body);
    return response.writeWith(Mono.just(buffer));
  }

  private static String describe(List<InvalidParam> params) {
    StringBuilder sb = new StringBuilder();
    for (InvalidParam p : params) {
      if (!sb.isEmpty()) {
        sb.append("; ");
      }
      sb.append(p.name()).append(": ").append(p.reason());
    }
    return sb.toString();
  }
}
