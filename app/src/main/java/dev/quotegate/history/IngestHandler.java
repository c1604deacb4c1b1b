package dev.quotegate.history;

import dev.quotegate.calendar.BarInterval;
import dev.quotegate.platform.GatewayException;
import dev.quotegate.platform.GatewayException.InvalidRequest;
import dev.quotegate.web.JsonBodies;
import dev.quotegate.web.SymbolParams;
import java.net.URI;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.springframework.http.MediaType;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;
import reactor.core.publisher.Mono;

/**
 * Operator endpoints of bulk ingestion, under {@code /api/v1/admin/history/ingest} (guarded by
 * the admin bearer token).
 */
final class IngestHandler {

  private final IngestJobs jobs;
  private final HistoryService service;
  private final HistoryProperties props;
  private final IngestProperties ingest;
  private final Clock clock;
  private final JsonBodies bodies;

  IngestHandler(IngestJobs jobs, HistoryService service, HistoryProperties props, IngestProperties ingest, Clock clock,
      JsonBodies bodies) {
    this.ingest = ingest;
    this.bodies = bodies;
    this.jobs = jobs;
    this.service = service;
    this.props = props;
    this.clock = clock;
  }

  /** The request body: symbols, interval, and range or from/to. */
  record IngestRequest(List<String> symbols, String interval, String range, String from, String to) {}

  /** {@code POST /api/v1/admin/history/ingest}: 202 with the job and its status URL. */
  Mono<ServerResponse> submit(ServerRequest request) {
    return bodies
        .read(request, IngestRequest.class)
        .switchIfEmpty(Mono.error(() -> new InvalidRequest("body", "required: {\"symbols\":[...],\"interval\":\"1d\",\"range\":\"5y\"}")))
        .flatMap(
            body -> {
              if (body.symbols() == null || body.symbols().isEmpty()) {
                throw new InvalidRequest("symbols", "required: a list of 1 to " + props.ingestMaxSymbols() + " symbols");
              }
              if (body.symbols().size() > props.ingestMaxSymbols()) {
                throw new InvalidRequest("symbols", "at most " + props.ingestMaxSymbols() + " symbols per job, got " + body.symbols().size());
              }
              for (String s : body.symbols()) {
                if (s == null) {
                  throw new InvalidRequest("symbols", "null entry");
                }
              }
              List<String> symbols = SymbolParams.symbols("symbols", String.join(",", body.symbols()), props.ingestMaxSymbols());
              BarInterval interval = body.interval() == null ? BarInterval.D1 : HistoryParams.interval(body.interval());
              Instant now = clock.instant();
              Instant from;
              Instant to = now;
              if (body.range() != null) {
                if (body.from() != null || body.to() != null) {
                  throw new InvalidRequest("range", "give either range or from/to, not both");
                }
                from = HistoryParams.range(body.range()).from(now, service.schedule().calendar(), props.earliest());
              } else if (body.from() != null) {
                from = HistoryParams.instant("from", body.from(), false, service.schedule().calendar());
                if (body.to() != null) {
                  to = HistoryParams.instant("to", body.to(), true, service.schedule().calendar());
                }
                if (!from.isBefore(to)) {
                  throw new InvalidRequest("from", "must be before to");
                }
              } else {
                throw new InvalidRequest("range", "required: range or from/to");
              }
              Instant end = to.isAfter(now) ? now : to;
              // Each symbol's bars are collected and written in one transaction: bounded.
              HistoryParams.checkCount(service.schedule(), interval, from, end, now, ingest.maxSymbolBars(), "range");
              return jobs.submit(symbols, interval, from, end).flatMap(IngestHandler::accepted);
            });
  }

  private static Mono<ServerResponse> accepted(IngestJobs.JobView job) {
    return ServerResponse.accepted()
        .location(URI.create("/api/v1/admin/history/ingest/" + job.id()))
        .contentType(MediaType.APPLICATION_JSON)
        .bodyValue(job);
  }

  /** {@code POST /api/v1/admin/history/ingest/{id}/resume}: 202 with the resumed job. */
  Mono<ServerResponse> resume(ServerRequest request) {
    return Mono.defer(() -> jobs.resume(request.pathVariable("id")).flatMap(IngestHandler::accepted));
  }

  /** {@code GET /api/v1/admin/history/ingest/{id}}. */
  Mono<ServerResponse> status(ServerRequest request) {
    return found(request, jobs.status(request.pathVariable("id")));
  }

  /** {@code GET /api/v1/admin/history/ingest}: recent jobs, newest first. */
  Mono<ServerResponse> list(ServerRequest request) {
    return Mono.defer(() -> jobs.list())
        .flatMap(list -> ServerResponse.ok().contentType(MediaType.APPLICATION_JSON).bodyValue(Map.of("jobs", list)));
  }

  /** {@code DELETE /api/v1/admin/history/ingest/{id}}: cancels a running job. */
  Mono<ServerResponse> cancel(ServerRequest request) {
    return found(request, jobs.cancel(request.pathVariable("id")));
  }

  private static Mono<ServerResponse> found(ServerRequest request, Mono<java.util.Optional<IngestJobs.JobView>> job) {
    return Mono.defer(() -> job)
        .flatMap(v -> v.isPresent()
            ? ServerResponse.ok().contentType(MediaType.APPLICATION_JSON).bodyValue(v.get())
            : Mono.error(new GatewayException.NotFound("job", "no ingest job " + request.pathVariable("id"))));
  }
}
