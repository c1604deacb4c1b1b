package dev.quotegate.platform;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;

/**
 * The tests (and {@code app/bench}) run on the transport the gateway ships with: Reactor Netty
 * picks io_uring over epoll whenever Netty's io_uring jar is on the class path, and only a
 * test dependency (Gatling) brought it. io_uring cost twice the CPU of epoll under a stream
 * round's fan-out (docs/benchmarks.md "Streams", run 8), so it is excluded (app/pom.xml).
 */
class TransportTest {

  @Test
  void nettysIoUringTransportIsNotOnTheClassPath() {
    assertThatThrownBy(() -> Class.forName("io.netty.channel.uring.IoUring"))
        .as("a dependency brought Netty's io_uring transport back: exclude it (app/pom.xml, gatling)")
        .isInstanceOf(ClassNotFoundException.class);
  }

  @Test
  void reactorNettyServesOnEpollWhereItIsAvailable() throws Exception {
    AtomicReference<Class<?>> channel = new AtomicReference<>();
    DisposableServer server = HttpServer.create().host("127.0.0.1").port(0)
        .doOnConnection(c -> channel.set(c.channel().getClass()))
        .handle((req, res) -> res.sendString(Mono.just("ok")))
        .bindNow();
    try {
      HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(5)).build();
      HttpResponse<String> answer = client.send(
          HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/")).timeout(Duration.ofSeconds(10)).build(),
          HttpResponse.BodyHandlers.ofString());
      assertThat(answer.body()).isEqualTo("ok");
      assertThat(channel.get()).isEqualTo(Epoll.isAvailable() ? EpollSocketChannel.class : NioSocketChannel.class);
    } finally {
      server.disposeNow();
    }
  }
}
