package dev.quotegate.load;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.netty.DisposableServer;
import reactor.netty.http.HttpProtocol;
import reactor.netty.http.server.HttpServer;

/**
 * The reference ceiling of this JVM stack on this machine: a bare Reactor Netty server (same
 * Netty, same transport, same protocols as the gateway's server) answering every request with
 * one fixed JSON body the size and shape of the gateway's single-quote answer. No routing, no
 * cache, no serialization, no metrics: what is left is the HTTP server itself.
 *
 * <p>Also serves {@code /api/v1/stream/quotes} as a fake event stream (a {@code snapshot}
 * event, then one {@code quote} event a second and a heartbeat comment every 5 s), to check
 * {@link StreamSimulation} against the stream contract without the gateway.
 *
 * <p>Run from the packaged jar (see {@code app/bench/run.sh}):
 * {@code java -cp app.jar -Dloader.path=target/test-classes -Dloader.main=dev.quotegate.load.BaselineServer
 * org.springframework.boot.loader.launch.PropertiesLauncher --port=0}; prints
 * {@code BASELINE_PORT=<port>} once bound and runs until killed.
 */
public final class BaselineServer {

  /** Shape and size of {@code GET /api/v1/quotes/AAPL} from the gateway. */
  static final byte[] BODY =
      ("{\"symbol\":\"AAPL\",\"price\":192.77,\"change\":3.52,\"changePercent\":1.86,\"open\":191.72,"
              + "\"high\":192.87,\"low\":190.61,\"previousClose\":189.25,\"volume\":41535075,\"currency\":\"USD\","
              + "\"marketOpen\":true,\"asOf\":\"2026-11-23T17:50:40.123Z\",\"source\":\"sim\","
              + "\"fetchedAt\":\"2026-11-23T17:50:40.127Z\",\"ageMs\":1234,\"stale\":false}")
          .getBytes(StandardCharsets.UTF_8);

  private BaselineServer() {}

  public static void main(String[] args) throws InterruptedException {
    int port = 0;
    for (String arg : args) {
      if (arg.startsWith("--port=")) {
        port = Integer.parseInt(arg.substring("--port=".length()));
      } else {
        System.err.println("baseline: unknown argument " + arg + " (expected --port=N)");
        System.exit(2);
      }
    }
    ByteBuf body = Unpooled.unreleasableBuffer(Unpooled.wrappedBuffer(BODY).asReadOnly());
    DisposableServer server =
        HttpServer.create()
            .host("127.0.0.1")
            .port(port)
            .protocol(HttpProtocol.HTTP11, HttpProtocol.H2C)
            .route(
                routes ->
                    routes
                        .get("/api/v1/stream/quotes", (req, res) -> res.sse().sendString(stream()))
                        .route(
                            req -> true,
                            (req, res) ->
                                res.header("content-type", "application/json")
                                    .header("content-length", Integer.toString(BODY.length))
                                    .send(Mono.just(body.retainedDuplicate()))))
            .bindNow();
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  server.disposeNow(Duration.ofSeconds(5));
                  stopped.countDown();
                },
                "baseline-shutdown"));
    System.out.println("BASELINE_PORT=" + server.port());
    System.out.flush();
    stopped.await();
  }

  private static Flux<String> stream() {
    String quote = new String(BODY, StandardCharsets.UTF_8);
    Flux<String> updates =
        Flux.interval(Duration.ofSeconds(1))
            .map(
                i ->
                    i % 5 == 4
                        ? ": heartbeat\n\n"
                        : "id: " + (i + 2) + "\nevent: quote\ndata: [" + quote + "]\n\n");
    return Flux.concat(Mono.just("id: 1\nevent: snapshot\ndata: [" + quote + "]\n\n"), updates);
  }
}
