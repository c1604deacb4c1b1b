package dev.quotegate.stream;

import dev.quotegate.QuotegateApplication;
import dev.quotegate.simulator.Simulator;
import dev.quotegate.simulator.SimulatorProperties;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Sinks;
import reactor.netty.DisposableServer;
import reactor.netty.http.HttpProtocol;
import reactor.netty.http.client.HttpClient;
import reactor.netty.http.server.HttpServer;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * The server side of the out-of-process stream benchmark ({@code app/bench/streams.sh}): one
 * JVM with a standalone simulator, the gateway (full Spring context, quote TTL 1 s) and the
 * bare peer, a minimal Reactor Netty server that fetches the same symbols from the same
 * simulator once a second, encodes them once and writes the same bytes to every SSE
 * ({@code /sse}) and WebSocket ({@code /ws}) connection: no per-connection state, conflation
 * or encoding — the ceiling. Prints {@code READY gateway=<port> peer=<port> pid=<pid>
 * symbols=<A,B,...>} and runs until its standard input closes. Not a test.
 */
public final class StreamBenchServer {

  private static final JsonMapper JSON = JsonMapper.builder().build();

  public static void main(String[] args) throws Exception {
    int gatewayPort = 0;
    int peerPort = 0;
    int symbolCount = 20;
    for (String a : args) {
      if (a.startsWith("--gateway-port=")) {
        gatewayPort = Integer.parseInt(a.substring(15));
      } else if (a.startsWith("--peer-port=")) {
        peerPort = Integer.parseInt(a.substring(12));
      } else if (a.startsWith("--symbols=")) {
        symbolCount = Integer.parseInt(a.substring(10));
      }
    }
    QuotegateApplication.systemDefaults(); // as the packaged gateway's main does
    Simulator sim = Simulator.create(SimulatorProperties.defaults().withPort(0)).start();
    List<String> symbols = sim.universe().instruments().stream().limit(symbolCount).map(i -> i.symbol()).toList();
    ConfigurableApplicationContext gateway = new SpringApplicationBuilder(QuotegateApplication.class).run(
        "--server.port=" + gatewayPort, "--server.address=127.0.0.1", "--spring.main.banner-mode=off",
        "--logging.level.root=WARN", "--quotegate.simulator.enabled=false",
        "--quotegate.providers.sim.base-url=" + sim.baseUrl(),
        "--quotegate.quotes.ttl-market-open=1s", "--quotegate.quotes.ttl-market-closed=1s",
        "--quotegate.streams.max-connections=30000",
        "--quotegate.streams.max-connections-per-client=30000",
        // every client connection comes from 127.0.0.1: one anonymous client to the rate limiter
        "--quotegate.rate-limit.anonymous.requests-per-second=1000000",
        "--quotegate.rate-limit.anonymous.burst=1000000", "--quotegate.rate-limit.anonymous.max-streams=1000000");
    int port = Integer.parseInt(gateway.getEnvironment().getRequiredProperty("local.server.port"));
    Peer peer = new Peer(sim, symbols, peerPort);
    System.out.println("READY gateway=" + port + " peer=" + peer.server.port() + " pid=" + ProcessHandle.current().pid()
        + " symbols=" + String.join(",", symbols));
    System.out.flush();
    BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    while (in.readLine() != null) {
      // runs until the runner closes our stdin
    }
    peer.close();
    gateway.close();
    sim.stop();
    System.exit(0);
  }

  /** One hot source: once a second one upstream call's quotes, encoded once, to everyone. */
  static final class Peer {
    final DisposableServer server;
    final Disposable ticker;
    final Sinks.Many<byte[][]> events = Sinks.many().multicast().directBestEffort();

    Peer(Simulator sim, List<String> symbols, int port) {
      HttpClient upstream = HttpClient.create().baseUrl(sim.baseUrl());
      this.ticker = Flux.interval(Duration.ofSeconds(1))
          .onBackpressureDrop()
          .concatMap(t -> upstream.get().uri("/v1/quotes?symbols=" + String.join(",", symbols))
              .responseContent().aggregate().asString()
              .map(body -> {
                String fetchedAt = Instant.now().toString();
                StringBuilder sb = new StringBuilder("[");
                for (JsonNode q : JSON.readTree(body).get("quotes")) {
                  if (sb.length() > 1) {
                    sb.append(',');
                  }
                  ((ObjectNode) q).put("fetchedAt", fetchedAt);
                  sb.append(JSON.writeValueAsString(q));
                }
                String array = sb.append(']').toString();
                return new byte[][] {
                  ("event: quote\ndata: " + array + "\n\n").getBytes(StandardCharsets.UTF_8),
                  ("{\"type\":\"quote\",\"quotes\":" + array + "}").getBytes(StandardCharsets.UTF_8)};
              })
              .onErrorResume(e -> reactor.core.publisher.Mono.empty()))
          .subscribe(e -> {
            synchronized (events) {
              events.tryEmitNext(e);
            }
          });
      this.server = HttpServer.create().host("127.0.0.1").port(port)
          .protocol(HttpProtocol.HTTP11, HttpProtocol.H2C) // as the gateway: h2c prior knowledge too
          .http2Settings(h -> h.maxConcurrentStreams(256))
          .route(r -> r
              .get("/sse", (req, res) -> res.sse().send(events.asFlux().map(e -> Unpooled.wrappedBuffer(e[0]))))
              .ws("/ws", (in, out) -> out.sendObject(events.asFlux()
                  .map(e -> new TextWebSocketFrame(Unpooled.wrappedBuffer(e[1]))))))
          .bindNow();
    }

    void close() {
      ticker.dispose();
      server.disposeNow();
    }
  }
}
