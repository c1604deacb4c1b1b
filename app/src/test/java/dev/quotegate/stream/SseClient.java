package dev.quotegate.stream;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.netty.http.client.HttpClient;
import reactor.netty.http.client.HttpClientResponse;

/** A minimal Server-Sent Events client over Reactor Netty for tests (and the benchmark). */
final class SseClient {

  /** One event: its fields, or a comment line ({@code comment} set, others null). */
  record Event(String id, String event, String data, String comment, String retry) {
    boolean isQuote() {
      return "quote".equals(event);
    }
  }

  /** The response head and its events. */
  record Stream(HttpClientResponse response, Flux<Event> events) {}

  private SseClient() {}

  /** Connects and streams events; the response head is emitted with each event. */
  static Flux<Map.Entry<HttpClientResponse, Event>> connect(HttpClient client, String uri, String lastEventId) {
    HttpClient c = lastEventId == null ? client : client.headers(h -> h.set("Last-Event-ID", lastEventId));
    return c.headers(h -> h.set("Accept", "text/event-stream"))
        .get()
        .uri(uri)
        .response((res, body) -> {
          Parser parser = new Parser();
          return body.asString().concatMapIterable(parser::feed).map(e -> Map.entry(res, e));
        });
  }

  /** The response of a request that is not a stream (an error): status and body. */
  static Mono<Map.Entry<HttpClientResponse, String>> refused(HttpClient client, String uri) {
    return client.get().uri(uri)
        .responseSingle((res, body) -> body.asString().defaultIfEmpty("").map(b -> Map.entry(res, b)));
  }

  /** Stateful parser: chunks in, complete events out. */
  static final class Parser {
    private final StringBuilder buffer = new StringBuilder();

    List<Event> feed(String chunk) {
      buffer.append(chunk.replace("\r\n", "\n"));
      List<Event> out = new ArrayList<>();
      int end;
      while ((end = buffer.indexOf("\n\n")) >= 0) {
        String block = buffer.substring(0, end);
        buffer.delete(0, end + 2);
        out.add(parse(block));
      }
      return out;
    }

    private static Event parse(String block) {
      String id = null;
      String event = null;
      String comment = null;
      String retry = null;
      StringBuilder data = null;
      for (String line : block.split("\n")) {
        if (line.startsWith(":")) {
          comment = line.substring(1).trim();
          continue;
        }
        int colon = line.indexOf(':');
        String field = colon < 0 ? line : line.substring(0, colon);
        String value = colon < 0 ? "" : line.substring(colon + 1).stripLeading();
        switch (field) {
          case "id" -> id = value;
          case "event" -> event = value;
          case "retry" -> retry = value;
          case "data" -> data = data == null ? new StringBuilder(value) : data.append('\n').append(value);
          default -> { }
        }
      }
      return new Event(id, event, data == null ? null : data.toString(), comment, retry);
    }
  }
}
