package dev.quotegate.testsupport;

import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import reactor.core.Disposable;
import reactor.core.publisher.Mono;
import reactor.netty.Connection;
import reactor.netty.DisposableServer;
import reactor.netty.tcp.TcpClient;
import reactor.netty.tcp.TcpServer;

/**
 * A loopback TCP proxy in front of a real service (the shared PostgreSQL), which a test can
 * cut (listener closed, every open connection reset) and reopen on the same port: an outage of
 * the service as the gateway sees it, without touching the shared server.
 */
public final class TcpProxy implements AutoCloseable {

  private static final Duration TIMEOUT = Duration.ofSeconds(10);

  private final String targetHost;
  private final int targetPort;
  private final Set<Disposable> open = ConcurrentHashMap.newKeySet();
  private volatile int port;
  private volatile DisposableServer server;

  private TcpProxy(String targetHost, int targetPort) {
    this.targetHost = targetHost;
    this.targetPort = targetPort;
  }

  /** A proxy to {@code host:port} listening on a free loopback port. */
  public static TcpProxy start(String host, int port) {
    TcpProxy p = new TcpProxy(host, port);
    p.reopen();
    return p;
  }

  /** The loopback port the proxy listens on (the same after {@link #reopen()}). */
  public int port() {
    return port;
  }

  /** Stops listening and resets every proxied connection. */
  public synchronized void cut() {
    DisposableServer s = server;
    server = null;
    if (s != null) {
      s.disposeNow(TIMEOUT);
    }
    for (Disposable c : open) {
      c.dispose();
    }
    open.clear();
  }

  /** Listens again (on the same port once it has been bound). */
  public synchronized void reopen() {
    if (server != null) {
      return;
    }
    server = TcpServer.create()
        .host("127.0.0.1")
        .port(port)
        .doOnConnection(open::add)
        .handle((in, out) -> TcpClient.create()
            .host(targetHost)
            .port(targetPort)
            .connect()
            .flatMap(upstream -> {
              open.add(upstream);
              Mono<Void> up = upstream.outbound().send(in.receive().retain()).then();
              Mono<Void> down = out.send(upstream.inbound().receive().retain()).then();
              return Mono.when(up, down).doFinally(sig -> {
                open.remove(upstream);
                upstream.dispose();
              });
            }))
        .bindNow(TIMEOUT);
    port = server.port();
  }

  @Override
  public void close() {
    cut();
  }

  /** For assertions in tests of the proxy itself. */
  int openConnections() {
    return (int) open.stream().filter(c -> c instanceof Connection).count();
  }
}
