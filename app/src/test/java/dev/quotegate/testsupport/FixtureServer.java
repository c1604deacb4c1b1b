package dev.quotegate.testsupport;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import reactor.core.publisher.Mono;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;

/**
 * A local HTTP/1.1 server on 127.0.0.1 and a free port that answers each path with a canned
 * reply (a fixture file or an inline body) and records every request it gets. Paths without
 * a reply answer 404 {@code {"error":"no fixture"}}. One per test class; {@link #reset()}
 * between tests.
 */
public final class FixtureServer implements AutoCloseable {

  /** One canned answer. */
  public record Reply(int status, Map<String, String> headers, byte[] body) {

    public Reply header(String name, String value) {
      Map<String, String> h = new LinkedHashMap<>(headers);
      h.put(name, value);
      return new Reply(status, h, body);
    }
  }

  /** One request as received. */
  public record Recorded(String path, String uri, Map<String, String> headers) {

    public String header(String name) {
      return headers.get(name.toLowerCase(Locale.ROOT));
    }
  }

  private final Map<String, Deque<Reply>> replies = new ConcurrentHashMap<>();
  private final List<Recorded> requests = new CopyOnWriteArrayList<>();
  private final DisposableServer server;

  private FixtureServer() {
    this.server =
        HttpServer.create()
            .host("127.0.0.1")
            .port(0)
            .handle(
                (req, res) -> {
                  String uri = req.uri();
                  int q = uri.indexOf('?');
                  String path = q >= 0 ? uri.substring(0, q) : uri;
                  Map<String, String> headers = new LinkedHashMap<>();
                  req.requestHeaders().forEach(e -> headers.put(e.getKey().toLowerCase(Locale.ROOT), e.getValue()));
                  requests.add(new Recorded(path, uri, headers));
                  Reply reply = next(path);
                  res.status(reply.status());
                  reply.headers().forEach(res::header);
                  return res.sendByteArray(Mono.just(reply.body())).then();
                })
            .bindNow();
  }

  public static FixtureServer start() {
    return new FixtureServer();
  }

  /** {@code http://127.0.0.1:<port>} followed by {@code prefix}. */
  public URI baseUrl(String prefix) {
    return URI.create("http://127.0.0.1:" + server.port() + prefix);
  }

  /** Answers {@code path} with {@code reply} from now on. */
  public FixtureServer on(String path, Reply reply) {
    Deque<Reply> d = new ArrayDeque<>();
    d.add(reply);
    replies.put(path, d);
    return this;
  }

  /** Answers {@code path} with each reply in turn, the last one from then on. */
  public FixtureServer onSequence(String path, Reply... sequence) {
    replies.put(path, new ArrayDeque<>(List.of(sequence)));
    return this;
  }

  private Reply next(String path) {
    Deque<Reply> d = replies.get(path);
    if (d == null) {
      return json(404, "{\"error\":\"no fixture\"}");
    }
    synchronized (d) {
      return d.size() > 1 ? d.poll() : d.peek();
    }
  }

  /** Every request received, in order. */
  public List<Recorded> requests() {
    return new ArrayList<>(requests);
  }

  /** Requests received for {@code path}. */
  public List<Recorded> requests(String path) {
    return requests.stream().filter(r -> r.path().equals(path)).toList();
  }

  public void reset() {
    replies.clear();
    requests.clear();
  }

  @Override
  public void close() {
    server.disposeNow();
  }

  public static Reply json(int status, String body) {
    return new Reply(status, Map.of("content-type", "application/json"), body.getBytes(StandardCharsets.UTF_8));
  }

  public static Reply text(int status, String body) {
    return new Reply(status, Map.of("content-type", "text/plain"), body.getBytes(StandardCharsets.UTF_8));
  }

  /** A reply whose body is the classpath resource {@code fixtures/<name>}. */
  public static Reply fixture(int status, String name) {
    String resource = "/fixtures/" + name;
    try (InputStream in = FixtureServer.class.getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalArgumentException("no fixture " + resource);
      }
      String type = name.endsWith(".json") ? "application/json" : name.endsWith(".html") ? "text/html" : "text/plain";
      return new Reply(status, Map.of("content-type", type), in.readAllBytes());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A client's URI for {@code request}, to assert on its query. */
  public static URI uri(Recorded request) {
    return URI.create(request.uri());
  }
}
